"""CLI commands that run processes: worker, senders, topics, demo, SMTP sink."""

import asyncio
import logging
from pathlib import Path

import click

from streams.settings import load_settings


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


@click.command()
@click.option("--loglevel", default="info", show_default=True)
def worker(loglevel: str) -> None:
    """Run the Faust stream worker (ingest, cases, outcomes)."""
    from streams.worker import run_worker

    run_worker(load_settings(), loglevel=loglevel)


@click.command("email-sender")
def email_sender() -> None:
    """Run the email sender (consumer group on notify.email)."""
    from channels.run import run_email_sender

    _logging()
    asyncio.run(run_email_sender(load_settings()))


@click.group()
def topics() -> None:
    """Manage the Kafka topics the system uses."""


@topics.command("create")
def topics_create() -> None:
    """Create every topic (idempotent); fail if partition counts differ."""
    from streams.admin import create_all_topics

    _logging()
    created = asyncio.run(create_all_topics(load_settings()))
    click.echo(f"{len(created)} topics created" + (": " + ", ".join(created) if created else ""))


@click.command("smtp-sink")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=Path(".run/mail"))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
def smtp_sink(folder: Path, host: str, port: int) -> None:
    """Run a local SMTP server that saves each message to a folder."""
    from demo.smtp_sink import serve_forever

    click.echo(f"SMTP sink on {host}:{port}, saving to {folder}")
    serve_forever(folder, host, port)


@click.command()
def demo() -> None:
    """Run the whole system locally with sample traffic (what `make demo` runs)."""
    from demo.run import run_demo

    run_demo(load_settings())


COMMANDS = (worker, email_sender, topics, smtp_sink, demo)
