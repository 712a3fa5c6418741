"""Pydantic models of the taxonomy data files, validated once at load.

The tables under `data/` are the single source of truth for what a gateway
code means; these models make a typo in them fail loudly at start-up rather
than misclassify a decline at run time.
"""

from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator


class Category(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED_CARD = "expired_card"
    INCORRECT_CARD_DATA = "incorrect_card_data"
    AUTHENTICATION_REQUIRED = "authentication_required"
    CARD_NOT_SUPPORTED = "card_not_supported"
    LIMIT_EXCEEDED = "limit_exceeded"
    ISSUER_UNAVAILABLE = "issuer_unavailable"
    DO_NOT_HONOR = "do_not_honor"
    TRANSACTION_NOT_ALLOWED = "transaction_not_allowed"
    LOST_OR_STOLEN = "lost_or_stolen"
    FRAUD_SUSPECTED = "fraud_suspected"
    ACCOUNT_CLOSED = "account_closed"
    AUTHORIZATION_REVOKED = "authorization_revoked"
    UNKNOWN = "unknown"


class CustomerAction(StrEnum):
    UPDATE_PAYMENT_METHOD = "update_payment_method"
    AUTHENTICATE = "authenticate"
    CONTACT_BANK = "contact_bank"
    RETRY_LATER = "retry_later"
    NONE = "none"


# Never disclosed, whatever a data file says: card-network and gateway guidance
# (Stripe, Adyen) is to show these as a generic decline.
NEVER_DISCLOSED = frozenset({Category.LOST_OR_STOLEN, Category.FRAUD_SUSPECTED})
NEVER_RETRIED = frozenset(
    {
        Category.LOST_OR_STOLEN,
        Category.FRAUD_SUSPECTED,
        Category.ACCOUNT_CLOSED,
        Category.AUTHORIZATION_REVOKED,
        Category.UNKNOWN,
    }
)

_Strict = ConfigDict(extra="forbid", frozen=True)


class CategorySpec(BaseModel):
    model_config = _Strict

    precedence: int = Field(ge=1, description="lower wins when two readings disagree")
    hard: bool
    retry_allowed: bool
    min_wait_seconds: NonNegativeInt | None
    customer_action: CustomerAction
    disclose_reason: bool
    template_key: str = Field(pattern=r"^[a-z_.]+$")
    description: str


class CategoriesFile(BaseModel):
    model_config = _Strict

    source: str
    categories: dict[Category, CategorySpec]

    @model_validator(mode="after")
    def _complete_and_safe(self) -> Self:
        missing = set(Category) - set(self.categories)
        if missing:
            raise ValueError(f"categories missing: {sorted(missing)}")
        for name, spec in self.categories.items():
            if name in NEVER_DISCLOSED and spec.disclose_reason:
                raise ValueError(f"{name} must never be disclosed")
            if name in NEVER_RETRIED and spec.retry_allowed:
                raise ValueError(f"{name} must never be retried")
            if spec.retry_allowed != (spec.min_wait_seconds is not None):
                raise ValueError(f"{name}: a wait is given exactly when a retry is allowed")
        precedences = [s.precedence for s in self.categories.values()]
        if len(set(precedences)) != len(precedences):
            raise ValueError("category precedences must be distinct")
        return self


class CodeRow(BaseModel):
    """One gateway code. Overrides may only make its category stricter."""

    model_config = _Strict

    category: Category
    # Only `False` is accepted: a row can forbid a retry its category allows,
    # never allow one its category forbids.
    retry_allowed: Literal[False] | None = None
    hard: Literal[True] | None = None
    min_wait_seconds: NonNegativeInt | None = None
    customer_action: CustomerAction | None = None
    iso: str | None = Field(default=None, pattern=r"^[0-9A-Z]{2}$")
    text: str | None = None
    note: str | None = None
    source: str | None = None
    # Gateway-specific descriptive fields, kept for operators reading the file.
    braintree_type: Literal["hard", "soft"] | None = None
    refusal_reason_code: int | None = None
    refusal_reason: str | None = None


class CodeRange(BaseModel):
    model_config = _Strict

    first: str
    last: str
    category: Category
    text: str | None = None
    braintree_type: Literal["hard", "soft"] | None = None


class GatewayFile(BaseModel):
    model_config = _Strict

    gateway: str
    source: str
    match: Literal["exact", "lower", "casefold", "upper"]
    codes: dict[str, CodeRow]
    ranges: list[CodeRange] = Field(default_factory=list)


class AdviceRow(BaseModel):
    """A network or gateway advice: it can only tighten a classification."""

    model_config = _Strict

    retry_allowed: bool
    hard: Literal[True] | None = None
    min_wait_seconds: NonNegativeInt | None = None
    customer_action: CustomerAction | None = None
    text: str | None = None
    note: str | None = None


class AdviceFile(BaseModel):
    model_config = _Strict

    source: str
    codes: dict[str, AdviceRow]


class NeverApprove(BaseModel):
    model_config = _Strict

    source: str
    codes: list[str]


class MastercardFile(AdviceFile):
    never_approve_response_codes: NeverApprove


VisaCategory = Literal["1", "2", "3", "4"]


class VisaFile(BaseModel):
    model_config = _Strict

    source: str
    categories: dict[str, AdviceRow]
    response_codes: dict[str, VisaCategory]
    default_category: VisaCategory

    @model_validator(mode="after")
    def _four_categories(self) -> Self:
        if set(self.categories) != {"1", "2", "3", "4"}:
            raise ValueError("Visa has exactly the decline categories 1-4")
        if self.categories["1"].retry_allowed:
            raise ValueError("Visa category 1 is never retried")
        return self
