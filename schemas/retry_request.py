"""RetryRequest v1: what we ask the billing system to do on payments.retry_requests.

"Retry this payment, not before this time". The billing system owns the
actual charge; we only say when a retry is allowed by the card networks'
rules and likely to succeed.
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.\-:]+$")]


class RetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    payment_id: _Id
    tenant_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    customer_id: _Id
    not_before: AwareDatetime = Field(description="earliest time the billing system may retry")
    reason: str = Field(
        max_length=200, description="why now: decline category and the rule that set the wait"
    )
    attempt: int = Field(
        ge=1, description="1 for the first retry of this card in the budget window"
    )
    case_id: _Id
