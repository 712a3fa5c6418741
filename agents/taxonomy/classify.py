"""Classify a gateway decline into the canonical taxonomy: pure, no I/O after load.

Each reading of a decline (the gateway code, the raw ISO 8583 code behind it,
a gateway advice code, a Mastercard Merchant Advice Code, a Visa decline
category) can only make the result stricter: retry is allowed only if every
reading allows it, the wait is the longest any reading names, and the
category is the most specific / severe one. Sources that disagree therefore
resolve to the stricter reading without per-code logic.
"""

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeVar

from pydantic import BaseModel

from agents.taxonomy.codes import split_code
from agents.taxonomy.models import (
    AdviceFile,
    AdviceRow,
    CategoriesFile,
    Category,
    CategorySpec,
    CodeRow,
    CustomerAction,
    GatewayFile,
    MastercardFile,
    VisaFile,
)

GATEWAYS = ("stripe", "adyen", "braintree", "checkout", "iso8583")
Network = Literal["visa", "mastercard"]
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Classification:
    category: Category
    hard: bool
    retry_allowed: bool
    min_wait_seconds: int | None
    customer_action: CustomerAction
    disclose_reason: bool
    template_key: str
    known: bool
    source: str
    gateway: str = ""
    code: str | None = None
    # Every rule that shaped the result, for logs and the CLI ("why no retry?").
    reasons: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category.value,
            "hard": self.hard,
            "retry_allowed": self.retry_allowed,
            "min_wait_seconds": self.min_wait_seconds,
            "customer_action": self.customer_action.value,
            "disclose_reason": self.disclose_reason,
            "template_key": self.template_key,
            "known": self.known,
            "source": self.source,
            "gateway": self.gateway,
            "code": self.code,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Tables:
    categories: CategoriesFile
    gateways: dict[str, GatewayFile]
    stripe_advice: AdviceFile
    mastercard: MastercardFile
    visa: VisaFile

    def spec(self, category: Category) -> CategorySpec:
        return self.categories.categories[category]


def _load(name: str, model: type[_M]) -> _M:
    text = resources.files("agents.taxonomy").joinpath("data", name).read_text(encoding="utf-8")
    return model.model_validate(json.loads(text))


@lru_cache(maxsize=1)
def load_tables() -> Tables:
    """Read and validate every data file once per process."""
    categories = _load("categories.json", CategoriesFile)
    gateways = {g: _load(f"{g}.json", GatewayFile) for g in GATEWAYS}
    for name, table in gateways.items():
        if table.gateway != name:
            raise ValueError(f"{name}.json declares gateway {table.gateway!r}")
        normalized = [_normalize(table, c) for c in table.codes]
        if len(set(normalized)) != len(normalized):
            raise ValueError(f"{name}.json has codes that collide after normalization")
    return Tables(
        categories=categories,
        gateways=gateways,
        stripe_advice=_load("stripe_advice.json", AdviceFile),
        mastercard=_load("mastercard_mac.json", MastercardFile),
        visa=_load("visa_categories.json", VisaFile),
    )


def _normalize(table: GatewayFile, code: str) -> str:
    code = " ".join(code.split())
    match table.match:
        case "lower":
            return code.lower()
        case "casefold":
            return code.casefold()
        case "upper":
            return code.upper()
        case _:
            return code


@lru_cache(maxsize=8)
def _index(gateway: str) -> dict[str, CodeRow]:
    table = load_tables().gateways[gateway]
    index = {_normalize(table, k): v for k, v in table.codes.items()}
    # Adyen reports both a text reason and its number; accept either.
    for row in table.codes.values():
        if row.refusal_reason_code is not None:
            index.setdefault(str(row.refusal_reason_code), row)
    return index


def lookup(gateway: str, code: str) -> CodeRow | None:
    """The data row for one gateway code, or None when we do not know it."""
    tables = load_tables()
    table = tables.gateways.get(gateway)
    if table is None:
        return None
    key = _normalize(table, code)
    row = _index(gateway).get(key)
    if row is not None:
        return row
    for rng in table.ranges:
        # Range bounds are same-length digit strings, so string order is numeric order.
        if len(key) == len(rng.first) and key.isdigit() and rng.first <= key <= rng.last:
            return CodeRow(category=rng.category, text=rng.text, braintree_type=rng.braintree_type)
    return None


def _base(
    tables: Tables, category: Category, source: str, gateway: str, code: str | None
) -> Classification:
    spec = tables.spec(category)
    return Classification(
        category=category,
        hard=spec.hard,
        retry_allowed=spec.retry_allowed,
        min_wait_seconds=spec.min_wait_seconds,
        customer_action=spec.customer_action,
        disclose_reason=spec.disclose_reason,
        template_key=spec.template_key,
        known=True,
        source=source,
        gateway=gateway,
        code=code,
    )


def _apply_row(c: Classification, row: CodeRow) -> Classification:
    return _tighten(
        c,
        retry_allowed=row.retry_allowed,
        hard=row.hard,
        min_wait_seconds=row.min_wait_seconds,
        customer_action=row.customer_action,
        reason=None,
    )


