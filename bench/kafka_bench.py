"""Kafka benchmarks: the bare aiokafka loop (the ceiling) and the real Faust worker.

Both read the same pre-produced events from the same topic. Throughput is the
steady rate from the first message processed to the last, so consumer-group
joins and worker start-up are reported apart, not averaged in.
"""

import asyncio
import socket
import time
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from demo.processes import ServiceProcess
from demo.publish import publish
from demo.scrape import scrape
from streams.admin import _wait_for_leaders  # same readiness check as the app's topics
from streams.settings import Settings

# Faust's default broker_max_poll_records: the baseline fetches batches of the same size.
MAX_RECORDS = 1000


class BenchFailure(RuntimeError):
    """A run did not process every message: its numbers would be meaningless."""


@dataclass
class Throughput:
    messages: int
    seconds: float  # first message processed -> last
    startup_seconds: float = 0.0  # start of the run -> first message processed

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Latency:
    samples_ms: list[float] = field(default_factory=list)

    def pct(self, q: float) -> float:
        if not self.samples_ms:
            return float("nan")
        s = sorted(self.samples_ms)
        return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def create_plain_topics(bootstrap: str, names: Sequence[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in names]
        )
    finally:
        await admin.close()
    await _wait_for_leaders(bootstrap, list(names))


async def produce_all(bootstrap: str, topic: str, messages: Sequence[tuple[bytes, bytes]]) -> None:
    """Pre-produce as fast as the producer batches; every delivery is confirmed."""
    await publish(bootstrap, topic, messages)


