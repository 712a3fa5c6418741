"""Wire schemas: one pydantic v2 model per event that crosses a topic."""

from schemas.dead_letter import DeadLetter
from schemas.notification import Channel, NotificationCommand, Recipient, notification_id
from schemas.outcome import DeliveryOutcome, DeliveryStatus
from schemas.payment_event import Contact, PaymentEvent, PaymentEventType, PaymentMethod

__all__ = [
    "Channel",
    "Contact",
    "DeadLetter",
    "DeliveryOutcome",
    "DeliveryStatus",
    "NotificationCommand",
    "PaymentEvent",
    "PaymentEventType",
    "PaymentMethod",
    "Recipient",
    "notification_id",
]
