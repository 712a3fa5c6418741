"""Session services for integration tests: a real Kafka broker (started here if
none answers on the test port) and per-test isolated settings."""

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.settings import Settings

REPO = Path(__file__).resolve().parent.parent
KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
# Not 9092: a developer's `make demo` may be running beside the tests.
TEST_KAFKA_PORT = 19092


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    env = {
        **os.environ,
        "KAFKA_PORT": str(TEST_KAFKA_PORT),
        "KAFKA_DATA": str(REPO / ".run" / "kafka-test"),
    }
    already = subprocess.run([str(KAFKA_SH), "status"], env=env, check=False).returncode == 0
    if not already:
        subprocess.run([str(KAFKA_SH), "start"], env=env, check=True)
    yield f"127.0.0.1:{TEST_KAFKA_PORT}"
    if not already:
        subprocess.run([str(KAFKA_SH), "stop"], env=env, check=False)


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Unique topics, consumer groups and ports for one test."""
    run = uuid.uuid4().hex[:10]
    return Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{run}.",
        app_id=f"dn-test-{run}",
        topic_partitions=4,
        worker_web_port=free_port(),
        sender_metrics_port=free_port(),
        data_dir=tmp_path / "worker",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        email_retry_base_seconds=0.05,
        email_retry_attempts=4,
        commit_interval_seconds=0.5,
    )
