"""Faust wiring: topics, the case table and the agents that run the flow.

    payments.events --ingest--> cases.inputs --cases--> notify.email, cases.closed
          |                                     (table decline-cases, single writer)
          +--> payments.invalid
    notify.outcomes --outcomes--> metrics

Each agent catches errors per event: Faust acknowledges an event whose
handler raised and then stops the agent, so an uncaught error would silently
drop the event and halt the pipeline.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import faust

from agents.case_logic import CaseDecision, Outcome, RetryPolicy, decide
from agents.case_state import CustomerState
from agents.ingest import Ignored, Rejection, dead_letter, decode_events
from agents.metrics import WorkerMetrics
from agents.taxonomy.unknown_codes import record_unknown, unknown_codes_counter
from schemas.outcome import DeliveryOutcome, DeliveryStatus
from schemas.payment_event import PaymentEvent
from streams.settings import Settings
from streams.topics import CASES_TABLE, Topic, changelog_name, topic_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pipeline:
    agents: tuple[Any, ...]
    cases: Any  # faust.Table[bytes, bytes]


def _raw_topic(app: faust.App, name: str, **options: Any) -> Any:
    """Bytes in, bytes out: we decode at the edge so bad input reaches the DLQ."""
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        **options,
    )


def _topic(app: faust.App, settings: Settings, topic: Topic) -> Any:
    return _raw_topic(app, topic_name(settings, topic))


def register_pipeline(
    app: faust.App,
    settings: Settings,
    metrics: WorkerMetrics,
) -> Pipeline:
    policy = RetryPolicy(
        budget=settings.retry_budget,
        window_days=settings.retry_window_days,
        morning_hour=settings.retry_morning_hour,
    )
    events_in = _topic(app, settings, Topic.PAYMENT_EVENTS)
    invalid = _topic(app, settings, Topic.PAYMENTS_INVALID)
    case_inputs = _topic(app, settings, Topic.CASE_INPUTS)
    channel_topics = {
        "email": _topic(app, settings, Topic.NOTIFY_EMAIL),
        "sms": _topic(app, settings, Topic.NOTIFY_SMS),
        "voice": _topic(app, settings, Topic.NOTIFY_VOICE),
        "in_app": _topic(app, settings, Topic.NOTIFY_IN_APP),
        "chat": _topic(app, settings, Topic.NOTIFY_CHAT),
    }
    closed = _topic(app, settings, Topic.CASES_CLOSED)
    retry_requests = _topic(app, settings, Topic.RETRY_REQUESTS)
    outcomes_in = _topic(app, settings, Topic.NOTIFY_OUTCOMES)

    cases = app.Table(
        CASES_TABLE,
        default=None,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.topic_partitions,
        changelog_topic=_raw_topic(
            app,
            changelog_name(settings, CASES_TABLE),
            partitions=settings.topic_partitions,
            compacting=True,
        ),
    )

    async def send_invalid(raw: bytes | None, rejection: Rejection, message: Any) -> None:
        metrics.invalid.labels(rejection.reason).inc()
        letter = dead_letter(
            raw,
            rejection,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            now=datetime.now(UTC),
        )
        await invalid.send(
            key=message.key,
            value=letter.model_dump_json().encode(),
            headers=[("dn-reason", rejection.reason.encode())],
        )
        log.warning(
            "event dead-lettered: %s",
            rejection.reason,
            extra={
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
            },
        )

    async def ingest(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        async for event in stream.events():
            raw = event.value
            try:
                result = decode_events(raw, settings.max_event_bytes, settings.default_tenant)
                if isinstance(result, Rejection):
                    await send_invalid(raw, result, event.message)
                elif isinstance(result, Ignored):
                    metrics.ignored_inputs.labels(result.reason).inc()
                else:
                    for payment in result:
                        await case_inputs.send(
                            key=payment.customer_key.encode(),
                            value=payment.model_dump_json().encode(),
                        )
            except Exception:
                metrics.processing_errors.labels("ingest").inc()
                log.exception("ingest failed", extra={"offset": event.message.offset})
                await send_invalid(raw, Rejection("internal_error", "ingest raised"), event.message)
            yield None

    async def handle_case(key: bytes, payment: PaymentEvent) -> None:
        stored = cases.get(key)
        state = CustomerState.model_validate_json(stored) if stored else None
        decision = decide(state, payment, datetime.now(UTC), policy)
        replay = decision.outcome is Outcome.DUPLICATE
        if replay:
            metrics.duplicates.inc()
        else:
            cases[key] = decision.state.model_dump_json().encode()
        await publish_effects(key, decision, replay=replay)
        if not replay:
            await count(decision, payment)

    async def publish_effects(key: bytes, decision: CaseDecision, *, replay: bool) -> None:
        """Send what a decision produced; for a replay, the same records again (same ids)."""
        for command in decision.commands:
            await channel_topics[command.channel.value].send(
                key=key, value=command.model_dump_json().encode()
            )
            if replay:
                metrics.resent.labels(command.channel.value).inc()
            else:
                metrics.commands.labels(command.channel.value, command.template).inc()
        if decision.retry is not None:
            await retry_requests.send(key=key, value=decision.retry.model_dump_json().encode())
        if decision.closed is not None:
            await closed.send(key=key, value=decision.closed.model_dump_json().encode())

    async def count(decision: CaseDecision, payment: PaymentEvent) -> None:
        metrics.events.labels(payment.type.value, payment.gateway).inc()
        await note_classification(decision, payment)
        if decision.retry is not None:
            metrics.retry_requests.labels(payment.gateway).inc()
        if decision.no_contact:
            metrics.no_contact.labels("email").inc()
        if decision.outcome is Outcome.OPENED:
            metrics.cases_opened.labels(payment.gateway).inc()
        elif decision.outcome is Outcome.IGNORED:
            metrics.ignored.labels(payment.type.value).inc()
        if decision.closed is not None:
            metrics.cases_closed.labels(decision.closed.resolution.value).inc()
            metrics.recovered_amount.labels(decision.closed.currency).inc(
                decision.closed.recovered_amount
            )

    unknown_counter = unknown_codes_counter(metrics.registry)

    async def note_classification(decision: CaseDecision, payment: PaymentEvent) -> None:
        c = decision.classification
        if c is None:
            return
        metrics.declines.labels(payment.gateway, c.category.value).inc()
        if not c.known and payment.decline_code:
            # File I/O with a lock: off the event loop.
            await asyncio.to_thread(
                record_unknown,
                payment.gateway,
                payment.decline_code,
                settings.unknown_codes_path,
                counter=unknown_counter,
            )

    async def case_agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        async for event in stream.events():
            try:
                payment = PaymentEvent.model_validate_json(event.value)
                await handle_case(event.key, payment)
            except Exception:
                metrics.processing_errors.labels("cases").inc()
                log.exception("case update failed", extra={"offset": event.message.offset})
                await send_invalid(
                    event.value, Rejection("internal_error", "case agent raised"), event.message
                )
            yield None

    async def outcomes_agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        async for value in stream:
            try:
                outcome = DeliveryOutcome.model_validate_json(value)
            except ValueError:
                metrics.processing_errors.labels("outcomes").inc()
                log.warning("undecodable delivery outcome skipped")
                yield None
                continue
            metrics.outcomes.labels(outcome.channel.value, outcome.status.value).inc()
            if outcome.status is DeliveryStatus.SENT:
                latency = (outcome.at - outcome.decline_at).total_seconds()
                metrics.decline_to_sent.labels(outcome.channel.value).observe(max(latency, 0.0))
            yield None

    agents = (
        app.agent(events_in, name="ingest")(ingest),
        app.agent(case_inputs, name="cases")(case_agent),
        app.agent(outcomes_in, name="outcomes")(outcomes_agent),
    )
    return Pipeline(agents=agents, cases=cases)
