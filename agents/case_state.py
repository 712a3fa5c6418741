"""Per-customer state owned by the case agent (the table's value type)."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.closed_case import ClosedCase
from schemas.notification import NotificationCommand
from schemas.payment_event import Contact
from schemas.retry_request import RetryRequest

# Upstream retries arrive close together; remembering the last N event ids per
# customer catches them without an unbounded, separately partitioned table.
RECENT_EVENT_IDS = 64
# Effects of the last few events that produced any. A crash can persist the
# table update but lose the commands still in the producer buffer; when the
# event is replayed it is a duplicate, and its recorded effects are sent again
# (same notification ids, so senders deduplicate).
RECENT_EFFECTS = 4


class RecentEffect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str
    commands: list[NotificationCommand] = Field(default_factory=list)
    closed: ClosedCase | None = None
    retry: RetryRequest | None = None


class OpenCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str
    opened_at: AwareDatetime
    opening_event_id: str
    payment_id: str
    amount: int
    currency: str
    gateway: str
    decline_code: str | None
    network_advice_code: str | None
    decline_category: str
    customer_action: str = "update_payment_method"
    disclose_reason: bool = False
    card_brand: str | None
    card_last4: str | None
    failures: int = 1
    last_failure_at: AwareDatetime
    notices: list[str] = Field(default_factory=list, description="notification ids emitted")


class CustomerState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str
    customer_id: str
    contact: Contact | None = None
    open_case: OpenCase | None = None
    recent_event_ids: list[str] = Field(default_factory=list)
    recent_effects: list[RecentEffect] = Field(default_factory=list)
    retry_attempts: dict[str, list[AwareDatetime]] = Field(
        default_factory=dict,
        description="retry requests per budget key (card and amount), pruned to the window",
    )
    cases_opened: int = 0
    cases_recovered: int = 0
