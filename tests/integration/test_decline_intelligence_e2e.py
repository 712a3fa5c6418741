"""Raw Stripe webhooks in: classified cases, first emails and retry requests out."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from demo.processes import ServiceProcess
from demo.publish import publish
from schemas.retry_request import RetryRequest
from streams.settings import Settings
from streams.topics import Topic, topic_name
from tests.integration.services import read_mails, read_topic, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.smtp, pytest.mark.slow, pytest.mark.timeout(240)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"


def stripe_charge_failed(customer: str, reason: str, advice: str, network_code: str) -> bytes:
    raw: dict[str, Any] = json.loads((FIXTURES / "charge.failed.json").read_text())
    raw["id"] = f"evt_{customer}"
    charge = raw["data"]["object"]
    charge["id"] = f"ch_{customer}"
    charge["customer"] = customer
    charge["billing_details"]["email"] = f"{customer}@example.com"
    charge["outcome"].update(
        {"reason": reason, "advice_code": advice, "network_decline_code": network_code}
    )
    return json.dumps(raw).encode()


async def test_stripe_declines_are_classified_retried_and_worded_safely(
    settings: Settings, running: ServiceProcess, sink: Path
) -> None:
    funds = stripe_charge_failed("cus_a", "insufficient_funds", "try_again_later", "51")
    stolen = stripe_charge_failed("cus_b", "stolen_card", "do_not_try_again", "43")
    await publish(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.PAYMENT_EVENTS),
        [(b"cus_a", funds), (b"cus_b", stolen)],
    )

    await wait_for(
        lambda: len(list(sink.glob("*.eml"))) >= 2,
        timeout=90,
        what="a first email for each Stripe decline",
        on_timeout=running.tail,
    )
    mails = {str(m["To"]).split("<")[-1].rstrip(">"): m for m in read_mails(sink)}
    assert set(mails) == {"cus_a@example.com", "cus_b@example.com"}
    stolen_text = mails["cus_b@example.com"].as_string().lower()
    for word in ("stolen", "lost", "fraud"):
        assert word not in stolen_text

    records = await read_topic(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.RETRY_REQUESTS),
        at_least=1,
        timeout=30,
    )
    requests = [RetryRequest.model_validate_json(r.value or b"") for r in records]
    assert [r.customer_id for r in requests] == ["cus_a"]  # none for the stolen card
    [request] = requests
    failed_at = datetime.fromtimestamp(json.loads(funds)["data"]["object"]["created"], tz=UTC)
    # Billing retries the invoice the charge belonged to.
    assert request.payment_id == json.loads(funds)["data"]["object"]["invoice"]
    # The fixture's Mastercard advice code 02 asks for a 72-hour wait.
    assert request.not_before >= failed_at + timedelta(hours=72)
    assert request.not_before - failed_at < timedelta(days=4)
    assert (request.not_before.hour, request.not_before.minute) == (9, 0)  # UTC: no zone given
