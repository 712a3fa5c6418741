"""Pure decision logic of the case agent: (state, event) -> (new state, effects).

No I/O here: the Faust agent feeds events in and sends what comes out, so every
rule is testable without a broker.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from agents.case_state import (
    RECENT_EFFECTS,
    RECENT_EVENT_IDS,
    CustomerState,
    OpenCase,
    RecentEffect,
)
from agents.retry_policy import (
    DEFAULT_BUDGET,
    DEFAULT_MORNING_HOUR,
    DEFAULT_WINDOW_DAYS,
    budget_key,
    card_identity,
    plan_retry,
    prune_attempts,
)
from agents.taxonomy import Classification, classify
from agents.taxonomy.codes import compose_code
from schemas.closed_case import ClosedCase, Resolution
from schemas.notification import Channel, NotificationCommand, Recipient, notification_id
from schemas.payment_event import PaymentEvent, PaymentEventType
from schemas.retry_request import RetryRequest


@dataclass(frozen=True)
class RetryPolicy:
    """Per-card retry budget (Visa: at most 15 in 30 days) and the local retry hour."""

    budget: int = DEFAULT_BUDGET
    window_days: int = DEFAULT_WINDOW_DAYS
    morning_hour: int = DEFAULT_MORNING_HOUR


NETWORKS = {"visa": "visa", "mastercard": "mastercard", "mc": "mastercard"}


def classify_event(event: PaymentEvent) -> Classification:
    """Every reading of the decline the event carries; the taxonomy keeps the strictest."""
    brand = event.payment_method.brand.lower() if event.payment_method else ""
    code = compose_code(
        event.decline_code, iso=event.network_decline_code, advice=event.advice_code
    )
    return classify(event.gateway, code, event.network_advice_code, NETWORKS.get(brand))


class Outcome(StrEnum):
    OPENED = "opened"
    UPDATED = "updated"
    RECOVERED = "recovered"
    CARD_UPDATED = "card_updated"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class CaseDecision:
    state: CustomerState
    outcome: Outcome
    commands: tuple[NotificationCommand, ...] = ()
    closed: ClosedCase | None = None
    retry: RetryRequest | None = None
    classification: Classification | None = None
    no_contact: bool = False


FIRST_NOTICE = "first_notice"
PAYMENT_RECEIVED = "payment_received"


def case_id_for(event: PaymentEvent) -> str:
    """Deterministic, so a replay after a crash re-creates the same case and ids."""
    digest = hashlib.sha256(f"{event.customer_key}|{event.event_id}".encode()).hexdigest()
    return f"case_{digest[:24]}"


def decide(
    state: CustomerState | None,
    event: PaymentEvent,
    now: datetime,
    policy: RetryPolicy = RetryPolicy(),
) -> CaseDecision:
    """Apply one payment event to one customer's state."""
    current = state or CustomerState(tenant_id=event.tenant_id, customer_id=event.customer_id)
    if event.event_id in current.recent_event_ids:
        return _replay(current, event.event_id)
    seen = [*current.recent_event_ids, event.event_id][-RECENT_EVENT_IDS:]
    contact = event.contact or current.contact
    base = current.model_copy(update={"recent_event_ids": seen, "contact": contact})

    if event.type is PaymentEventType.FAILED:
        decision = _with_retry(_on_failure(base, event, now), event, policy)
    elif event.type is PaymentEventType.SUCCEEDED:
        decision = _on_success(base, event, now)
    else:
        decision = _on_method_updated(base, event, now)
    return _remember_effects(decision, event.event_id)


def _replay(state: CustomerState, event_id: str) -> CaseDecision:
    """A seen event: change nothing, but hand back what it produced, to resend."""
    for effect in state.recent_effects:
        if effect.event_id == event_id:
            return CaseDecision(
                state=state,
                outcome=Outcome.DUPLICATE,
                commands=tuple(effect.commands),
                closed=effect.closed,
                retry=effect.retry,
            )
    return CaseDecision(state=state, outcome=Outcome.DUPLICATE)


def _remember_effects(decision: CaseDecision, event_id: str) -> CaseDecision:
    if not decision.commands and decision.closed is None and decision.retry is None:
        return decision
    effect = RecentEffect(
        event_id=event_id, commands=list(decision.commands), closed=decision.closed
    )
    effects = [*decision.state.recent_effects, effect][-RECENT_EFFECTS:]
    return replace(decision, state=decision.state.model_copy(update={"recent_effects": effects}))


