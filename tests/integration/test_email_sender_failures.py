"""Email sender failure handling against a real Kafka broker and a real SMTP server.

The SMTP server is aiosmtpd with a scripted handler that can refuse RCPT or
DATA per recipient or per message; nothing in Kafka, SMTP or aiosmtplib is
mocked. Commands go straight onto notify.email; what the sender reports is read
back from notify.outcomes and notify.dead_letters.
"""

import asyncio
import base64
import re
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from prometheus_client import Counter as MetricCounter

from channels.email_sender import EmailSender
from demo.publish import publish
from schemas.dead_letter import DeadLetter
from schemas.notification import (
    Channel,
    NotificationCommand,
    Recipient,
    notification_id,
)
from schemas.outcome import DeliveryOutcome, DeliveryStatus
from streams.admin import create_all_topics
from streams.settings import Settings
from streams.topics import Topic, topic_name
from tests.integration.services import email_sender, read_topic, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.smtp, pytest.mark.slow, pytest.mark.timeout(180)]

TRY_LATER = "451 4.3.0 try again later"
NO_SUCH_USER = "550 5.1.1 no such user"

# (key, how many times this key was seen, 1-based) -> an SMTP reply to refuse
# with, or None to accept. The key is the recipient for RCPT and the
# notification id (the Message-ID's local part) for DATA.
Script = Callable[[str, int], str | None]

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^@>]+)@", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Accepted:
    notification_id: str
    rcpt_tos: tuple[str, ...]


class ScriptedSmtp:
    """aiosmtpd handler: refuses RCPT/DATA as scripted, records what it accepts.

    Runs on the Controller's thread; the counters are read from the test's.
    """

    def __init__(self, *, on_rcpt: Script | None = None, on_data: Script | None = None) -> None:
        self._on_rcpt = on_rcpt
        self._on_data = on_data
        self._lock = threading.Lock()
        self.rcpt_calls: Counter[str] = Counter()
        self.data_calls: Counter[str] = Counter()
        self._accepted: list[Accepted] = []

    async def handle_RCPT(
        self,
        _server: SMTP,
        _session: Session,
        envelope: Envelope,
        address: str,
        _rcpt_options: list[str],
    ) -> str:
        with self._lock:
            self.rcpt_calls[address] += 1
            seen = self.rcpt_calls[address]
        reply = self._on_rcpt(address, seen) if self._on_rcpt else None
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content: bytes = envelope.original_content or b""
        match = _MESSAGE_ID.search(content)
        nid = match.group(1).decode("ascii") if match else "no-message-id"
        with self._lock:
            self.data_calls[nid] += 1
            seen = self.data_calls[nid]
        reply = self._on_data(nid, seen) if self._on_data else None
        if reply is not None:
            return reply
        with self._lock:
            self._accepted.append(Accepted(nid, tuple(str(r) for r in envelope.rcpt_tos)))
        return "250 2.0.0 OK queued"

    def accepted(self) -> list[Accepted]:
        with self._lock:
            return list(self._accepted)

    def delivered(self, nid: str) -> int:
        return sum(1 for mail in self.accepted() if mail.notification_id == nid)


@asynccontextmanager
async def smtp_server(handler: ScriptedSmtp, settings: Settings) -> AsyncIterator[Controller]:
    controller = Controller(handler, hostname=settings.smtp_host, port=settings.smtp_port)
    await asyncio.to_thread(controller.start)
    try:
        yield controller
    finally:
        await asyncio.to_thread(controller.stop)


def command(case: str, *, email: str, customer: str = "cus_1") -> NotificationCommand:
    now = datetime.now(UTC)
    return NotificationCommand(
        notification_id=notification_id(case, "first_notice", Channel.EMAIL),
        case_id=case,
        tenant_id="acme",
        customer_id=customer,
        channel=Channel.EMAIL,
        template="first_notice",
        step="first_notice",
        recipient=Recipient(email=email, name="Ana", locale="en"),
        payment_id=f"pay_{case}",
        amount=1999,
        currency="EUR",
        card_brand="visa",
        card_last4="4242",
        gateway="stripe",
        decline_code="insufficient_funds",
        decline_at=now,
        created_at=now,
    )


