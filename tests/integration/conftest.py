"""Fixtures for the integration tests: an SMTP sink and a running system."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from demo.processes import ServiceProcess, worker_process
from demo.smtp_sink import start_sink
from streams.admin import create_all_topics
from streams.settings import Settings
from tests.integration.services import email_sender


@pytest.fixture
def sink(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "mail"
    controller: Controller = start_sink(folder, settings.smtp_host, settings.smtp_port)
    yield folder
    controller.stop()


@pytest.fixture
async def running(settings: Settings, sink: Path, tmp_path: Path) -> AsyncIterator[ServiceProcess]:
    await create_all_topics(settings)
    worker = worker_process(settings, tmp_path / "worker.log")
    worker.start()
    async with email_sender(settings):
        yield worker
    worker.stop()
