"""Input adapters against provider-shaped fixtures."""

import base64
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agents.case_logic import classify_event
from agents.taxonomy import Category
from agents.taxonomy.codes import compose_code, split_code
from schemas.adapters import (
    AdapterError,
    IgnoredEvent,
    detect,
    normalize,
    normalize_all,
)
from schemas.payment_event import PaymentEventType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Visa's published test card number: only here to prove card numbers are refused.
TEST_PAN = "4111111111111111"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def test_canonical_passes_through() -> None:
    canonical = load("cloudevents/canonical.json")["data"]
    assert detect(canonical) == "canonical"
    assert normalize(canonical).event_id == "evt_ce_001"


def test_stripe_charge_failed() -> None:
    e = normalize(load("stripe/charge.failed.json"))
    assert e.type is PaymentEventType.FAILED
    assert (e.tenant_id, e.customer_id, e.gateway) == ("acme", "cus_NffrFeUfNV2Hib", "stripe")
    assert e.payment_id == "in_1MtHbELkdIwHu7ixl4OzzPMv"  # same case as invoice.payment_failed
    assert (e.amount, e.currency) == (1999, "EUR")
    assert e.occurred_at == datetime.fromtimestamp(1764583200, UTC)
    assert (e.decline_code, e.network_decline_code, e.advice_code) == (
        "insufficient_funds",
        "51",
        "try_again_later",
    )
    assert e.network_advice_code == "02"
    assert e.payment_method is not None
    assert (e.payment_method.brand, e.payment_method.last4) == ("visa", "9995")
    assert (e.payment_method.exp_month, e.payment_method.exp_year) == (8, 2030)
    assert e.contact is not None and e.contact.email == "ana@example.com"
    c = classify_event(e)
    assert c.category is Category.INSUFFICIENT_FUNDS
    assert c.retry_allowed and c.min_wait_seconds == 3 * 86400  # MAC 02 reading


def test_stripe_payment_intent_failed_carries_do_not_try_again() -> None:
    e = normalize(load("stripe/payment_intent.payment_failed.json"))
    assert e.tenant_id == "acct_1Nv0FGQ9RKHgCVdK"  # Connect account as tenant
    assert e.currency == "USD"
    assert e.payment_method is not None and e.payment_method.brand == "mastercard"
    assert e.contact is not None and e.contact.email == "bob@example.com"
    c = classify_event(e)
    assert c.category is Category.DO_NOT_HONOR
    assert not c.retry_allowed


def test_stripe_invoice_failed_maps_customer_email() -> None:
    e = normalize(load("stripe/invoice.payment_failed.json"))
    assert e.payment_id == "in_1MtHbELkdIwHu7ixl4OzzPMv"
    assert e.amount == 1999
    assert e.contact is not None
    assert (e.contact.email, e.contact.phone, e.contact.name) == (
        "ana@example.com",
        "+34600000000",
        "Ana Test",
    )
    assert e.decline_code is None  # invoices carry no decline unless expanded


@pytest.mark.parametrize(
    "name", ["charge.succeeded", "invoice.payment_succeeded", "payment_intent.succeeded"]
)
def test_stripe_succeeded(name: str) -> None:
    e = normalize(load(f"stripe/{name}.json"))
    assert e.type is PaymentEventType.SUCCEEDED
    assert e.decline_code is None and e.network_advice_code is None


def test_stripe_expanded_invoice_payment_intent() -> None:
    raw = load("stripe/invoice.payment_failed.json")
    pi = load("stripe/payment_intent.payment_failed.json")["data"]["object"]
    raw["data"]["object"]["payment_intent"] = pi
    e = normalize(raw)
    assert e.payment_id == "in_1MtHbELkdIwHu7ixl4OzzPMv"
    assert (e.decline_code, e.network_decline_code, e.advice_code) == (
        "generic_decline",
        "05",
        "do_not_try_again",
    )
    assert e.network_advice_code == "03"


def test_stripe_tenant_required_or_default() -> None:
    raw = load("stripe/charge.failed.json")
    del raw["data"]["object"]["metadata"]["tenant_id"]
    with pytest.raises(AdapterError, match="no_tenant"):
        normalize(raw)
    assert normalize(raw, default_tenant="solo").tenant_id == "solo"


def test_stripe_other_types_are_ignored() -> None:
    raw = load("stripe/charge.failed.json")
    raw["type"] = "charge.refunded"
    with pytest.raises(IgnoredEvent):
        normalize(raw)


def test_stripe_bad_email_is_dropped_not_fatal() -> None:
    raw = load("stripe/invoice.payment_failed.json")
    raw["data"]["object"]["customer_email"] = "not an email"
    e = normalize(raw)
    assert e.contact is not None and e.contact.email is None and e.contact.name == "Ana Test"