def as_record(cmd: NotificationCommand) -> tuple[bytes, bytes]:
    return cmd.customer_key.encode(), cmd.model_dump_json().encode()


async def send_commands(settings: Settings, records: list[tuple[bytes, bytes]]) -> None:
    await publish(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.NOTIFY_EMAIL),
        list(records),
    )


async def read_outcomes(
    settings: Settings, *, at_least: int, timeout: float = 30.0
) -> list[DeliveryOutcome]:
    records = await read_topic(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.NOTIFY_OUTCOMES),
        at_least=at_least,
        timeout=timeout,
    )
    # One customer's outcomes share a key, hence a partition: offset order is send order.
    return [DeliveryOutcome.model_validate_json(r.value or b"") for r in records]


async def read_dead_letters(
    settings: Settings, *, at_least: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    return await read_topic(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.NOTIFY_DEAD_LETTERS),
        at_least=at_least,
        timeout=timeout,
    )


def history(outcomes: list[DeliveryOutcome], nid: str) -> list[tuple[str, int]]:
    return [(o.status.value, o.attempt) for o in outcomes if o.notification_id == nid]


def metric(counter: MetricCounter, **labels: str) -> float:
    """Current value of one labelled child of a prometheus Counter."""
    for family in counter.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                return sample.value
    return 0.0


async def wait_committed(sender: EmailSender, batches: int) -> None:
    """Wait until `batches` batches are committed: their outcomes and dead letters
    were all acknowledged by the broker before the commit."""
    await wait_for(
        lambda: metric(sender.metrics.batches) >= batches,
        timeout=30,
        what=f"{batches} committed sender batch(es)",
    )


async def assert_no_dead_letters(settings: Settings) -> None:
    letters = await read_dead_letters(settings, at_least=1, timeout=2.0)
    assert letters == [], [r.value for r in letters]


def only_letter(records: list[ConsumerRecord[bytes, bytes]]) -> DeadLetter:
    assert len(records) == 1, [r.value for r in records]
    return DeadLetter.model_validate_json(records[0].value or b"")


@pytest.mark.parametrize("stage", ["rcpt", "data"])
async def test_transient_4xx_is_retried_until_the_mail_is_accepted_once(
    settings: Settings, stage: str
) -> None:
    settings = settings.model_copy(update={"email_retry_base_seconds": 0.01})
    cmd = command("case_transient", email="ana@example.com")
    nid = cmd.notification_id

    def twice_later(_key: str, seen: int) -> str | None:
        return TRY_LATER if seen <= 2 else None

    handler = (
        ScriptedSmtp(on_rcpt=twice_later) if stage == "rcpt" else ScriptedSmtp(on_data=twice_later)
    )
    await create_all_topics(settings)
    await send_commands(settings, [as_record(cmd)])

    async with smtp_server(handler, settings), email_sender(settings) as sender:
        await wait_for(
            lambda: handler.delivered(nid) >= 1, timeout=30, what="the mail after two 451s"
        )
        outcomes = await read_outcomes(settings, at_least=3)
        await wait_committed(sender, 1)
        await assert_no_dead_letters(settings)
        assert sender.ready

    assert history(outcomes, nid) == [("retrying", 1), ("retrying", 2), ("sent", 3)]
    retrying = [o for o in outcomes if o.status is DeliveryStatus.RETRYING]
    assert all(o.retriable and o.error and "451" in o.error for o in retrying)
    sent = outcomes[-1]
    assert sent.error is None and sent.provider_message_id
    assert handler.accepted() == [Accepted(nid, ("ana@example.com",))]
    calls = handler.rcpt_calls["ana@example.com"] if stage == "rcpt" else handler.data_calls[nid]
    assert calls == 3


