"""`make demo`: the whole system on this machine, with sample traffic and a summary.

Starts a fresh local Kafka, creates the topics, starts an SMTP sink (unless
DN_SMTP_HOST is set), the Faust worker and the email sender, publishes the
sample, waits until everything is processed, prints a summary and keeps
running until Ctrl-C, which stops every process it started.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from babel.numbers import format_currency, get_currency_precision

from demo.processes import ServiceProcess
from demo.publish import publish
from demo.sample import build_sample
from demo.scrape import Scrape, scrape
from demo.smtp_sink import count_messages
from streams.admin import create_all_topics
from streams.settings import Settings
from streams.topics import Topic, topic_name
from streams.watchdog import EXIT_STALLED

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / ".run" / "demo"
KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"


class Demo:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.procs: list[tuple[str, ServiceProcess]] = []
        self.own_sink = "smtp_host" not in settings.model_fields_set
        self.mail_dir = RUN / "mail"
        self.kafka_env = {
            **os.environ,
            "KAFKA_DATA": str(RUN / "kafka"),
            "KAFKA_PORT": self._port(),
        }

    def _port(self) -> str:
        first = self.settings.kafka_bootstrap_servers.split(",")[0]
        return first.rsplit(":", 1)[1]

    def start_kafka(self) -> None:
        print("== starting Apache Kafka (fresh single KRaft node) ==", flush=True)
        subprocess.run([str(KAFKA_SH), "stop"], env=self.kafka_env, check=False)  # noqa: S603
        shutil.rmtree(RUN, ignore_errors=True)
        RUN.mkdir(parents=True)
        subprocess.run([str(KAFKA_SH), "start"], env=self.kafka_env, check=True)  # noqa: S603

    def stop_kafka(self) -> None:
        subprocess.run([str(KAFKA_SH), "stop"], env=self.kafka_env, check=False)  # noqa: S603

    def spawn(self, name: str, *args: str) -> None:
        proc = ServiceProcess(list(args), self.settings, RUN / f"{name}.log")
        proc.start()
        self.procs.append((name, proc))
        print(f"   started {name} (pid {proc.pid}, log {proc.log})", flush=True)

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            proc.stop(timeout=20)
        self.stop_kafka()

    def check_alive(self) -> None:
        """Restart a worker that stopped itself for a stall; give up on anything else."""
        for name, proc in self.procs:
            if proc.alive():
                continue
            if proc.returncode == EXIT_STALLED:
                print(f"   {name} exited after a stall; restarting it", flush=True)
                proc.start()
                continue
            raise SystemExit(f"{name} exited; see {proc.log}:\n{proc.tail(20)}")

    async def publish_sample(self) -> tuple[int, int]:
        sample = build_sample()
        await publish(
            self.settings.kafka_bootstrap_servers,
            topic_name(self.settings, Topic.PAYMENT_EVENTS),
            sample.messages,
        )
        return len(sample.messages), len(sample.customers)

    def metrics(self) -> tuple[Scrape, Scrape]:
        worker = scrape(f"http://127.0.0.1:{self.settings.worker_web_port}/metrics")
        sender = scrape(f"http://127.0.0.1:{self.settings.sender_metrics_port}/metrics")
        return worker, sender

    def wait_settled(self, published: int, timeout: float = 240.0) -> tuple[Scrape, Scrape]:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                worker: Scrape | None = self.metrics()[0]
            except OSError:
                worker = None
            if worker is not None:
                seen = (
                    worker.total("dn_payment_events_total")
                    + worker.total("dn_duplicate_events_total")
                    + worker.total("dn_invalid_events_total")
                )
                emitted = worker.total(
                    "dn_notifications_emitted_total", channel="email"
                ) + worker.total("dn_notifications_resent_total", channel="email")
                done = sum(
                    worker.total("dn_notifications_total", channel="email", status=s)
                    for s in ("sent", "failed", "duplicate")
                )
                if seen >= published and done >= emitted:
                    return self.metrics()
            if time.monotonic() > deadline:
                raise SystemExit("processing did not settle in time; see the logs in " + str(RUN))
            time.sleep(1)


def summary(demo: Demo, published: int, customers: int, worker: Scrape, elapsed: float) -> str:
    first = worker.total("dn_notifications_emitted_total", channel="email", template="first_notice")
    thanks = worker.total(
        "dn_notifications_emitted_total", channel="email", template="payment_received"
    )
    sent = worker.total("dn_notifications_total", channel="email", status="sent")
    failed = worker.total("dn_notifications_total", channel="email", status="failed")
    recovered = worker.by_label("dn_recovered_amount_minor_total", "currency")
    total = worker.total
    reasons = {k: int(v) for k, v in worker.by_label("dn_invalid_events_total", "reason").items()}
    closed = worker.by_label("dn_cases_closed_total", "resolution")
    resends = total("dn_notifications_total", channel="email", status="duplicate")
    lines = [
        "",
        "== decline-notifier demo summary ==",
        f"events published            {published} (from {customers} customers)",
        f"events valid                {int(total('dn_payment_events_total'))}",
        f"duplicates ignored          {int(total('dn_duplicate_events_total'))}",
        f"invalid (payments.invalid)  {int(total('dn_invalid_events_total'))}  {reasons}",
        f"cases opened                {int(total('dn_cases_opened_total'))}",
        f"cases recovered             {int(closed.get('recovered', 0))}",
        f"cases closed by card update {int(closed.get('card_updated', 0))}",
        f"first notices emitted       {int(first)}",
        f"recovery confirmations      {int(thanks)}",
        f"retry requests to billing   {int(total('dn_retry_requests_total'))}",
        f"unknown decline codes       {int(total('dn_decline_codes_unknown_total'))}"
        "  (decline-notifier codes --unknown)",
        f"emails sent / failed        {int(sent)} / {int(failed)}",
        f"resends deduplicated        {int(resends)}"
        " (upstream retries of a notified event; same notification id)",
        "recovered amount:",
    ]
    for currency, minor in sorted(recovered.items()):
        major = minor / 10 ** get_currency_precision(currency)
        lines.append(f"    {currency}  {format_currency(major, currency, locale='en')}")
    if demo.own_sink:
        mail = count_messages(demo.mail_dir)
        lines.append(
            f"mails in the sink           {mail['files']} ({mail['duplicates']} duplicates) "
            f"in {demo.mail_dir}"
        )
    else:
        lines.append(
            f"mails sent to               {demo.settings.smtp_host}:{demo.settings.smtp_port}"
        )
    lines += [
        f"time to settle              {elapsed:.1f} s",
        f"worker metrics              http://127.0.0.1:{demo.settings.worker_web_port}/metrics",
        f"sender metrics              http://127.0.0.1:{demo.settings.sender_metrics_port}/metrics",
        f"Kafka                       {demo.settings.kafka_bootstrap_servers} "
        f"(publish to {topic_name(demo.settings, Topic.PAYMENT_EVENTS)})",
        "",
        "Running. Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def run_demo(settings: Settings) -> None:
    demo = Demo(settings)
    stop = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    try:
        demo.start_kafka()
        print("== creating topics ==", flush=True)
        created = asyncio.run(create_all_topics(settings))
        print(f"   {len(created)} topics created", flush=True)
        print("== starting processes ==", flush=True)
        if demo.own_sink:
            demo.spawn(
                "smtp-sink",
                "smtp-sink",
                "--dir",
                str(demo.mail_dir),
                "--port",
                str(settings.smtp_port),
            )
        demo.spawn("worker", "worker")
        demo.spawn("email-sender", "email-sender")
        print("== publishing sample traffic ==", flush=True)
        started = time.monotonic()
        published, customers = asyncio.run(demo.publish_sample())
        print(f"   {published} events published; waiting for processing to settle", flush=True)
        worker, _sender = demo.wait_settled(published)
        time.sleep(1.0)  # let the last outcomes' metrics land before reading them again
        worker, _sender = demo.metrics()
        print(summary(demo, published, customers, worker, time.monotonic() - started), flush=True)
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stop:
            demo.check_alive()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\n== stopping ==", flush=True)
        demo.stop_all()
