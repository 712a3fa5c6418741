"""Writes the JSON Schema files under schemas/json from the pydantic models.

Run `python -m schemas.generate` after changing a model; a test fails while
the committed files are stale.
"""

import json
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


def main() -> None:
    JSON_DIR.mkdir(exist_ok=True)
    for name, model in MODELS.items():
        (JSON_DIR / f"{name}.schema.json").write_text(render(model), encoding="utf-8")


if __name__ == "__main__":
    main()