async def test_permanent_5xx_is_dead_lettered_and_the_rest_of_the_batch_is_delivered(
    settings: Settings,
) -> None:
    def no_such_user(address: str, _seen: int) -> str | None:
        return NO_SUCH_USER if address == "ghost@example.com" else None

    handler = ScriptedSmtp(on_rcpt=no_such_user)
    bad = command("case_ghost", email="ghost@example.com", customer="cus_ghost")
    good = command("case_good", email="bo@example.com", customer="cus_good")
    later = command("case_later", email="cy@example.com", customer="cus_later")
    await create_all_topics(settings)
    # Both on the topic before the sender starts: its first fetch takes them together.
    await send_commands(settings, [as_record(bad), as_record(good)])

    async with smtp_server(handler, settings), email_sender(settings) as sender:
        await wait_for(
            lambda: handler.delivered(good.notification_id) == 1,
            timeout=30,
            what="the good recipient's mail",
        )
        outcomes = await read_outcomes(settings, at_least=2)
        letters = await read_dead_letters(settings, at_least=1)
        await wait_committed(sender, 1)
        assert metric(sender.metrics.batches) == 1, "both commands were meant to share a batch"

        # The sender keeps consuming after a permanent failure.
        assert sender.ready
        await send_commands(settings, [as_record(later)])
        await wait_for(
            lambda: handler.delivered(later.notification_id) == 1,
            timeout=30,
            what="a mail produced after the permanent failure",
        )

    assert history(outcomes, good.notification_id) == [("sent", 1)]
    [failed] = [o for o in outcomes if o.notification_id == bad.notification_id]
    assert failed.status is DeliveryStatus.FAILED
    assert (failed.attempt, failed.retriable) == (1, False)
    assert failed.error is not None and "550" in failed.error
    assert handler.rcpt_calls["ghost@example.com"] == 1  # a 5xx is never retried

    letter = only_letter(letters)
    assert letter.reason == "delivery_failed"
    assert "550" in letter.detail
    assert letter.source_topic == topic_name(settings, Topic.NOTIFY_EMAIL)
    original = base64.b64decode(letter.original_base64)
    assert NotificationCommand.model_validate_json(original) == bad
    assert dict(letters[0].headers)["dn-reason"] == b"delivery_failed"
    assert letters[0].key == bad.customer_key.encode()
    assert {m.notification_id for m in handler.accepted()} == {
        good.notification_id,
        later.notification_id,
    }


async def test_a_provider_that_keeps_deferring_is_retried_then_dead_lettered(
    settings: Settings,
) -> None:
    settings = settings.model_copy(
        update={"email_retry_attempts": 3, "email_retry_base_seconds": 0.01}
    )
    handler = ScriptedSmtp(on_rcpt=lambda _address, _seen: TRY_LATER)
    cmd = command("case_deferred", email="ana@example.com")
    nid = cmd.notification_id
    await create_all_topics(settings)
    await send_commands(settings, [as_record(cmd)])

    async with smtp_server(handler, settings), email_sender(settings) as sender:
        letters = await read_dead_letters(settings, at_least=1)
        outcomes = await read_outcomes(settings, at_least=3)
        await wait_committed(sender, 1)
        assert sender.ready

    assert history(outcomes, nid) == [("retrying", 1), ("retrying", 2), ("failed", 3)]
    assert all(o.error and "451" in o.error for o in outcomes)
    assert handler.rcpt_calls["ana@example.com"] == 3
    assert handler.accepted() == []
    letter = only_letter(letters)
    assert letter.reason == "delivery_failed"
    assert "451" in letter.detail
    # Never dropped: the dead letter holds the whole command, ready to replay.
    assert NotificationCommand.model_validate_json(base64.b64decode(letter.original_base64)) == cmd


