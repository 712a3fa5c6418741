"""NotificationCommand: what the case agent asks a channel sender to deliver."""

import hashlib
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    IN_APP = "in_app"
    CHAT = "chat"


def notification_id(case_id: str, step: str, channel: Channel) -> str:
    """Deterministic id of one (case, step, channel) message.

    Replays after a crash or rebalance produce the same id, so every
    downstream step (sender, SMTP Message-ID, inbox) can deduplicate.
    """
    digest = hashlib.sha256(f"{case_id}|{step}|{channel.value}".encode()).hexdigest()
    return f"ntf_{digest[:32]}"


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    locale: str = "en"
    timezone: str | None = None


class NotificationCommand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    notification_id: str
    case_id: str
    tenant_id: str
    customer_id: str
    channel: Channel
    template: str = Field(description="first_notice, reminder, final_notice, payment_received, ...")
    step: str
    recipient: Recipient
    payment_id: str
    amount: int = Field(description="integer minor units")
    currency: str
    card_brand: str | None = None
    card_last4: str | None = None
    gateway: str
    decline_code: str | None = None
    decline_category: str = "unknown"
    customer_action: str = "update_payment_method"
    disclose_reason: bool = False
    decline_at: AwareDatetime = Field(description="when the decline that opened the case happened")
    created_at: AwareDatetime

    @property
    def customer_key(self) -> str:
        return f"{self.tenant_id}:{self.customer_id}"
