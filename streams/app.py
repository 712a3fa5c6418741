"""Faust app factory. Tiny on purpose: agents register themselves on the app."""

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from prometheus_client import CollectorRegistry

from streams.settings import Settings


def create_app(settings: Settings, registry: CollectorRegistry) -> faust.App:
    app = faust.App(
        settings.app_id,
        broker=[
            f"kafka://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(",")
        ],
        store=settings.table_store,
        datadir=str(settings.data_dir),
        topic_partitions=settings.topic_partitions,
        # No on_leader timers here, so no leader-election topic.
        topic_disable_leader=True,
        broker_commit_interval=settings.commit_interval_seconds,
        # Faust's 60 s default keeps a killed worker's partitions idle for a minute.
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_seconds / 3),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        web_port=settings.worker_web_port,
        web_bind=settings.http_host,
        web_host="127.0.0.1",
        # Table contents are customer data: never serve them over HTTP.
        web_tables_enabled=False,
    )
    setup_prometheus_sensors(app, registry=registry, name_prefix="dn_faust")
    return app
