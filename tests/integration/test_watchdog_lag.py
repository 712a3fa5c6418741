"""The stall watchdog's lag reading against a real broker and consumer group."""

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from streams.admin import create_all_topics
from streams.settings import Settings
from streams.topics import Topic, topic_name
from streams.watchdog import lag_of

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


async def test_lag_is_end_offset_minus_the_groups_committed_offset(settings: Settings) -> None:
    await create_all_topics(settings)
    topic = topic_name(settings, Topic.PAYMENT_EVENTS)
    tp = TopicPartition(topic, 0)
    bootstrap = settings.kafka_bootstrap_servers
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    member = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=settings.app_id, enable_auto_commit=False
    )
    await probe.start()
    await admin.start()
    await member.start()
    try:
        assert await lag_of(probe, admin, settings.app_id, [tp]) == 0
        producer_records = [(b"k", f"event {i}".encode()) for i in range(5)]
        # Written straight to partition 0, the one the test watches.
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for key, value in producer_records:
                await producer.send_and_wait(topic, key=key, value=value, partition=0)
        finally:
            await producer.stop()
        assert await lag_of(probe, admin, settings.app_id, [tp]) == 5  # nothing committed
        member.assign([tp])
        await member.commit({tp: OffsetAndMetadata(2, "")})
        assert await lag_of(probe, admin, settings.app_id, [tp]) == 3
        await member.commit({tp: OffsetAndMetadata(5, "")})
        assert await lag_of(probe, admin, settings.app_id, [tp]) == 0
    finally:
        await member.stop()
        await admin.close()
        await probe.stop()