def test_adyen_refused() -> None:
    e = normalize(load("adyen/authorisation.refused.json"))
    assert e.type is PaymentEventType.FAILED
    assert (e.tenant_id, e.customer_id, e.payment_id) == (
        "GlobexEU",
        "shopper-77",
        "order-2026-0001",
    )
    assert e.event_id == "adyen-QFQTPCQ8HXSKGK82-AUTHORISATION-false"
    assert (e.amount, e.currency) == (1000, "EUR")
    assert (e.decline_code, e.network_decline_code) == ("Refused", "41")
    assert e.network_advice_code == "01"
    assert e.payment_method is not None
    assert (e.payment_method.brand, e.payment_method.last4) == ("mastercard", "0002")
    assert (e.payment_method.exp_month, e.payment_method.exp_year) == (3, 2030)
    assert e.contact is not None and e.contact.email == "carla@example.com"
    c = classify_event(e)
    assert c.category is Category.LOST_OR_STOLEN
    assert not c.retry_allowed and not c.disclose_reason


def test_adyen_success() -> None:
    e = normalize(load("adyen/authorisation.success.json"))
    assert e.type is PaymentEventType.SUCCEEDED
    assert e.decline_code is None
    assert e.payment_method is not None and e.payment_method.exp_month == 8


def test_adyen_capture_is_ignored_and_batches_keep_the_rest() -> None:
    capture = load("adyen/capture.json")
    with pytest.raises(IgnoredEvent):
        normalize(capture)
    batch = load("adyen/authorisation.refused.json")
    batch["notificationItems"] += capture["notificationItems"]
    batch["notificationItems"] += load("adyen/authorisation.success.json")["notificationItems"]
    events = normalize_all(batch)
    assert [e.type for e in events] == [PaymentEventType.FAILED, PaymentEventType.SUCCEEDED]
    with pytest.raises(AdapterError, match="batch"):
        normalize(batch)


def test_adyen_without_shopper_reference() -> None:
    raw = load("adyen/authorisation.refused.json")
    del raw["notificationItems"][0]["NotificationRequestItem"]["additionalData"][
        "recurring.shopperReference"
    ]
    with pytest.raises(AdapterError, match="no_customer"):
        normalize(raw)


def test_adyen_merchant_reference_with_odd_characters_falls_back_to_psp() -> None:
    raw = load("adyen/authorisation.refused.json")
    raw["notificationItems"][0]["NotificationRequestItem"]["merchantReference"] = "order #1/2"
    assert normalize(raw).payment_id == "QFQTPCQ8HXSKGK82"


@pytest.mark.parametrize("name", ["canonical", "stripe", "adyen"])
def test_cloudevents_wrap_every_shape(name: str) -> None:
    raw = load(f"cloudevents/{name}.json")
    assert detect(raw) == "cloudevents"
    inner = copy.deepcopy(raw["data"])
    assert normalize(raw) == normalize(inner)


def test_cloudevents_data_base64() -> None:
    raw = load("cloudevents/canonical.json")
    data = raw.pop("data")
    raw["data_base64"] = base64.b64encode(json.dumps(data).encode()).decode()
    assert normalize(raw).event_id == "evt_ce_001"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"specversion": "0.3"}, "bad_cloudevent"),
        ({"id": ""}, "bad_cloudevent"),
        ({"datacontenttype": "text/plain"}, "bad_cloudevent"),
        ({"data": "a string"}, "bad_cloudevent"),
    ],
)
def test_cloudevents_envelope_errors(change: dict[str, Any], reason: str) -> None:
    raw = load("cloudevents/canonical.json")
    raw.update(change)
    with pytest.raises(AdapterError, match=reason):
        normalize(raw)


@pytest.mark.parametrize("raw", [[], "x", {"hello": "world"}, {"object": "event"}])
def test_unrecognized_shapes(raw: Any) -> None:
    with pytest.raises(AdapterError, match="unrecognized") as info:
        normalize(raw)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("stripe/charge.failed.json", ("data", "object", "description")),
        ("stripe/charge.failed.json", ("data", "object", "billing_details", "name")),
        (
            "adyen/authorisation.refused.json",
            ("notificationItems", 0, "NotificationRequestItem", "reason"),
        ),
        ("cloudevents/canonical.json", ("data", "contact", "name")),
    ],
)
def test_card_number_anywhere_is_rejected(name: str, path: tuple[str | int, ...]) -> None:
    raw = load(name)
    node: Any = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = f"card {TEST_PAN}"
    with pytest.raises(AdapterError, match="card_number"):
        normalize(raw)


def test_compose_and_split_round_trip() -> None:
    assert split_code(compose_code("generic_decline", iso="05", advice="do_not_try_again")) == (
        split_code("generic_decline|iso:05|advice:do_not_try_again")
    )
    assert compose_code(None) is None
    long = compose_code(
        "mobile_device_authentication_required", iso="1A", advice="do_not_try_again"
    )
    assert long is not None and len(long) <= 64 and long.endswith("advice:do_not_try_again")