def _tighten(
    c: Classification,
    *,
    retry_allowed: bool | None,
    hard: bool | None,
    min_wait_seconds: int | None,
    customer_action: CustomerAction | None,
    reason: str | None,
) -> Classification:
    allowed = c.retry_allowed and (retry_allowed is not False)
    waits = [w for w in (c.min_wait_seconds, min_wait_seconds) if w is not None]
    action = customer_action or c.customer_action
    if not allowed and action is CustomerAction.RETRY_LATER:
        # Nobody will retry, so "we will try again" would be a false promise.
        action = CustomerAction.UPDATE_PAYMENT_METHOD
    return replace(
        c,
        retry_allowed=allowed,
        hard=c.hard or bool(hard),
        min_wait_seconds=max(waits) if allowed and waits else None,
        customer_action=action,
        reasons=(*c.reasons, reason) if reason else c.reasons,
    )


def _advise(c: Classification, advice: AdviceRow, reason: str) -> Classification:
    return _tighten(
        c,
        retry_allowed=advice.retry_allowed,
        hard=advice.hard,
        min_wait_seconds=advice.min_wait_seconds,
        customer_action=advice.customer_action,
        reason=reason,
    )


def _merge_category(tables: Tables, c: Classification, other: Category, why: str) -> Classification:
    """Fold a second reading of the same decline: stricter category and flags win."""
    spec = tables.spec(other)
    better = spec.precedence < tables.spec(c.category).precedence
    merged = _tighten(
        c,
        retry_allowed=spec.retry_allowed,
        hard=spec.hard,
        min_wait_seconds=spec.min_wait_seconds,
        customer_action=spec.customer_action if better else None,
        reason=why,
    )
    if better:
        merged = replace(merged, category=other, template_key=spec.template_key)
    return replace(merged, disclose_reason=merged.disclose_reason and spec.disclose_reason)


def _unknown(tables: Tables, gateway: str, code: str | None, why: str) -> Classification:
    c = _base(tables, Category.UNKNOWN, "default for unknown codes", gateway, code)
    return replace(c, known=False, reasons=(why,))


def classify(
    gateway: str,
    code: str | None,
    advice_code: str | None = None,
    network: str | None = None,
) -> Classification:
    """Map one decline to the canonical taxonomy.

    `code` may be a composed code (`generic_decline|iso:05|advice:do_not_try_again`,
    see agents.taxonomy.codes). `advice_code` is a Stripe advice code, a
    Mastercard Merchant Advice Code or a Visa decline category ("1".."4").
    `network` ("visa", "mastercard") turns on the network's own response-code
    rules. Unknown gateways and codes give the conservative `unknown` category.
    """
    tables = load_tables()
    gw = gateway.strip().lower()
    net = (network or "").strip().lower() or None
    parts = split_code(code)

    row = lookup(gw, parts.code) if parts.code else None
    iso = parts.iso or (row.iso if row else None)
    if gw == "iso8583" and parts.code:
        iso = parts.code.upper()
    iso_row = lookup("iso8583", iso) if iso else None

    if row is not None:
        table = tables.gateways[gw]
        c = _apply_row(_base(tables, row.category, row.source or table.source, gw, code), row)
        # A raw network code sent alongside is a second reading of the decline;
        # a row's own `iso` is only its equivalent for the network rules below.
        if iso_row is not None and parts.iso and gw != "iso8583":
            c = _merge_category(tables, c, iso_row.category, f"raw network code {iso}")
            c = _apply_row(c, iso_row)
    elif iso_row is not None:
        # The gateway code is unknown but the issuer's own answer is not.
        source = tables.gateways["iso8583"].source
        c = _apply_row(_base(tables, iso_row.category, source, gw, code), iso_row)
        c = replace(c, reasons=(f"gateway code unknown, classified by network code {iso}",))
    elif gw not in GATEWAYS:
        c = _unknown(tables, gw, code, f"unknown gateway {gw!r}")
    elif parts.code is None:
        c = _unknown(tables, gw, code, "no decline code")
    else:
        c = _unknown(tables, gw, code, f"unknown {gw} code")

    for advice in (parts.advice, advice_code):
        if advice:
            c = _apply_advice(tables, c, advice.strip())

    if net == "visa" and iso:
        visa_cat = tables.visa.response_codes.get(iso, tables.visa.default_category)
        c = _advise(c, tables.visa.categories[visa_cat], f"Visa decline category {visa_cat}")
    if net == "mastercard" and iso in tables.mastercard.never_approve_response_codes.codes:
        c = _tighten(
            c,
            retry_allowed=False,
            hard=True,
            min_wait_seconds=None,
            customer_action=None,
            reason=f"Mastercard never-approve response {iso}",
        )
    return c


def _apply_advice(tables: Tables, c: Classification, advice: str) -> Classification:
    # Every advice table is consulted whatever `network` says: a MAC 03 is a
    # "do not try again" even if the caller got the network field wrong.
    found = False
    stripe_row = tables.stripe_advice.codes.get(advice.lower())
    if stripe_row is not None:
        c = _advise(c, stripe_row, f"Stripe advice {advice.lower()}")
        found = True
    # MACs are exactly two digits, sometimes followed by their text ("03: Do not try again").
    mac = advice.split(":")[0].strip()
    mac_row = tables.mastercard.codes.get(mac) if len(mac) == 2 and mac.isdigit() else None
    if mac_row is not None:
        c = _advise(c, mac_row, f"Mastercard MAC {mac}")
        found = True
    visa_row = tables.visa.categories.get(advice)
    if visa_row is not None:
        c = _advise(c, visa_row, f"Visa decline category {advice}")
        found = True
    if not found:
        c = replace(c, reasons=(*c.reasons, f"advice code {advice!r} not recognised"))
    return c