async def forward_loop(
    bootstrap: str,
    src: str,
    dst: str,
    group: str,
    expected: int,
    timeout: float,
    assigned: asyncio.Event | None = None,
    commit_every: float | None = 1.0,
) -> Throughput:
    """The bare at-least-once loop: getmany, send each record on, commit once acknowledged.

    With `commit_every` (seconds) sends are not awaited per batch: the loop
    keeps fetching while the producer delivers, and every `commit_every` it
    awaits the outstanding acks and commits, as the Faust worker does with
    its commit interval. With None it awaits the acks and commits after every
    batch: simpler, but each batch then waits a produce and a commit round
    trip, which costs latency and throughput.
    """
    started = time.perf_counter()
    consumer = AIOKafkaConsumer(
        src,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    await consumer.start()
    count = 0
    first: float | None = None
    pending: list[asyncio.Future[Any]] = []
    last_commit = time.perf_counter()

    async def commit() -> None:
        nonlocal last_commit
        await asyncio.gather(*pending)
        pending.clear()
        await consumer.commit()
        last_commit = time.perf_counter()

    try:
        while count < expected:
            if time.perf_counter() - started > timeout:
                raise BenchFailure(
                    f"baseline {src} -> {dst}: {count} of {expected} in {timeout:.0f}s"
                )
            if assigned is not None and consumer.assignment():
                assigned.set()
            batch = await consumer.getmany(timeout_ms=100, max_records=MAX_RECORDS)
            records = [r for rs in batch.values() for r in rs]
            if records:
                if first is None:
                    first = time.perf_counter()
                pending += [await producer.send(dst, key=r.key, value=r.value) for r in records]
                count += len(records)
            if pending and (
                commit_every is None or time.perf_counter() - last_commit > commit_every
            ):
                await commit()
        await commit()  # the run ends when every message is acknowledged and committed
        end = time.perf_counter()
    finally:
        await consumer.stop()
        await producer.stop()
    assert first is not None
    return Throughput(count, end - first, first - started)


async def chained_loops(
    bootstrap: str,
    topics: tuple[str, str, str],
    group: str,
    expected: int,
    timeout: float,
    commit_every: float | None = 1.0,
) -> Throughput:
    """Two bare loops in one process, a -> b -> c: the pipeline's shape (two Kafka hops)."""
    a, b, c = topics
    hop1, hop2 = await asyncio.gather(
        forward_loop(bootstrap, a, b, f"{group}-1", expected, timeout, None, commit_every),
        forward_loop(bootstrap, b, c, f"{group}-2", expected, timeout, None, commit_every),
    )
    first = hop1.startup_seconds  # both started together: offsets from the same instant
    last = hop2.startup_seconds + hop2.seconds
    return Throughput(expected, last - first, first)


class Worker(ServiceProcess):
    """The real worker as a child process, polled through its /metrics."""

    def __init__(self, settings: Settings, log: Path) -> None:
        super().__init__(["worker", "--loglevel", "warning"], settings, log)
        self.url = f"http://127.0.0.1:{settings.worker_web_port}/metrics"
        self.started = 0.0

    def start(self) -> None:
        super().start()
        self.started = time.perf_counter()

    def seen(self) -> float | None:
        """Events the case agent has accounted for (valid + duplicate + invalid), or None."""
        try:
            s = scrape(self.url, timeout=2.0)
        except OSError:
            return None  # web server not up yet
        return (
            s.total("dn_payment_events_total")
            + s.total("dn_duplicate_events_total")
            + s.total("dn_invalid_events_total")
        )

    async def wait_seen(
        self, expected: int, timeout: float, base: float = 0.0, poll: float = 0.2
    ) -> Throughput:
        """Poll /metrics until `expected` events are counted; steady rate between samples.

        The rate runs from the first sample that saw any event to the sample
        that saw them all, counting only the events in between: start-up and
        the poll granularity before the first event do not dilute it. `base`
        is what the counters already held before these events.
        """
        deadline = time.perf_counter() + timeout
        first: tuple[float, float] | None = None
        last_zero = time.perf_counter()
        while True:
            if self.proc is None or self.proc.poll() is not None:
                raise BenchFailure(f"worker exited early; log tail:\n{self.tail()}")
            before = time.perf_counter()
            value = await asyncio.to_thread(self.seen)
            at = (before + time.perf_counter()) / 2
            count = (value or 0.0) - base
            if count <= 0:
                last_zero = at
            elif first is None:
                first = (at, count)
            if count >= expected and first is not None:
                if first[1] >= expected:  # everything landed between two polls
                    return Throughput(expected, at - last_zero, last_zero - self.started)
                return Throughput(int(expected - first[1]), at - first[0], first[0] - self.started)
            if time.perf_counter() > deadline:
                raise BenchFailure(
                    f"pipeline processed {count:.0f} of {expected} in {timeout:.0f}s; "
                    f"worker log tail:\n{self.tail()}"
                )
            await asyncio.sleep(poll)


async def paced_produce(
    bootstrap: str, topic: str, messages: Sequence[tuple[bytes, bytes]], rate: float
) -> dict[bytes, int]:
    """Send at a steady `rate`; return each key's send time (ms, the record timestamp)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    sent: dict[bytes, int] = {}
    try:
        start = time.perf_counter()
        futures = []
        for i, (key, value) in enumerate(messages):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            ts = time.time_ns() // 1_000_000
            sent[key] = ts
            futures.append(await producer.send(topic, key=key, value=value, timestamp_ms=ts))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sent


async def read_records(
    bootstrap: str, topic: str, want: int, timeout: float, only: Container[bytes]
) -> list[ConsumerRecord[bytes, bytes]]:
    """Records of `topic` from the start whose key is in `only`, until there are `want`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.perf_counter() + timeout
        while len(out) < want:
            if time.perf_counter() > deadline:
                raise BenchFailure(f"{topic}: read {len(out)} of {want} in {timeout:.0f}s")
            batch = await consumer.getmany(timeout_ms=300)
            out += [r for rs in batch.values() for r in rs if r.key in only]
    finally:
        await consumer.stop()
    return out


def latencies(sent: dict[bytes, int], records: Sequence[ConsumerRecord[bytes, bytes]]) -> Latency:
    """Output record timestamp minus the source record's, matched by key (ms resolution)."""
    out = Latency()
    for r in records:
        if r.key in sent:
            out.samples_ms.append(float(r.timestamp - sent[r.key]))
    return out
