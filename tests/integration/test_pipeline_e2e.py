"""Failed payment in, email out: real Kafka, real worker process, real SMTP."""

import asyncio
import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from demo.processes import ServiceProcess
from demo.publish import publish
from demo.scrape import scrape
from schemas import DeadLetter
from schemas.closed_case import ClosedCase
from schemas.outcome import DeliveryOutcome
from streams.settings import Settings
from streams.topics import Topic, topic_name
from tests.helpers import TEST_PAN, event_bytes
from tests.integration.services import (
    read_mails,
    read_topic,
    wait_for,
)

pytestmark = [pytest.mark.kafka, pytest.mark.smtp, pytest.mark.slow, pytest.mark.timeout(240)]


async def test_valid_events_become_mails_and_bad_ones_reach_the_dead_letter_topic(
    settings: Settings, running: ServiceProcess, sink: Path
) -> None:
    topic = topic_name(settings, Topic.PAYMENT_EVENTS)
    bootstrap = settings.kafka_bootstrap_servers
    before = event_bytes()  # the contract event: acme / cus_42, Spanish
    after = event_bytes(
        event_id="evt_b1", customer_id="cus_43", contact={"email": "bo@example.com", "name": "Bo"}
    )
    paid = event_bytes(
        event_id="evt_ok", type="payment.succeeded", occurred_at="2026-12-01T12:00:00Z"
    )
    await publish(
        bootstrap,
        topic,
        [
            (b"acme:cus_42", before),
            (b"junk", b"\x00\x01 this is not JSON"),
            (b"junk", json.dumps({"event_id": "evt_partial", "type": "payment.failed"}).encode()),
            (b"junk", event_bytes(event_id="evt_pan", customer_id="cus_44", card_number=TEST_PAN)),
            (b"acme:cus_43", after),
            (b"acme:cus_43", after),  # upstream retry of the same event
            (b"acme:cus_42", paid),
        ],
    )

    await wait_for(
        lambda: len(list(sink.glob("*.eml"))) >= 3,
        timeout=90,
        what="three mails in the SMTP sink",
        on_timeout=running.tail,
    )
    mails = read_mails(sink)
    by_to = {(str(m["To"]), str(m["Subject"])): m for m in mails}
    recipients = sorted(str(m["To"]) for m in mails)
    assert recipients == ["Ana <ana@example.com>", "Ana <ana@example.com>", "Bo <bo@example.com>"]
    assert all(str(m["Message-ID"]).startswith("<ntf_") for m in mails)
    assert len({str(m["Message-ID"]) for m in mails}) == 3
    assert len(by_to) == 3  # a first notice and a receipt for Ana, a first notice for Bo
    for mail in mails:
        assert mail.get_content_type() == "multipart/alternative"
        assert TEST_PAN not in mail.as_string()

    invalid = await read_topic(bootstrap, topic_name(settings, Topic.PAYMENTS_INVALID), at_least=3)
    letters = [DeadLetter.model_validate_json(r.value or b"") for r in invalid]
    assert sorted(letter.reason for letter in letters) == ["card_number", "not_json", "schema"]
    pan_letter = next(x for x in letters if x.reason == "card_number")
    assert b"[REDACTED-PAN]" in base64.b64decode(pan_letter.original_base64)
    for record in invalid:
        assert TEST_PAN.encode() not in (record.value or b"")
        assert dict(record.headers)["dn-reason"] in {b"not_json", b"schema", b"card_number"}
    missing = next(x for x in letters if x.reason == "schema" and x is not pan_letter)
    assert "occurred_at: Field required" in missing.detail

    closed = await read_topic(bootstrap, topic_name(settings, Topic.CASES_CLOSED), at_least=1)
    record = ClosedCase.model_validate_json(closed[0].value or b"")
    assert (record.customer_id, record.resolution.value, record.recovered_amount) == (
        "cus_42",
        "recovered",
        1999,
    )

    outcomes = await read_topic(bootstrap, topic_name(settings, Topic.NOTIFY_OUTCOMES), at_least=3)
    statuses = [DeliveryOutcome.model_validate_json(r.value or b"").status.value for r in outcomes]
    assert statuses.count("sent") == 3

    async def metrics_settled() -> bool:
        m = await asyncio.to_thread(scrape, f"http://127.0.0.1:{settings.worker_web_port}/metrics")
        return m.total("dn_notifications_total", status="sent") >= 3

    await wait_for(metrics_settled, timeout=30, what="worker metrics to count the sent mails")
    metrics = scrape(f"http://127.0.0.1:{settings.worker_web_port}/metrics")
    assert metrics.total("dn_duplicate_events_total") == 1
    assert metrics.total("dn_invalid_events_total", reason="schema") == 1
    assert metrics.total("dn_invalid_events_total", reason="card_number") == 1
    assert metrics.total("dn_cases_opened_total", gateway="stripe") == 2
    assert metrics.total("dn_recovered_amount_minor_total", currency="EUR") == 1999
    assert metrics.total("dn_decline_to_sent_seconds_count", channel="email") == 3


@pytest.mark.skipif(
    shutil.which("kcat") is None, reason="Debian's kcat is not installed (.ci/run installs it)"
)
async def test_an_event_from_a_third_party_client_arrives_as_an_email(
    settings: Settings, running: ServiceProcess, sink: Path
) -> None:
    value = event_bytes(event_id="evt_kcat", customer_id="cus_kcat")
    await asyncio.to_thread(
        subprocess.run,
        [
            "kcat",
            "-P",
            "-b",
            settings.kafka_bootstrap_servers,
            "-t",
            topic_name(settings, Topic.PAYMENT_EVENTS),
            "-k",
            "acme:cus_kcat",
        ],
        input=value,
        check=True,
        timeout=30,
    )
    await wait_for(
        lambda: len(list(sink.glob("*.eml"))) >= 1,
        timeout=90,
        what="the kcat event's email",
        on_timeout=running.tail,
    )
    [mail] = read_mails(sink)
    assert str(mail["To"]) == "Ana <ana@example.com>"
