"""DeliveryOutcome: every delivery attempt a sender makes, reported back."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from schemas.notification import Channel


class DeliveryStatus(StrEnum):
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class DeliveryOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    notification_id: str
    case_id: str
    tenant_id: str
    customer_id: str
    channel: Channel
    template: str
    status: DeliveryStatus
    attempt: int
    retriable: bool = False
    error: str | None = None
    provider_message_id: str | None = None
    decline_at: AwareDatetime
    at: AwareDatetime
