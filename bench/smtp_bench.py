"""Email benchmarks: the real EmailSender against raw aiosmtplib, same sink, same run.

The baselines send messages built beforehand (no templating, no Kafka), over
one reused connection and over a pool of the sender's size; the sender does
everything it does in production: consume notify.email, render, send over its
pool, publish outcomes, commit.
"""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from prometheus_client import CollectorRegistry

from bench.kafka_bench import BenchFailure, Throughput
from channels.email_sender import EmailSender
from streams.settings import Settings

REPO = Path(__file__).resolve().parent.parent


class Sink:
    """bench.sink as a child process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sink", str(self.port)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise BenchFailure(f"SMTP sink did not start (said {line!r})")

    def stop(self) -> int:
        """Stop the sink; return how many messages it accepted."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.terminate()
        out, _ = self.proc.communicate(timeout=20)
        for line in out.splitlines():
            if line.startswith("accepted "):
                return int(line.split()[1])
        return 0


def _client(port: int) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=10)


async def raw_send(port: int, messages: Sequence[EmailMessage], connections: int) -> Throughput:
    """Prebuilt messages over `connections` reused connections, as fast as they go."""
    clients = [_client(port) for _ in range(connections)]
    await asyncio.gather(*(c.connect() for c in clients))
    todo: Iterator[EmailMessage] = iter(messages)
    sent = 0

    async def drain(client: aiosmtplib.SMTP) -> None:
        nonlocal sent
        for message in todo:  # shared iterator: each message goes out once
            await client.send_message(message)
            sent += 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(drain(c) for c in clients))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.quit() for c in clients), return_exceptions=True)
    if sent != len(messages):
        raise BenchFailure(f"raw aiosmtplib sent {sent} of {len(messages)}")
    return Throughput(sent, elapsed)


def _count(registry: CollectorRegistry, status: str) -> float:
    value = registry.get_sample_value(
        "dn_sender_attempts_total", {"channel": "email", "status": status}
    )
    return value or 0.0


async def run_sender(settings: Settings, expected: int, timeout: float) -> Throughput:
    """Run EmailSender in-process until its metrics count `expected` sent mails."""
    registry = CollectorRegistry()
    sender = EmailSender(settings, registry)
    started = time.perf_counter()
    task = asyncio.create_task(sender.run())
    first: tuple[float, float] | None = None
    try:
        while True:
            await asyncio.sleep(0.02)
            if task.done():
                task.result()  # re-raises the sender's error
                raise BenchFailure("email sender stopped early")
            now = time.perf_counter()
            sent = _count(registry, "sent")
            bad = _count(registry, "failed") + _count(registry, "retrying")
            if bad:
                raise BenchFailure(f"email sender saw {bad:.0f} failed or retried attempts")
            if sent and first is None:
                first = (now, sent)
            if sent >= expected and first is not None:
                if first[1] >= expected:
                    return Throughput(expected, now - started, 0.0)
                return Throughput(int(expected - first[1]), now - first[0], first[0] - started)
            if now - started > timeout:
                raise BenchFailure(f"email sender sent {sent:.0f} of {expected} in {timeout:.0f}s")
    finally:
        sender.stop()
        try:
            await asyncio.wait_for(task, timeout=30)
        except Exception as exc:  # noqa: BLE001 - reported, the measurement already failed
            print(f"email sender shutdown: {exc!r}", flush=True)
