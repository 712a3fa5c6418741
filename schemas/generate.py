"""Writes the JSON Schema files under schemas/json from the pydantic models.

Run `python -m schemas.generate` after changing a model; `--check` (run by
`make test`) fails while the committed files are stale.
"""

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas import DeadLetter, DeliveryOutcome, NotificationCommand, PaymentEvent
from schemas.retry_request import RetryRequest

MODELS: dict[str, type[BaseModel]] = {
    "payment_event.v1": PaymentEvent,
    "notification_command.v1": NotificationCommand,
    "delivery_outcome.v1": DeliveryOutcome,
    "dead_letter.v1": DeadLetter,
    "retry_request.v1": RetryRequest,
}
JSON_DIR = Path(__file__).with_name("json")


def render(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"


def stale_files() -> list[str]:
    """Names of the committed schema files that differ from the models."""
    return [
        name
        for name, model in MODELS.items()
        if not (JSON_DIR / f"{name}.schema.json").is_file()
        or (JSON_DIR / f"{name}.schema.json").read_text(encoding="utf-8") != render(model)
    ]


def main() -> None:
    if "--check" in sys.argv[1:]:
        stale = stale_files()
        if stale:
            raise SystemExit(
                f"stale JSON Schema files in {JSON_DIR}: {', '.join(stale)}; "
                "run `python -m schemas.generate` and commit the result"
            )
        return
    JSON_DIR.mkdir(exist_ok=True)
    for name, model in MODELS.items():
        (JSON_DIR / f"{name}.schema.json").write_text(render(model), encoding="utf-8")


if __name__ == "__main__":
    main()
