"""Input adapters: every payload shape accepted on payments.events to one PaymentEvent.

Accepted: our canonical PaymentEvent, CloudEvents 1.0 structured JSON whose
data is any of these, raw Stripe webhook events and Adyen standard
notifications. Pure functions: the ingest agent decodes bytes, calls
`normalize_all`, and dead-letters `AdapterError`/`ValidationError` with the
reason (or counts `IgnoredEvent` as deliberately ignored).
"""

from typing import Any

from schemas.adapters import adyen, cloudevents, stripe
from schemas.adapters._common import holds_pan
from schemas.adapters.errors import AdapterError, IgnoredEvent
from schemas.payment_event import PaymentEvent

__all__ = [
    "AdapterError",
    "IgnoredEvent",
    "detect",
    "normalize",
    "normalize_all",
]


def detect(raw: dict[str, Any]) -> str:
    """Which shape a payload has: canonical, cloudevents, stripe or adyen."""
    if cloudevents.is_cloudevent(raw):
        return "cloudevents"
    if adyen.is_adyen_notification(raw):
        return "adyen"
    if stripe.is_stripe_event(raw):
        return "stripe"
    # Anything else that looks like our own event is validated as one, so the
    # dead letter names the missing or wrong fields instead of "unrecognized".
    if raw.keys() & {"schema_version", "event_id", "tenant_id", "customer_id", "payment_id"}:
        return "canonical"
    raise AdapterError("unrecognized", "not a canonical, CloudEvents, Stripe or Adyen payload")


def normalize_all(raw: Any, *, default_tenant: str | None = None) -> list[PaymentEvent]:
    """Every PaymentEvent in one payload (an Adyen notification may batch several)."""
    if not isinstance(raw, dict):
        raise AdapterError("unrecognized", "payload is not a JSON object")
    if holds_pan(raw):
        raise AdapterError(
            "card_number", "payload carries a card number; send brand and last4 only"
        )
    shape = detect(raw)
    if shape == "cloudevents":
        return normalize_all(cloudevents.unwrap(raw), default_tenant=default_tenant)
    if shape == "adyen":
        return _adyen_batch(raw)
    if shape == "stripe":
        return [stripe.from_stripe(raw, default_tenant=default_tenant)]
    return [PaymentEvent.model_validate(raw)]


def normalize(raw: Any, *, default_tenant: str | None = None) -> PaymentEvent:
    """The one PaymentEvent in a payload.

    Raises AdapterError for an unrecognized shape (or an Adyen batch of more
    than one item: use `normalize_all`), IgnoredEvent for event types we do
    not act on, and pydantic's ValidationError for a recognized shape with
    bad values.
    """
    events = normalize_all(raw, default_tenant=default_tenant)
    if len(events) != 1:
        raise AdapterError("batch", f"payload holds {len(events)} events; use normalize_all")
    return events[0]


def _adyen_batch(raw: dict[str, Any]) -> list[PaymentEvent]:
    # One ignored item (say a CAPTURE) must not drop the AUTHORISATION next to it.
    events: list[PaymentEvent] = []
    ignored: list[IgnoredEvent] = []
    for item in adyen.items(raw):
        try:
            events.append(adyen.from_adyen_item(item))
        except IgnoredEvent as exc:
            ignored.append(exc)
    if not events:
        raise ignored[0]
    return events