def _on_failure(state: CustomerState, event: PaymentEvent, now: datetime) -> CaseDecision:
    info = classify_event(event)
    if state.open_case is not None:
        case = state.open_case.model_copy(
            update={
                "failures": state.open_case.failures + 1,
                "last_failure_at": max(state.open_case.last_failure_at, event.occurred_at),
                "decline_code": event.decline_code or state.open_case.decline_code,
            }
        )
        return CaseDecision(
            state=state.model_copy(update={"open_case": case}),
            outcome=Outcome.UPDATED,
            classification=info,
        )

    card = event.payment_method
    case = OpenCase(
        case_id=case_id_for(event),
        opened_at=event.occurred_at,
        opening_event_id=event.event_id,
        payment_id=event.payment_id,
        amount=event.amount,
        currency=event.currency,
        gateway=event.gateway,
        decline_code=event.decline_code,
        network_advice_code=event.network_advice_code,
        decline_category=info.category.value,
        customer_action=info.customer_action.value,
        disclose_reason=info.disclose_reason,
        card_brand=card.brand if card else None,
        card_last4=card.last4 if card else None,
        last_failure_at=event.occurred_at,
    )
    command = _email_command(state, case, FIRST_NOTICE, now)
    if command is not None:
        case.notices.append(command.notification_id)
    new_state = state.model_copy(update={"open_case": case, "cases_opened": state.cases_opened + 1})
    return CaseDecision(
        state=new_state,
        outcome=Outcome.OPENED,
        commands=(command,) if command else (),
        classification=info,
        no_contact=command is None,
    )


def _with_retry(decision: CaseDecision, event: PaymentEvent, policy: RetryPolicy) -> CaseDecision:
    """Ask billing to retry, within the card's budget, at the customer's local morning."""
    case = decision.state.open_case
    if case is None or decision.classification is None:
        return decision
    key = budget_key(
        event.tenant_id,
        card_identity(event.payment_method) if event.payment_method else "unknown-card",
        event.amount,
    )
    used = prune_attempts(
        decision.state.retry_attempts.get(key, []),
        now=event.occurred_at,
        window_days=policy.window_days,
    )
    contact = decision.state.contact
    plan = plan_retry(
        decision.classification,
        failed_at=event.occurred_at,
        customer_timezone=contact.timezone if contact else None,
        attempts_in_window=used,
        budget=policy.budget,
        window_days=policy.window_days,
        morning_hour=policy.morning_hour,
    )
    if plan is None:
        return decision
    request = plan.to_request(
        payment_id=event.payment_id,
        tenant_id=event.tenant_id,
        customer_id=event.customer_id,
        case_id=case.case_id,
    )
    attempts = {**decision.state.retry_attempts, key: [*used, plan.not_before]}
    state = decision.state.model_copy(update={"retry_attempts": attempts})
    return replace(decision, state=state, retry=request)


def _on_success(state: CustomerState, event: PaymentEvent, now: datetime) -> CaseDecision:
    case = state.open_case
    if case is None:
        return CaseDecision(state=state, outcome=Outcome.IGNORED)
    command = _email_command(state, case, PAYMENT_RECEIVED, now)
    notices = [*case.notices, command.notification_id] if command else case.notices
    closed = _closed(state, case, Resolution.RECOVERED, event, notices, recovered=event.amount)
    new_state = state.model_copy(
        update={"open_case": None, "cases_recovered": state.cases_recovered + 1}
    )
    return CaseDecision(
        state=new_state,
        outcome=Outcome.RECOVERED,
        commands=(command,) if command else (),
        closed=closed,
        no_contact=command is None,
    )


def _on_method_updated(state: CustomerState, event: PaymentEvent, now: datetime) -> CaseDecision:
    case = state.open_case
    if case is None:
        return CaseDecision(state=state, outcome=Outcome.IGNORED)
    closed = _closed(state, case, Resolution.CARD_UPDATED, event, case.notices, recovered=0)
    return CaseDecision(
        state=state.model_copy(update={"open_case": None}),
        outcome=Outcome.CARD_UPDATED,
        closed=closed,
    )


def _closed(
    state: CustomerState,
    case: OpenCase,
    resolution: Resolution,
    event: PaymentEvent,
    notices: list[str],
    *,
    recovered: int,
) -> ClosedCase:
    return ClosedCase(
        case_id=case.case_id,
        tenant_id=state.tenant_id,
        customer_id=state.customer_id,
        resolution=resolution,
        opened_at=case.opened_at,
        closed_at=event.occurred_at,
        gateway=case.gateway,
        decline_code=case.decline_code,
        decline_category=case.decline_category,
        amount=case.amount,
        currency=case.currency,
        recovered_amount=recovered,
        failures=case.failures,
        notices=notices,
        locale=_locale(state),
    )


def _locale(state: CustomerState) -> str:
    return (state.contact.locale if state.contact and state.contact.locale else None) or "en"


def _email_command(
    state: CustomerState, case: OpenCase, step: str, now: datetime
) -> NotificationCommand | None:
    contact = state.contact
    if contact is None or contact.email is None:
        return None
    return NotificationCommand(
        notification_id=notification_id(case.case_id, step, Channel.EMAIL),
        case_id=case.case_id,
        tenant_id=state.tenant_id,
        customer_id=state.customer_id,
        channel=Channel.EMAIL,
        template=step,
        step=step,
        recipient=Recipient(
            email=contact.email,
            phone=contact.phone,
            name=contact.name,
            locale=_locale(state),
            timezone=contact.timezone,
        ),
        payment_id=case.payment_id,
        amount=case.amount,
        currency=case.currency,
        card_brand=case.card_brand,
        card_last4=case.card_last4,
        gateway=case.gateway,
        decline_code=case.decline_code,
        decline_category=case.decline_category,
        customer_action=case.customer_action,
        disclose_reason=case.disclose_reason,
        decline_at=case.opened_at,
        created_at=now,
    )
