from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from agents.case_logic import (
    FIRST_NOTICE,
    PAYMENT_RECEIVED,
    Outcome,
    RetryPolicy,
    case_id_for,
    decide,
)
from agents.case_state import RECENT_EVENT_IDS
from schemas import PaymentEvent
from schemas.closed_case import Resolution
from tests.helpers import event

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def payment(**changes: object) -> PaymentEvent:
    return PaymentEvent.model_validate(event(**changes))


def test_first_failure_opens_a_case_and_emits_one_first_notice() -> None:
    decision = decide(None, payment(), NOW)
    assert decision.outcome is Outcome.OPENED
    assert [c.template for c in decision.commands] == [FIRST_NOTICE]
    command = decision.commands[0]
    assert command.recipient.email == "ana@example.com"
    assert command.recipient.locale == "es"
    assert (command.amount, command.currency, command.card_last4) == (1999, "EUR", "4242")
    assert decision.state.open_case is not None
    assert decision.state.open_case.notices == [command.notification_id]


def test_more_failures_update_the_same_case_without_a_second_notice() -> None:
    opened = decide(None, payment(), NOW).state
    again = decide(opened, payment(event_id="evt_002", decline_code="do_not_honor"), NOW)
    assert again.outcome is Outcome.UPDATED
    assert again.commands == ()
    assert again.state.open_case is not None
    assert again.state.open_case.failures == 2
    assert again.state.open_case.case_id == opened.open_case.case_id  # type: ignore[union-attr]


def test_success_closes_the_case_as_recovered_and_thanks_the_customer() -> None:
    opened = decide(None, payment(), NOW).state
    paid = decide(
        opened,
        payment(
            event_id="evt_ok",
            type="payment.succeeded",
            decline_code=None,
            occurred_at="2026-12-02T09:00:00Z",
        ),
        NOW,
    )
    assert paid.outcome is Outcome.RECOVERED
    assert [c.template for c in paid.commands] == [PAYMENT_RECEIVED]
    assert paid.state.open_case is None
    assert paid.closed is not None
    assert paid.closed.resolution is Resolution.RECOVERED
    assert paid.closed.recovered_amount == 1999
    assert paid.closed.closed_at - paid.closed.opened_at == timedelta(hours=22, minutes=45)


def test_card_update_closes_without_a_message() -> None:
    opened = decide(None, payment(), NOW).state
    updated = decide(opened, payment(event_id="evt_pm", type="payment_method.updated"), NOW)
    assert updated.outcome is Outcome.CARD_UPDATED
    assert updated.commands == ()
    assert updated.closed is not None and updated.closed.recovered_amount == 0


def test_success_without_an_open_case_is_ignored_and_said_so() -> None:
    decision = decide(None, payment(type="payment.succeeded"), NOW)
    assert decision.outcome is Outcome.IGNORED
    assert decision.commands == ()


def test_duplicate_event_ids_change_no_state() -> None:
    opened = decide(None, payment(), NOW).state
    again = decide(opened, payment(), NOW)
    assert again.outcome is Outcome.DUPLICATE
    assert again.state == opened


def test_recent_event_ids_are_bounded() -> None:
    state = decide(None, payment(), NOW).state
    for i in range(RECENT_EVENT_IDS + 10):
        state = decide(state, payment(event_id=f"evt_{i:04d}"), NOW).state
    assert len(state.recent_event_ids) == RECENT_EVENT_IDS


def test_no_email_address_opens_the_case_and_reports_no_contact() -> None:
    decision = decide(None, payment(contact={"phone": "+34600000000"}), NOW)
    assert decision.outcome is Outcome.OPENED
    assert decision.commands == ()
    assert decision.no_contact


def test_ids_are_deterministic_across_replays() -> None:
    first = decide(None, payment(), NOW)
    replay = decide(None, payment(), NOW + timedelta(minutes=5))
    assert first.commands[0].notification_id == replay.commands[0].notification_id
    assert case_id_for(payment()) == first.state.open_case.case_id  # type: ignore[union-attr]


def test_classification_reaches_the_command_and_the_case() -> None:
    decision = decide(None, payment(decline_code="expired_card"), NOW)
    command = decision.commands[0]
    assert (command.decline_category, command.customer_action, command.disclose_reason) == (
        "expired_card",
        "update_payment_method",
        True,
    )


def test_soft_decline_asks_billing_to_retry_at_the_customers_local_morning() -> None:
    decision = decide(None, payment(decline_code="insufficient_funds"), NOW)
    retry = decision.retry
    assert retry is not None
    assert (retry.payment_id, retry.attempt) == ("pay_9", 1)
    local = retry.not_before.astimezone(ZoneInfo("Europe/Madrid"))
    assert local.hour == 9 and local.minute == 0
    assert retry.not_before > datetime(2026, 12, 1, 10, 15, tzinfo=UTC)


def test_stolen_card_gets_no_retry_and_no_disclosed_reason() -> None:
    decision = decide(None, payment(decline_code="stolen_card"), NOW)
    assert decision.retry is None
    command = decision.commands[0]
    assert command.disclose_reason is False
    assert command.decline_category == "lost_or_stolen"


def test_retry_budget_caps_requests_per_card_and_amount() -> None:
    policy = RetryPolicy(budget=3)
    state = None
    retries = 0
    for i in range(6):
        decision = decide(
            state,
            payment(event_id=f"evt_{i}", occurred_at=f"2026-12-0{1 + i}T10:15:00Z"),
            NOW,
            policy,
        )
        state = decision.state
        retries += decision.retry is not None
    assert retries == 3


def test_no_retry_after_recovery() -> None:
    opened = decide(None, payment(), NOW).state
    paid = decide(opened, payment(event_id="evt_ok", type="payment.succeeded"), NOW)
    assert paid.retry is None


def test_a_replayed_event_hands_back_its_effects_for_an_idempotent_resend() -> None:
    # A crash can persist the table but lose the buffered command: the replay
    # must produce the same command again (same id), not nothing.
    first = decide(None, payment(), NOW)
    replay = decide(first.state, payment(), NOW)
    assert replay.outcome is Outcome.DUPLICATE
    assert replay.state == first.state
    assert [c.notification_id for c in replay.commands] == [first.commands[0].notification_id]

    paid = decide(first.state, payment(event_id="evt_ok", type="payment.succeeded"), NOW)
    replay_paid = decide(paid.state, payment(event_id="evt_ok", type="payment.succeeded"), NOW)
    assert replay_paid.closed == paid.closed
    assert [c.template for c in replay_paid.commands] == [PAYMENT_RECEIVED]
