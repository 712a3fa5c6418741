"""Publish a batch of records in order and wait until the broker has them all.

Used by the demo, the integration tests and the benchmarks: batched sends
(never `send_and_wait` per record), every delivery confirmed before returning.
"""

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer


async def publish(
    bootstrap: str, topic: str, messages: Sequence[tuple[bytes | None, bytes]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, key=key, value=value) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
