"""ClosedCase: one record per closed decline case, for recovery reports."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Resolution(StrEnum):
    RECOVERED = "recovered"
    CARD_UPDATED = "card_updated"


class ClosedCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    case_id: str
    tenant_id: str
    customer_id: str
    resolution: Resolution
    opened_at: AwareDatetime
    closed_at: AwareDatetime
    gateway: str
    decline_code: str | None
    decline_category: str
    amount: int
    currency: str
    recovered_amount: int
    failures: int
    notices: list[str]
    locale: str
