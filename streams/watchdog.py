"""Stall watchdog: a worker that has input waiting but processes nothing exits.

faust-streaming can, rarely, come back from a crash-restart "ready" yet never
fetch again (seen here about once in ten SIGKILL tests; upstream issues #175
and #523). Nothing is lost — offsets are not committed — but nothing moves.
The worker cannot fix that from inside, so it fails fast: when its assigned
input partitions have uncommitted records and it has not processed an event
for `DN_STALL_TIMEOUT_SECONDS`, it logs an error and exits with code 75
(EX_TEMPFAIL). A supervisor (Kubernetes, `make demo`, the crash test) starts
it again and it resumes from the committed offsets.
"""

import asyncio
import logging
import os
import time
from dataclasses import dataclass

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from streams.settings import Settings

log = logging.getLogger(__name__)

EXIT_STALLED = 75
CHECK_EVERY_SECONDS = 5.0


@dataclass
class StallClock:
    """Pure bookkeeping: when did the worker last make progress or have nothing to do."""

    timeout: float
    last_events: int = -1
    idle_since: float = 0.0

    def observe(self, *, now: float, events: int, busy_elsewhere: bool, lag: int | None) -> bool:
        """Record one check; True when the worker is stalled.

        Progress (a new event count), a rebalance or recovery in progress, and
        an empty backlog all restart the clock: only "input waiting, nothing
        processed, for `timeout` seconds" is a stall.
        """
        if events != self.last_events or busy_elsewhere or lag == 0:
            self.last_events = events
            self.idle_since = now
            return False
        return lag is not None and lag > 0 and now - self.idle_since >= self.timeout


async def lag_of(
    probe: AIOKafkaConsumer, admin: AIOKafkaAdminClient, group: str, tps: list[TopicPartition]
) -> int | None:
    """Records in `tps` past the group's committed offsets; None if Kafka did not answer."""
    if not tps:
        return 0
    try:
        ends = await probe.end_offsets(tps)
        committed = await admin.list_consumer_group_offsets(group, partitions=tps)
    except (KafkaError, OSError, TimeoutError):
        return None
    total = 0
    for tp in tps:
        meta = committed.get(tp)
        done = meta.offset if meta is not None and meta.offset >= 0 else 0
        total += max(ends.get(tp, 0) - done, 0)
    return total


def install_watchdog(app: faust.App, settings: Settings, source_topics: set[str]) -> None:
    """Run the stall check as a Faust task on this worker (reads only; writes nothing)."""
    if settings.stall_timeout_seconds <= 0:
        return
    clock = StallClock(timeout=settings.stall_timeout_seconds)

    async def stall_watchdog() -> None:
        probe = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        await probe.start()
        await admin.start()
        try:
            while True:
                await asyncio.sleep(CHECK_EVERY_SECONDS)
                busy = bool(app.rebalancing or app.in_recovery)
                tps = [
                    TopicPartition(tp.topic, tp.partition)
                    for tp in app.consumer.assignment()
                    if tp.topic in source_topics
                ]
                lag = None if busy else await lag_of(probe, admin, settings.app_id, tps)
                events = int(app.monitor.events_total)
                if clock.observe(now=time.monotonic(), events=events, busy_elsewhere=busy, lag=lag):
                    log.error(
                        "worker stalled: %s input records waiting, no event processed for %.0f s;"
                        " exiting for a restart",
                        lag,
                        settings.stall_timeout_seconds,
                    )
                    logging.shutdown()
                    os._exit(EXIT_STALLED)
        finally:
            await probe.stop()
            await admin.close()

    app.task(stall_watchdog)
