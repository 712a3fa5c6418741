"""Network and advice rules: they only ever make a classification stricter."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.retry_policy import plan_retry
from agents.taxonomy import GATEWAYS, Category, classify, load_tables
from agents.taxonomy.codes import compose_code


@pytest.mark.parametrize("mac", ["03", "21", "03: Do not try again", "21 "])
def test_mastercard_never_retry_macs(mac: str) -> None:
    result = classify("stripe", "insufficient_funds", mac, "mastercard")
    assert not result.retry_allowed
    assert result.hard


@pytest.mark.parametrize(
    ("mac", "wait"),
    [
        ("24", 3600),
        ("25", 86400),
        ("26", 2 * 86400),
        ("27", 4 * 86400),
        ("28", 6 * 86400),
        ("29", 8 * 86400),
        ("30", 10 * 86400),
    ],
)
def test_mastercard_retry_after_macs(mac: str, wait: int) -> None:
    # issuer_unavailable waits one hour by itself: the MAC's longer wait wins.
    result = classify("iso8583", "91", mac, "mastercard")
    assert result.retry_allowed
    assert result.min_wait_seconds == max(wait, 3600)


def test_mac_cannot_make_a_hard_decline_retryable() -> None:
    assert not classify("stripe", "lost_card", "24", "mastercard").retry_allowed


@pytest.mark.parametrize("code", ["04", "07", "12", "15", "41", "43", "46", "57", "R0", "R1", "R3"])
def test_visa_category_1_never_retries(code: str) -> None:
    result = classify("iso8583", code, None, "visa")
    assert not result.retry_allowed
    assert "Visa decline category 1" in result.reasons


def test_visa_category_from_checkout_embedded_iso() -> None:
    assert not classify("checkout", "20057", None, "visa").retry_allowed
    assert classify("checkout", "20051", None, "visa").retry_allowed


def test_visa_category_as_advice_code() -> None:
    assert not classify("stripe", "insufficient_funds", "1", "visa").retry_allowed
    assert classify("stripe", "insufficient_funds", "2", "visa").retry_allowed
    assert classify("stripe", "insufficient_funds", "4", "visa").retry_allowed


def test_mastercard_never_approve_response_codes() -> None:
    assert not classify("iso8583", "57", None, "mastercard").retry_allowed
    assert not classify("braintree", "2057", None, "mastercard").retry_allowed


@pytest.mark.parametrize(
    ("advice", "retry"),
    [("do_not_try_again", False), ("confirm_card_data", False), ("try_again_later", True)],
)
def test_stripe_advice_codes(advice: str, retry: bool) -> None:
    result = classify("stripe", "insufficient_funds", advice)
    assert result.retry_allowed is retry
    assert classify("stripe", f"insufficient_funds|advice:{advice}").retry_allowed is retry


def test_composed_code_takes_the_stricter_reading() -> None:
    result = classify("adyen", "Refused|iso:41")
    assert result.category is Category.LOST_OR_STOLEN
    assert not result.disclose_reason
    assert not result.retry_allowed


def test_unknown_gateway_code_falls_back_to_network_code() -> None:
    result = classify("adyen", "Brand New Reason|iso:51")
    assert result.category is Category.INSUFFICIENT_FUNDS


def test_unrecognised_advice_is_noted_not_applied() -> None:
    result = classify("stripe", "insufficient_funds", "weird")
    assert result.retry_allowed
    assert any("not recognised" in r for r in result.reasons)


NEVER_CODES = [
    ("stripe", "lost_card"),
    ("stripe", "stolen_card"),
    ("stripe", "fraudulent"),
    ("stripe", "pickup_card"),
    ("adyen", "FRAUD"),
    ("adyen", "Acquirer Fraud"),
    ("braintree", "2012"),
    ("braintree", "2013"),
    ("braintree", "2014"),
    ("braintree", "2047"),
    ("checkout", "30041"),
    ("checkout", "30043"),
    ("checkout", "20059"),
    ("iso8583", "04"),
    ("iso8583", "07"),
    ("iso8583", "41"),
    ("iso8583", "43"),
    ("iso8583", "59"),
]
VISA_CAT1 = [c for c, cat in load_tables().visa.response_codes.items() if cat == "1"]
ANY_CODE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from([c for g in GATEWAYS for c in load_tables().gateways[g].codes]),
)
ANY_ADVICE = st.one_of(
    st.none(), st.text(max_size=6), st.sampled_from(["try_again_later", "24", "30", "02", "2", "4"])
)
NETWORK = st.sampled_from([None, "visa", "mastercard", "amex"])
GATEWAY = st.sampled_from([*GATEWAYS, "other"])


def _never_cases() -> st.SearchStrategy[tuple[str, str | None, str | None, str | None]]:
    """Inputs that must never produce a retry, with arbitrary noise around them."""
    by_code = st.builds(
        lambda gc, advice, net: (gc[0], gc[1], advice, net),
        st.sampled_from(NEVER_CODES),
        ANY_ADVICE,
        NETWORK,
    )
    visa_cat1 = st.builds(
        lambda iso, advice: ("iso8583", iso, advice, "visa"), st.sampled_from(VISA_CAT1), ANY_ADVICE
    )
    visa_cat1_embedded = st.builds(
        lambda g, code, iso, advice: (g, compose_code(code, iso=iso), advice, "visa"),
        GATEWAY,
        ANY_CODE,
        st.sampled_from(VISA_CAT1),
        ANY_ADVICE,
    )
    mac = st.builds(
        lambda g, code, mac, net: (g, code, mac, net),
        GATEWAY,
        ANY_CODE,
        st.sampled_from(["03", "21"]),
        NETWORK,
    )
    stripe_advice = st.builds(
        lambda g, code, net, inline: (
            (g, compose_code(code, advice="do_not_try_again"), None, net)
            if inline
            else (g, code, "do_not_try_again", net)
        ),
        GATEWAY,
        ANY_CODE,
        NETWORK,
        st.booleans(),
    )
    return st.one_of(by_code, visa_cat1, visa_cat1_embedded, mac, stripe_advice)


@settings(max_examples=400, deadline=None)
@given(
    case=_never_cases(),
    # hypothesis takes naive bounds and attaches the zone itself.
    failed_at=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from([None, "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Bad/Zone"]),
    attempts=st.lists(st.datetimes(timezones=st.just(UTC)), max_size=3),
)
def test_never_retry_declines_never_get_a_plan(
    case: tuple[str, str | None, str | None, str | None],
    failed_at: datetime,
    zone: str | None,
    attempts: list[datetime],
) -> None:
    gateway, code, advice, network = case
    result = classify(gateway, code, advice, network)
    assert not result.retry_allowed
    assert (
        plan_retry(result, failed_at=failed_at, customer_timezone=zone, attempts_in_window=attempts)
        is None
    )


@settings(max_examples=300, deadline=None)
@given(gateway=GATEWAY, code=ANY_CODE, advice=ANY_ADVICE, network=NETWORK)
def test_advice_and_network_only_tighten(
    gateway: str, code: str | None, advice: str | None, network: str | None
) -> None:
    plain = classify(gateway, code)
    tightened = classify(gateway, code, advice, network)
    assert tightened.category is plain.category
    assert tightened.retry_allowed <= plain.retry_allowed
    assert tightened.hard >= plain.hard
    if tightened.retry_allowed:
        assert (tightened.min_wait_seconds or 0) >= (plain.min_wait_seconds or 0)
    assert tightened.disclose_reason <= plain.disclose_reason
