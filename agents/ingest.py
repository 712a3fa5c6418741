"""Edge decoding of upstream bytes into PaymentEvents, or a reason they are invalid.

Faust would commit and merely log a message it cannot decode; we take raw
bytes and decide here, so every bad input reaches payments.invalid. Payload
shapes (canonical, CloudEvents, Stripe, Adyen) are told apart by
schemas.adapters.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from schemas.adapters import AdapterError, IgnoredEvent, normalize_all
from schemas.dead_letter import DeadLetter
from schemas.pan import redact_bytes, redact_text
from schemas.payment_event import PaymentEvent


@dataclass(frozen=True)
class Rejection:
    reason: str
    detail: str


@dataclass(frozen=True)
class Ignored:
    """Well-formed input we deliberately do not act on (counted, not dead-lettered)."""

    reason: str


def decode_events(
    raw: bytes | None, max_bytes: int, default_tenant: str | None = None
) -> list[PaymentEvent] | Rejection | Ignored:
    if not raw:
        return Rejection("empty", "message has no value")
    if len(raw) > max_bytes:
        return Rejection("too_large", f"{len(raw)} bytes exceeds the {max_bytes}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Rejection(
            "not_json", f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    if not isinstance(data, dict):
        return Rejection("not_object", f"expected a JSON object, got {type(data).__name__}")
    try:
        events = normalize_all(data, default_tenant=default_tenant)
    except IgnoredEvent as exc:
        return Ignored(exc.reason)
    except ValidationError as exc:
        return Rejection("schema", _summarize(exc))
    except AdapterError as exc:
        return Rejection(exc.reason, redact_text(str(exc)))
    return events if events else Ignored("no_events")


def _summarize(exc: ValidationError) -> str:
    """Field paths and messages only: pydantic's `input` may hold customer data."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:10]:
        where = ".".join(str(p) for p in err["loc"]) or "event"
        parts.append(f"{where}: {err['msg']}")
    return redact_text("; ".join(parts))


def dead_letter(
    raw: bytes | None,
    rejection: Rejection,
    *,
    topic: str,
    partition: int,
    offset: int,
    now: datetime,
) -> DeadLetter:
    original = redact_bytes(raw or b"")
    return DeadLetter(
        reason=rejection.reason,
        detail=rejection.detail,
        source_topic=topic,
        source_partition=partition,
        source_offset=offset,
        original_base64=base64.b64encode(original).decode("ascii"),
        original_size=len(raw or b""),
        failed_at=now,
    )