async def test_an_smtp_server_that_is_down_at_start_gets_the_mail_once_it_is_up(
    settings: Settings,
) -> None:
    settings = settings.model_copy(
        update={"email_retry_attempts": 8, "email_retry_base_seconds": 0.2}
    )
    handler = ScriptedSmtp()
    cmd = command("case_down", email="ana@example.com")
    nid = cmd.notification_id
    await create_all_topics(settings)

    # Nothing listens on settings.smtp_port yet.
    async with email_sender(settings) as sender:
        await send_commands(settings, [as_record(cmd)])
        await wait_for(
            lambda: metric(sender.metrics.attempts, status="retrying") >= 1,
            timeout=30,
            what="a failed connection attempt",
        )
        await asyncio.sleep(1.0)
        async with smtp_server(handler, settings):
            await wait_for(
                lambda: handler.delivered(nid) >= 1,
                timeout=60,
                what="the mail once the SMTP server is up",
            )
            outcomes = await read_outcomes(settings, at_least=2)
            await wait_committed(sender, 1)
            await assert_no_dead_letters(settings)

    steps = history(outcomes, nid)
    assert steps[-1][0] == "sent"
    assert [status for status, _ in steps[:-1]] == ["retrying"] * (len(steps) - 1)
    assert [attempt for _, attempt in steps] == list(range(1, len(steps) + 1))
    assert all(
        o.retriable and o.error and o.error.startswith("SMTP connection")
        for o in outcomes
        if o.status is DeliveryStatus.RETRYING
    )
    assert handler.accepted() == [Accepted(nid, ("ana@example.com",))]


async def test_duplicate_commands_send_one_mail_and_report_each_copy(
    settings: Settings,
) -> None:
    handler = ScriptedSmtp()
    cmd = command("case_dup", email="ana@example.com")
    nid = cmd.notification_id
    await create_all_topics(settings)
    # Same key, same partition, on the topic before the sender starts: one batch.
    await send_commands(settings, [as_record(cmd), as_record(cmd)])

    async with smtp_server(handler, settings), email_sender(settings) as sender:
        first = await read_outcomes(settings, at_least=2)
        await wait_committed(sender, 1)
        assert metric(sender.metrics.batches) == 1, "both copies were meant to share a batch"

        await send_commands(settings, [as_record(cmd)])  # a later replay
        outcomes = await read_outcomes(settings, at_least=3)
        await wait_committed(sender, 2)
        await assert_no_dead_letters(settings)

    assert sorted(history(first, nid)) == [("duplicate", 0), ("sent", 1)]
    assert history(outcomes, nid)[2:] == [("duplicate", 0)]
    assert len(outcomes) == 3
    assert handler.delivered(nid) == 1
    assert handler.data_calls[nid] == 1


async def test_an_undecodable_command_is_dead_lettered_and_the_next_one_delivered(
    settings: Settings,
) -> None:
    handler = ScriptedSmtp()
    cmd = command("case_after_junk", email="ana@example.com")
    await create_all_topics(settings)
    key = cmd.customer_key.encode()
    await send_commands(settings, [(key, b"not json"), as_record(cmd)])

    async with smtp_server(handler, settings), email_sender(settings) as sender:
        await wait_for(
            lambda: handler.delivered(cmd.notification_id) == 1,
            timeout=30,
            what="the valid command's mail",
        )
        letters = await read_dead_letters(settings, at_least=1)
        outcomes = await read_outcomes(settings, at_least=1)
        assert sender.ready

    letter = only_letter(letters)
    assert letter.reason == "invalid_command"
    assert base64.b64decode(letter.original_base64) == b"not json"
    assert letter.original_size == len(b"not json")
    assert (letter.source_topic, letter.source_offset) == (
        topic_name(settings, Topic.NOTIFY_EMAIL),
        0,
    )
    assert dict(letters[0].headers)["dn-reason"] == b"invalid_command"
    assert history(outcomes, cmd.notification_id) == [("sent", 1)]
    assert len(outcomes) == 1
    assert metric(sender.metrics.invalid_commands) == 1
