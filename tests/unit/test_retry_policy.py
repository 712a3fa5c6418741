"""Retry planning: local mornings across time zones and DST, waits, budgets."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agents.retry_policy import (
    budget_key,
    budget_remaining,
    card_identity,
    plan_retry,
    prune_attempts,
)
from agents.taxonomy import classify
from schemas.payment_event import PaymentMethod
from schemas.retry_request import RetryRequest

FUNDS = classify("stripe", "insufficient_funds")  # retry after at least 24 h
ISSUER = classify("iso8583", "91")  # retry after at least 1 h


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_next_local_morning_after_the_wait_madrid() -> None:
    # 2026-12-01 10:15 UTC + 24 h = 12-02 11:15 Madrid (UTC+1): next 09:00 is 12-03.
    plan = plan_retry(
        FUNDS,
        failed_at=_utc(2026, 12, 1, 10, 15),
        customer_timezone="Europe/Madrid",
        attempts_in_window=[],
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 12, 3, 8, 0)
    assert plan.not_before.astimezone(ZoneInfo("Europe/Madrid")).hour == 9
    assert plan.attempt == 1


def test_same_day_morning_when_the_wait_ends_before_nine() -> None:
    # 22:00 UTC = 07:00 Tokyo next day, + 1 h = 08:00: 09:00 the same local day.
    plan = plan_retry(
        ISSUER,
        failed_at=_utc(2026, 6, 1, 22, 0),
        customer_timezone="Asia/Tokyo",
        attempts_in_window=[],
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 6, 2, 0, 0)


def test_exactly_nine_is_allowed() -> None:
    plan = plan_retry(
        ISSUER, failed_at=_utc(2026, 6, 1, 8, 0), customer_timezone=None, attempts_in_window=[]
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 6, 1, 9, 0)


def test_utc_when_no_or_bad_zone() -> None:
    for zone in (None, "Not/AZone"):
        plan = plan_retry(
            FUNDS, failed_at=_utc(2026, 3, 1, 12, 0), customer_timezone=zone, attempts_in_window=[]
        )
        assert plan is not None
        assert plan.not_before == _utc(2026, 3, 3, 9, 0)
        assert plan.timezone == "UTC"


def test_dst_spring_forward_new_york() -> None:
    # 2026-03-08 is the US spring-forward day; 09:00 EDT is 13:00 UTC (EST would be 14:00).
    plan = plan_retry(
        FUNDS,
        failed_at=_utc(2026, 3, 7, 6, 0),
        customer_timezone="America/New_York",
        attempts_in_window=[],
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 3, 8, 13, 0)


def test_dst_fall_back_london() -> None:
    plan = plan_retry(
        FUNDS,
        failed_at=_utc(2026, 10, 24, 5, 0),
        customer_timezone="Europe/London",
        attempts_in_window=[],
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 10, 25, 9, 0)  # GMT again after the change


def test_half_hour_zone_and_custom_morning_hour() -> None:
    plan = plan_retry(
        ISSUER,
        failed_at=_utc(2026, 1, 10, 0, 0),
        customer_timezone="Asia/Kolkata",
        attempts_in_window=[],
        morning_hour=10,
    )
    assert plan is not None
    assert plan.not_before == _utc(2026, 1, 10, 4, 30)


def test_mac_wait_is_respected() -> None:
    ten_days = classify("iso8583", "51", "30", "mastercard")
    failed = _utc(2026, 5, 1, 12, 0)
    plan = plan_retry(ten_days, failed_at=failed, customer_timezone="UTC", attempts_in_window=[])
    assert plan is not None
    assert plan.not_before >= failed + timedelta(days=10)
    assert plan.not_before == _utc(2026, 5, 12, 9, 0)


def test_forbidden_retry_gives_none() -> None:
    for c in (
        classify("stripe", "lost_card"),
        classify("stripe", "made_up"),
        classify("stripe", "insufficient_funds", "do_not_try_again"),
    ):
        assert (
            plan_retry(c, failed_at=_utc(2026, 1, 1), customer_timezone=None, attempts_in_window=[])
            is None
        )


def test_budget_exhausted_and_pruned() -> None:
    failed = _utc(2026, 5, 31, 12, 0)
    recent = [failed - timedelta(days=d) for d in range(15)]
    assert (
        plan_retry(FUNDS, failed_at=failed, customer_timezone=None, attempts_in_window=recent)
        is None
    )
    # Attempts older than the window (counted back from the retry time) do not count.
    old = [failed - timedelta(days=40 + d) for d in range(20)]
    plan = plan_retry(
        FUNDS, failed_at=failed, customer_timezone=None, attempts_in_window=old + recent[:14]
    )
    assert plan is not None
    assert plan.attempt == 15
    assert (
        plan_retry(
            FUNDS, failed_at=failed, customer_timezone=None, attempts_in_window=recent[:3], budget=3
        )
        is None
    )


def test_prune_and_remaining() -> None:
    now = _utc(2026, 5, 31)
    attempts = [now - timedelta(days=31), now - timedelta(days=29), now - timedelta(days=1)]
    assert prune_attempts(attempts, now=now) == sorted(attempts[1:])
    assert budget_remaining(attempts, now=now, budget=15) == 13
    assert budget_remaining(attempts * 10, now=now, budget=15) == 0


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_retry(
            FUNDS,
            failed_at=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
            customer_timezone=None,
            attempts_in_window=[],
        )


def test_budget_key_is_stable_and_opaque() -> None:
    card = card_identity(PaymentMethod(brand="Visa", last4="4242", exp_month=12, exp_year=2030))
    key = budget_key("acme", card, 1999)
    assert key == budget_key("acme", card, 1999)
    assert key != budget_key("acme", card, 2000)
    assert key != budget_key("other", card, 1999)
    assert "4242" not in key and key.startswith("rb_")
    fp = card_identity(PaymentMethod(brand="visa", last4="4242", fingerprint="Xt5E"))
    assert fp == "fp:Xt5E"


def test_plan_to_retry_request() -> None:
    plan = plan_retry(
        FUNDS,
        failed_at=_utc(2026, 12, 1, 10),
        customer_timezone="Europe/Madrid",
        attempts_in_window=[],
    )
    assert plan is not None
    request = plan.to_request(
        payment_id="pay_9", tenant_id="acme", customer_id="cus_42", case_id="case_1"
    )
    again = RetryRequest.model_validate_json(request.model_dump_json())
    assert again == request
    assert again.not_before == plan.not_before
    assert "insufficient_funds" in again.reason
