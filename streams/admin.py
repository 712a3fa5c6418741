"""Broker administration: wait for Kafka, create every topic up front."""

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from streams.settings import Settings
from streams.topics import TopicSpec, all_topic_specs

log = logging.getLogger(__name__)


class TopicMismatchError(RuntimeError):
    pass


async def wait_for_broker(bootstrap: str, timeout: float = 60.0) -> None:
    """Return once the broker answers a metadata request; raise after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise TimeoutError(f"Kafka at {bootstrap} did not answer within {timeout:.0f}s: {last!r}")


async def ensure_topics(
    bootstrap: str, specs: list[TopicSpec], replication_factor: int = 1
) -> list[str]:
    """Create missing topics; refuse to continue if an existing one has other partitions.

    Returns the names created. Co-partitioned topics with unequal partition
    counts silently route one customer's inputs to two workers, so a mismatch
    stops start-up instead.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {s.name: s for s in specs}
        present = [n for n in wanted if n in existing]
        if present:
            for meta in await admin.describe_topics(present):
                name = meta["topic"]
                count = len(meta["partitions"])
                if count != wanted[name].partitions:
                    raise TopicMismatchError(
                        f"topic {name} has {count} partitions, configuration says "
                        f"{wanted[name].partitions} (DN_TOPIC_PARTITIONS); use the same count "
                        f"or recreate the topic"
                    )
        missing = [s for s in specs if s.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        name=s.name,
                        num_partitions=s.partitions,
                        replication_factor=replication_factor,
                        topic_configs={"cleanup.policy": "compact"} if s.compacted else {},
                    )
                    for s in missing
                ]
            )
        return [s.name for s in missing]
    finally:
        await admin.close()


async def _wait_for_leaders(bootstrap: str, names: list[str], timeout: float = 30.0) -> None:
    """Return once every partition of `names` answers as leader.

    A new partition has a leader in the metadata a moment before the broker
    serves it (producers then see NotLeaderForPartition); asking each leader
    for its end offsets is a request only a serving leader answers.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            partitions = [
                TopicPartition(name, p)
                for name in names
                for p in (consumer.partitions_for_topic(name) or set())
            ]
            try:
                if partitions and len({tp.topic for tp in partitions}) == len(names):
                    await consumer.end_offsets(partitions)
                    return
            except KafkaError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not served by a leader after {timeout:.0f}s")
            await asyncio.sleep(0.2)
            await consumer._client.force_metadata_update()
    finally:
        await consumer.stop()


async def create_all_topics(settings: Settings) -> list[str]:
    await wait_for_broker(settings.kafka_bootstrap_servers)
    specs = all_topic_specs(settings)
    created = await ensure_topics(settings.kafka_bootstrap_servers, specs)
    await _wait_for_leaders(settings.kafka_bootstrap_servers, [s.name for s in specs])
    log.info("topics ready", extra={"topics_created": len(created)})
    return created
