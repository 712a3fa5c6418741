"""The benchmark's Kafka broker: reuse one that answers, else start (and later stop) one.

Port 29092 and its own data directory, so neither `make demo` (9092) nor the
tests (19092) are disturbed, and a benchmark never shares a broker with them.
"""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

REPO = Path(__file__).resolve().parent.parent
KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
BENCH_KAFKA_PORT = 29092


@dataclass
class Broker:
    bootstrap: str
    started_here: bool
    env: dict[str, str]

    def stop(self) -> None:
        if self.started_here:
            subprocess.run([str(KAFKA_SH), "stop"], env=self.env, check=False)


def ensure_broker(port: int = BENCH_KAFKA_PORT) -> Broker:
    env = {
        **os.environ,
        "KAFKA_PORT": str(port),
        "KAFKA_DATA": str(REPO / ".run" / "kafka-bench"),
    }
    answers = subprocess.run([str(KAFKA_SH), "status"], env=env, check=False).returncode == 0
    if not answers:
        print(f"starting a Kafka broker on 127.0.0.1:{port} (.run/kafka-bench)", flush=True)
        subprocess.run([str(KAFKA_SH), "start"], env=env, check=True)
    else:
        print(f"using the Kafka broker already answering on 127.0.0.1:{port}", flush=True)
    return Broker(f"127.0.0.1:{port}", started_here=not answers, env=env)


def kafka_version() -> str:
    return os.environ.get("KAFKA_VERSION", "4.0.2 (kafka.sh default)")


async def delete_run_topics(bootstrap: str, prefixes: tuple[str, ...]) -> int:
    """Delete this run's topics, so a reused broker does not accumulate partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefixes)]
        if names:
            await admin.delete_topics(names)
        return len(names)
    finally:
        await admin.close()
