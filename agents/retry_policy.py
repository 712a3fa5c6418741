"""Retry planning within the card networks' rules: pure functions, no I/O.

A retry is planned only when the decline's classification allows one, at
the customer's local morning after the advised wait, and while the card's
budget of attempts in a rolling window (Visa: 15 in 30 days) is not spent.
The caller keeps the attempt history per `budget_key` and publishes the
RetryRequest.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.taxonomy.classify import Classification
from schemas.payment_event import PaymentMethod
from schemas.retry_request import RetryRequest

DEFAULT_BUDGET = 15
DEFAULT_WINDOW_DAYS = 30
DEFAULT_MORNING_HOUR = 9


@dataclass(frozen=True)
class RetryPlan:
    not_before: datetime  # aware, UTC
    attempt: int
    reason: str
    timezone: str

    def to_request(
        self, *, payment_id: str, tenant_id: str, customer_id: str, case_id: str
    ) -> RetryRequest:
        return RetryRequest(
            payment_id=payment_id,
            tenant_id=tenant_id,
            customer_id=customer_id,
            not_before=self.not_before,
            reason=self.reason,
            attempt=self.attempt,
            case_id=case_id,
        )


def budget_key(tenant_id: str, card_fingerprint_or_last4_brand: str, amount: int) -> str:
    """Key of one retry budget: the same card, for the same merchant and amount.

    Hashed so the key can be logged and used as a table key without
    exposing card details.
    """
    raw = f"{tenant_id}|{card_fingerprint_or_last4_brand}|{amount}"
    return "rb_" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def card_identity(method: PaymentMethod) -> str:
    """What `budget_key` needs for a card: the gateway fingerprint, else brand+last4+expiry."""
    if method.fingerprint:
        return f"fp:{method.fingerprint}"
    return f"{method.brand.lower()}:{method.last4}:{method.exp_month}/{method.exp_year}"


def prune_attempts(
    attempts: list[datetime], *, now: datetime, window_days: int = DEFAULT_WINDOW_DAYS
) -> list[datetime]:
    """The attempts still inside the rolling window ending at `now`, oldest first."""
    _require_aware(now, "now")
    cutoff = now - timedelta(days=window_days)
    return sorted(a for a in attempts if _require_aware(a, "attempt") > cutoff)


def budget_remaining(
    attempts: list[datetime],
    *,
    now: datetime,
    budget: int = DEFAULT_BUDGET,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> int:
    return max(0, budget - len(prune_attempts(attempts, now=now, window_days=window_days)))


def plan_retry(
    classification: Classification,
    *,
    failed_at: datetime,
    customer_timezone: str | None,
    attempts_in_window: list[datetime],
    budget: int = DEFAULT_BUDGET,
    window_days: int = DEFAULT_WINDOW_DAYS,
    morning_hour: int = DEFAULT_MORNING_HOUR,
) -> RetryPlan | None:
    """When to retry this decline, or None when it must not be retried.

    None when the classification forbids a retry or the budget is spent.
    Otherwise the first `morning_hour`:00 in the customer's zone (UTC when
    unknown) at or after `failed_at` plus the advised wait.
    """
    _require_aware(failed_at, "failed_at")
    if not 0 <= morning_hour <= 23:
        raise ValueError("morning_hour must be 0-23")
    if not classification.retry_allowed:
        return None
    earliest = failed_at + timedelta(seconds=classification.min_wait_seconds or 0)
    # The window is counted back from the retry itself, so attempts that will
    # have aged out by then do not block it.
    used = prune_attempts(attempts_in_window, now=earliest, window_days=window_days)
    if len(used) >= budget:
        return None
    zone, zone_name = _zone(customer_timezone)
    not_before = next_local_time(earliest, zone, morning_hour)
    # Counted at `earliest`, not at the later morning slot: conservative.
    attempt = len(used) + 1
    wait = classification.min_wait_seconds or 0
    reason = (
        f"{classification.category.value}: wait {wait}s, then {morning_hour:02d}:00 {zone_name}"
    )
    return RetryPlan(not_before=not_before, attempt=attempt, reason=reason, timezone=zone_name)


def next_local_time(earliest: datetime, zone: tzinfo, hour: int) -> datetime:
    """The first wall-clock `hour`:00 in `zone` at or after `earliest`, in UTC."""
    local = earliest.astimezone(zone)
    for days in range(3):
        day = local.date() + timedelta(days=days)
        # Build the wall time, then round-trip through UTC: a time skipped by a
        # DST jump comes back shifted to a real instant instead of a phantom one.
        candidate = datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)
        if candidate >= earliest:
            return candidate
    raise AssertionError("unreachable: a local hour occurs within three days")


def _zone(name: str | None) -> tuple[tzinfo, str]:
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            # Contact validates zones at the edge; a stale or bad one must not
            # stop a legitimate retry, so fall back to UTC like a missing zone.
            pass
    return UTC, "UTC"


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value
