"""Runs one channel sender process with its status server until SIGINT/SIGTERM."""

import asyncio
import logging
import signal

from prometheus_client import CollectorRegistry

from channels.email_sender import EmailSender
from channels.status_server import StatusServer
from streams.settings import Settings

log = logging.getLogger(__name__)


async def run_email_sender(settings: Settings) -> None:
    registry = CollectorRegistry()
    sender = EmailSender(settings, registry)
    status = StatusServer(
        registry, settings.sender_metrics_port, ready=lambda: sender.ready, host=settings.http_host
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, sender.stop)
    await status.start()
    try:
        await sender.run()
    finally:
        await status.stop()
