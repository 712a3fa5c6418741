"""Email sender: an aiokafka consumer group on notify.email delivering over SMTP.

Per batch: fetch up to N commands, deliver them concurrently over the SMTP
pool (transient errors retried with exponential backoff and full jitter),
publish one DeliveryOutcome per attempt to notify.outcomes and permanent
failures to notify.dead_letters, then commit the batch's offsets. A crash
before the commit re-delivers the batch; the notification_id dedup set and the
deterministic Message-ID keep that from reaching the customer twice.
"""

import asyncio
import base64
import logging
import time
from collections import OrderedDict
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from channels.errors import ChannelError
from channels.smtp_pool import SmtpPool
from channels.templating import TemplatingError, build_email
from schemas.dead_letter import DeadLetter
from schemas.notification import NotificationCommand
from schemas.outcome import DeliveryOutcome, DeliveryStatus
from streams.settings import Settings
from streams.topics import Topic, topic_name

log = logging.getLogger(__name__)

# Enough ids to cover many batches of replay after a rebalance; bounded memory.
DEDUP_CAPACITY = 200_000


class SenderMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.attempts = Counter(
            "dn_sender_attempts_total",
            "Delivery attempts by channel and status",
            ["channel", "status"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "dn_sender_send_seconds",
            "Time to hand one message to the provider",
            ["channel"],
            registry=registry,
        )
        self.invalid_commands = Counter(
            "dn_sender_invalid_commands_total",
            "Undecodable commands dead-lettered",
            ["channel"],
            registry=registry,
        )
        self.batches = Counter(
            "dn_sender_batches_total", "Batches committed", ["channel"], registry=registry
        )


class SeenIds:
    """Bounded insertion-ordered set of delivered notification ids."""

    def __init__(self, capacity: int = DEDUP_CAPACITY) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def __contains__(self, item: str) -> bool:
        return item in self._ids

    def add(self, item: str) -> None:
        self._ids[item] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


class EmailSender:
    channel = "email"

    def __init__(self, settings: Settings, registry: CollectorRegistry) -> None:
        self._settings = settings
        self.metrics = SenderMetrics(registry)
        self._pool = SmtpPool(settings)
        self._seen = SeenIds()
        self._in_flight: set[str] = set()
        self._stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self.ready = False

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        s = self._settings
        self._consumer = AIOKafkaConsumer(
            topic_name(s, Topic.NOTIFY_EMAIL),
            bootstrap_servers=s.kafka_bootstrap_servers,
            group_id=f"{s.app_id}-email-sender",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=s.kafka_bootstrap_servers, acks="all", linger_ms=5
        )
        await self._producer.start()
        await self._consumer.start()
        self.ready = True
        log.info("email sender started", extra={"group": f"{s.app_id}-email-sender"})
        try:
            while not self._stopping.is_set():
                batch = await self._consumer.getmany(
                    timeout_ms=500, max_records=s.sender_batch_size
                )
                records = [r for rs in batch.values() for r in rs]
                if records:
                    await self._process(records)
                    await self._consumer.commit()
                    self.metrics.batches.labels(self.channel).inc()
        finally:
            self.ready = False
            await self._consumer.stop()
            await self._producer.stop()
            await self._pool.close()

    async def _process(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        assert self._producer is not None
        results = await asyncio.gather(*(self._deliver(r) for r in records))
        s = self._settings
        outcomes_topic = topic_name(s, Topic.NOTIFY_OUTCOMES)
        dlq_topic = topic_name(s, Topic.NOTIFY_DEAD_LETTERS)
        futures = []
        for record, (outcomes, letter) in zip(records, results, strict=True):
            for outcome in outcomes:
                key = f"{outcome.tenant_id}:{outcome.customer_id}".encode()
                futures.append(
                    await self._producer.send(
                        outcomes_topic, key=key, value=outcome.model_dump_json().encode()
                    )
                )
            if letter is not None:
                futures.append(
                    await self._producer.send(
                        dlq_topic,
                        key=record.key,
                        value=letter.model_dump_json().encode(),
                        headers=[("dn-reason", letter.reason.encode())],
                    )
                )
        # Offsets are committed only after every outcome and dead letter is stored.
        await asyncio.gather(*futures)

    async def _deliver(
        self, record: ConsumerRecord[bytes, bytes]
    ) -> tuple[list[DeliveryOutcome], DeadLetter | None]:
        try:
            command = NotificationCommand.model_validate_json(record.value or b"")
        except ValidationError:
            self.metrics.invalid_commands.labels(self.channel).inc()
            return [], self._dead_letter(record, "invalid_command", "command failed validation")
        nid = command.notification_id
        if nid in self._seen or nid in self._in_flight:
            self.metrics.attempts.labels(self.channel, DeliveryStatus.DUPLICATE.value).inc()
            return [_outcome(command, DeliveryStatus.DUPLICATE, attempt=0)], None
        # Claimed before the first await: a batch delivers concurrently and may
        # hold the same id twice (a replayed command next to the original).
        self._in_flight.add(nid)
        try:
            return await self._attempt(record, command)
        finally:
            self._in_flight.discard(nid)

    async def _attempt(
        self, record: ConsumerRecord[bytes, bytes], command: NotificationCommand
    ) -> tuple[list[DeliveryOutcome], DeadLetter | None]:
        try:
            message = build_email(command, from_addr=self._settings.email_from)
        except TemplatingError as exc:
            # A template that cannot render will not render on retry either.
            self.metrics.attempts.labels(self.channel, DeliveryStatus.FAILED.value).inc()
            failed = _outcome(command, DeliveryStatus.FAILED, 0, error=f"template: {exc}")
            return [failed], self._dead_letter(record, "template_error", str(exc))
        outcomes: list[DeliveryOutcome] = []
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._settings.email_retry_attempts),
                wait=wait_random_exponential(
                    multiplier=self._settings.email_retry_base_seconds, max=30
                ),
                retry=retry_if_exception(lambda e: isinstance(e, ChannelError) and e.retriable),
                reraise=True,
            ):
                with attempt:
                    number = attempt.retry_state.attempt_number
                    try:
                        started = time.perf_counter()
                        reply = await self._pool.send(message)
                        self.metrics.send_seconds.labels(self.channel).observe(
                            time.perf_counter() - started
                        )
                    except ChannelError as exc:
                        status = DeliveryStatus.RETRYING if exc.retriable else DeliveryStatus.FAILED
                        outcomes.append(
                            _outcome(
                                command, status, number, error=str(exc), retriable=exc.retriable
                            )
                        )
                        self.metrics.attempts.labels(self.channel, status.value).inc()
                        raise
        except ChannelError as exc:
            if exc.retriable:  # attempts exhausted: the last RETRYING becomes FAILED
                outcomes[-1] = outcomes[-1].model_copy(update={"status": DeliveryStatus.FAILED})
            log.warning(
                "email failed permanently: %s",
                exc,
                extra={"notification_id": command.notification_id},
            )
            return outcomes, self._dead_letter(record, "delivery_failed", str(exc))
        self._seen.add(command.notification_id)
        self.metrics.attempts.labels(self.channel, DeliveryStatus.SENT.value).inc()
        outcomes.append(
            _outcome(command, DeliveryStatus.SENT, number, provider_message_id=reply[:200])
        )
        return outcomes, None

    def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, detail: str
    ) -> DeadLetter:
        raw = record.value or b""
        return DeadLetter(
            reason=reason,
            detail=detail[:500],
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            original_base64=base64.b64encode(raw).decode("ascii"),
            original_size=len(raw),
            failed_at=datetime.now(UTC),
        )


def _outcome(
    command: NotificationCommand,
    status: DeliveryStatus,
    attempt: int,
    *,
    error: str | None = None,
    retriable: bool = False,
    provider_message_id: str | None = None,
) -> DeliveryOutcome:
    return DeliveryOutcome(
        notification_id=command.notification_id,
        case_id=command.case_id,
        tenant_id=command.tenant_id,
        customer_id=command.customer_id,
        channel=command.channel,
        template=command.template,
        status=status,
        attempt=attempt,
        retriable=retriable,
        error=error[:300] if error else None,
        provider_message_id=provider_message_id,
        decline_at=command.decline_at,
        at=datetime.now(UTC),
    )
