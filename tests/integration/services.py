"""Real processes and clients for integration tests: worker, sender, sink, Kafka I/O."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from prometheus_client import CollectorRegistry

from channels.email_sender import EmailSender
from streams.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def email_sender(settings: Settings) -> AsyncIterator[EmailSender]:
    sender = EmailSender(settings, CollectorRegistry())
    task = asyncio.create_task(sender.run())
    try:
        yield sender
    finally:
        sender.stop()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=30)


async def read_topic(
    bootstrap: str, topic: str, *, at_least: int, timeout: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record from the start of `topic`, waiting until there are `at_least`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= at_least:
                # drain whatever else is already there
                batch = await consumer.getmany(timeout_ms=1000)
                records += [r for rs in batch.values() for r in rs]
                break
        return records
    finally:
        await consumer.stop()


async def wait_for(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]],
    *,
    timeout: float,
    what: str,
    on_timeout: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if isinstance(result, bool):
            done = result
        else:
            done = await result
        if done:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")


def read_mails(folder: Path) -> list[EmailMessage]:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]
