"""Every row of every taxonomy data file classifies to its own category."""

import json
from importlib import resources
from typing import Any

import pytest

from agents.taxonomy import GATEWAYS, Category, CustomerAction, classify, load_tables
from agents.taxonomy.models import NEVER_DISCLOSED

DATA = resources.files("agents.taxonomy").joinpath("data")


def _rows() -> list[tuple[str, str, dict[str, Any]]]:
    rows = []
    for gateway in GATEWAYS:
        table = json.loads(DATA.joinpath(f"{gateway}.json").read_text(encoding="utf-8"))
        rows += [(gateway, code, row) for code, row in table["codes"].items()]
    return rows


ROWS = _rows()


def test_tables_load_and_every_file_names_its_source() -> None:
    tables = load_tables()
    assert tables.categories.source
    assert all(t.source for t in tables.gateways.values())
    assert tables.stripe_advice.source and tables.mastercard.source and tables.visa.source


@pytest.mark.parametrize(("gateway", "code", "row"), ROWS, ids=[f"{g}:{c}" for g, c, _ in ROWS])
def test_every_row(gateway: str, code: str, row: dict[str, Any]) -> None:
    result = classify(gateway, code)
    category = Category(row["category"])
    spec = load_tables().spec(category)
    assert result.known
    assert result.category is category
    assert result.template_key == spec.template_key
    assert result.hard is (spec.hard or row.get("hard", False))
    assert result.retry_allowed is (spec.retry_allowed and row.get("retry_allowed", True))
    assert result.disclose_reason is spec.disclose_reason
    if category in NEVER_DISCLOSED:
        assert not result.disclose_reason
    if not result.retry_allowed:
        assert result.min_wait_seconds is None
        assert result.customer_action is not CustomerAction.RETRY_LATER
    else:
        assert result.min_wait_seconds is not None


def test_row_counts() -> None:
    counts = {g: len(load_tables().gateways[g].codes) for g in GATEWAYS}
    # Stripe's published list is 50 codes (plus card_declined and three Radar reasons).
    assert counts["stripe"] >= 50
    assert counts["adyen"] >= 40
    assert counts["braintree"] >= 100
    assert counts["checkout"] >= 150
    assert counts["iso8583"] >= 50


# Hand-written expectations per gateway: (gateway, code, category, retry_allowed, disclose)
KNOWN = [
    ("stripe", "insufficient_funds", "insufficient_funds", True, True),
    ("stripe", "expired_card", "expired_card", False, True),
    ("stripe", "incorrect_cvc", "incorrect_card_data", False, True),
    ("stripe", "authentication_required", "authentication_required", False, True),
    ("stripe", "lost_card", "lost_or_stolen", False, False),
    ("stripe", "stolen_card", "lost_or_stolen", False, False),
    ("stripe", "pickup_card", "lost_or_stolen", False, False),
    ("stripe", "fraudulent", "fraud_suspected", False, False),
    ("stripe", "merchant_blacklist", "fraud_suspected", False, False),
    ("stripe", "do_not_honor", "do_not_honor", True, True),
    ("stripe", "do_not_try_again", "do_not_honor", False, True),
    ("stripe", "issuer_not_available", "issuer_unavailable", True, True),
    ("stripe", "card_velocity_exceeded", "limit_exceeded", True, True),
    ("stripe", "revocation_of_all_authorizations", "authorization_revoked", False, True),
    ("stripe", "INSUFFICIENT_FUNDS", "insufficient_funds", True, True),
    ("adyen", "Not enough balance", "insufficient_funds", True, True),
    ("adyen", "not ENOUGH balance", "insufficient_funds", True, True),
    ("adyen", "12", "insufficient_funds", True, True),
    ("adyen", "Expired Card", "expired_card", False, True),
    ("adyen", "FRAUD", "fraud_suspected", False, False),
    ("adyen", "Issuer Suspected Fraud", "fraud_suspected", False, False),
    ("adyen", "Blocked Card", "lost_or_stolen", False, False),
    ("adyen", "3D Not Authenticated", "authentication_required", False, True),
    (
        "adyen",
        "Transaction blocked by Adyen to prevent excessive retry fees",
        "do_not_honor",
        False,
        True,
    ),
    ("braintree", "2000", "do_not_honor", True, True),
    ("braintree", "2001", "insufficient_funds", True, True),
    ("braintree", "2004", "expired_card", False, True),
    ("braintree", "2012", "lost_or_stolen", False, False),
    ("braintree", "2014", "fraud_suspected", False, False),
    ("braintree", "2044", "do_not_honor", False, True),
    ("braintree", "2099", "authentication_required", False, True),
    ("braintree", "2500", "do_not_honor", True, True),
    ("braintree", "3000", "issuer_unavailable", True, True),
    ("checkout", "20005", "do_not_honor", True, True),
    ("checkout", "20051", "insufficient_funds", True, True),
    ("checkout", "20054", "expired_card", False, True),
    ("checkout", "20004", "lost_or_stolen", False, False),
    ("checkout", "30043", "lost_or_stolen", False, False),
    ("checkout", "30033", "lost_or_stolen", False, False),
    ("checkout", "200n7", "incorrect_card_data", False, True),
    ("checkout", "41301", "fraud_suspected", False, False),
    ("iso8583", "05", "do_not_honor", True, True),
    ("iso8583", "51", "insufficient_funds", True, True),
    ("iso8583", "54", "expired_card", False, True),
    ("iso8583", "41", "lost_or_stolen", False, False),
    ("iso8583", "43", "lost_or_stolen", False, False),
    ("iso8583", "07", "fraud_suspected", False, False),
    ("iso8583", "46", "account_closed", False, True),
    ("iso8583", "r1", "authorization_revoked", False, True),
    ("iso8583", "91", "issuer_unavailable", True, True),
]


@pytest.mark.parametrize(("gateway", "code", "category", "retry", "disclose"), KNOWN)
def test_known_codes(gateway: str, code: str, category: str, retry: bool, disclose: bool) -> None:
    result = classify(gateway, code)
    assert (result.category.value, result.retry_allowed, result.disclose_reason) == (
        category,
        retry,
        disclose,
    )
    assert result.known


@pytest.mark.parametrize(
    ("gateway", "code"),
    [
        ("stripe", "made_up_code"),
        ("adyen", "Something New"),
        ("braintree", "1000"),
        ("braintree", "9999"),
        ("checkout", "10000"),
        ("iso8583", "ZZ"),
        ("paypal", "x"),
        ("stripe", None),
        ("stripe", ""),
    ],
)
def test_unknown_codes_are_conservative(gateway: str, code: str | None) -> None:
    result = classify(gateway, code)
    assert not result.known
    assert result.category is Category.UNKNOWN
    assert not result.retry_allowed
    assert not result.disclose_reason
    assert result.template_key == "decline.generic"
