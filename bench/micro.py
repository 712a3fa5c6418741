"""CPU per message of the pure functions on the hot path, no I/O and no broker.

Best of a few rounds over the same inputs (the least disturbed by other
processes on the machine), reported in microseconds per call.
"""

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from agents.case_logic import decide
from agents.case_state import CustomerState
from agents.ingest import decode_events
from channels.templating import build_email
from schemas.notification import NotificationCommand
from schemas.payment_event import PaymentEvent
from streams.settings import Settings

ROUNDS = 3


def _best_us(items: int, one_round: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        one_round()
        best = min(best, time.perf_counter() - started)
    return best / items * 1e6


def micro_benchmarks(
    events: Sequence[tuple[bytes, bytes]],
    commands: Sequence[NotificationCommand],
    settings: Settings,
) -> dict[str, float]:
    """µs per call of decode_events, decide, the whole case step, and build_email.

    `events` must keep each customer's order: decide() runs over them with
    per-customer state, as the case agent would.
    """
    raws = [v for _k, v in events]
    parsed = [PaymentEvent.model_validate_json(v) for v in raws]
    now = datetime.now(UTC)

    def decode() -> None:
        for raw in raws:
            decode_events(raw, settings.max_event_bytes, settings.default_tenant)

    def decide_only() -> None:
        states: dict[str, CustomerState] = {}
        for event in parsed:
            decision = decide(states.get(event.customer_key), event, now)
            states[event.customer_key] = decision.state

    def case_step() -> None:
        # What the case agent does per event apart from Kafka: read the event
        # and the stored state from JSON, decide, write state and commands.
        table: dict[str, bytes] = {}
        for raw in raws:
            event = PaymentEvent.model_validate_json(raw)
            stored = table.get(event.customer_key)
            state = CustomerState.model_validate_json(stored) if stored else None
            decision = decide(state, event, now)
            table[event.customer_key] = decision.state.model_dump_json().encode()
            for command in decision.commands:
                command.model_dump_json().encode()

    def build() -> None:
        for command in commands:
            build_email(command, from_addr=settings.email_from)

    def build_and_serialize() -> None:
        for command in commands:
            build_email(command, from_addr=settings.email_from).as_bytes()

    return {
        "ingest.decode_events": _best_us(len(raws), decode),
        "case_logic.decide": _best_us(len(parsed), decide_only),
        "case step (JSON state + decide)": _best_us(len(raws), case_step),
        "templating.build_email": _best_us(len(commands), build),
        "build_email + as_bytes": _best_us(len(commands), build_and_serialize),
    }
