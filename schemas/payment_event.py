"""PaymentEvent v1: the canonical payment outcome upstream systems publish.

Money is integer minor units plus an ISO 4217 code; timestamps must carry a
zone. Unknown fields are rejected, so a payload with a card number or CVV
field never validates, and any string that holds a card number is refused too.
"""

from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
    model_validator,
)

from schemas.pan import contains_pan

_CURRENCIES = frozenset(list_currencies())

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")]


class PaymentEventType(StrEnum):
    FAILED = "payment.failed"
    SUCCEEDED = "payment.succeeded"
    METHOD_UPDATED = "payment_method.updated"


class PaymentMethod(BaseModel):
    """What we may know of a card: never the number or the CVV."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brand: str = Field(min_length=1, max_length=32, description="visa, mastercard, amex, ...")
    last4: str = Field(pattern=r"^[0-9]{4}$")
    exp_month: int | None = Field(default=None, ge=1, le=12)
    exp_year: int | None = Field(default=None, ge=2000, le=2100)
    fingerprint: str | None = Field(
        default=None, max_length=64, description="Gateway's opaque card fingerprint"
    )


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$"
    )
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164")
    locale: str | None = Field(
        default=None, pattern=r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$", description="BCP 47"
    )
    timezone: str | None = Field(default=None, description="IANA zone, e.g. Europe/Madrid")
    name: str | None = Field(default=None, max_length=200)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


class PaymentEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    event_id: Identifier
    occurred_at: AwareDatetime
    tenant_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    customer_id: Identifier
    payment_id: Identifier
    type: PaymentEventType
    amount: Annotated[StrictInt, Field(ge=0, description="integer minor units")]
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    gateway: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_\-]+$")
    decline_code: str | None = Field(
        default=None, max_length=64, description="the gateway's own decline code, as it sent it"
    )
    advice_code: str | None = Field(
        default=None,
        max_length=32,
        description="the gateway's retry advice, e.g. Stripe try_again_later / do_not_try_again",
    )
    network_decline_code: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Za-z]{2,4}$",
        description="the issuer's raw ISO 8583 response code (field 39), e.g. 51",
    )
    network_advice_code: str | None = Field(
        default=None,
        max_length=8,
        description="Mastercard merchant advice code (e.g. 03, 24) or Visa decline category",
    )
    payment_method: PaymentMethod | None = None
    contact: Contact | None = None

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if value not in _CURRENCIES:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value

    @model_validator(mode="before")
    @classmethod
    def _no_card_numbers(cls, data: Any) -> Any:
        if _holds_pan(data):
            raise ValueError("event carries a card number; send brand and last4 only")
        return data

    @property
    def customer_key(self) -> str:
        """Partition key of everything about one customer: tenant:customer."""
        return customer_key(self.tenant_id, self.customer_id)


def customer_key(tenant_id: str, customer_id: str) -> str:
    return f"{tenant_id}:{customer_id}"


def _holds_pan(data: Any) -> bool:
    if isinstance(data, str):
        return contains_pan(data)
    if isinstance(data, dict):
        return any(_holds_pan(v) for v in data.values())
    if isinstance(data, list | tuple):
        return any(_holds_pan(v) for v in data)
    if isinstance(data, int) and not isinstance(data, bool) and data >= 10**12:
        return contains_pan(str(data))
    return False
