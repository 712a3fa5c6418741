import json
from datetime import UTC, datetime

import jsonschema
import pytest
from pydantic import ValidationError

from schemas import PaymentEvent, PaymentEventType
from schemas.generate import JSON_DIR, MODELS, stale_files
from schemas.notification import Channel, notification_id
from schemas.pan import contains_pan, luhn_ok, redact_bytes
from tests.helpers import CONTRACT_EVENT, TEST_PAN, event


def test_contract_event_is_a_valid_failed_payment() -> None:
    parsed = PaymentEvent.model_validate_json(json.dumps(CONTRACT_EVENT))
    assert parsed.type is PaymentEventType.FAILED
    assert parsed.amount == 1999 and parsed.currency == "EUR"
    assert parsed.occurred_at == datetime(2026, 12, 1, 10, 15, tzinfo=UTC)
    assert parsed.customer_key == "acme:cus_42"
    assert parsed.contact is not None and parsed.contact.locale == "es"


def test_contract_event_matches_committed_json_schema() -> None:
    schema = json.loads((JSON_DIR / "payment_event.v1.schema.json").read_text())
    jsonschema.validate(CONTRACT_EVENT, schema)


def test_committed_json_schemas_are_current() -> None:
    assert stale_files() == []
    assert set(MODELS) >= {
        "payment_event.v1",
        "notification_command.v1",
        "delivery_outcome.v1",
        "dead_letter.v1",
    }


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"card_number": TEST_PAN}, "card number"),
        ({"cvv": "123"}, "Extra inputs are not permitted"),
        ({"payment_method": {"brand": "visa", "last4": "4242", "number": "4242"}}, "Extra inputs"),
        ({"contact": {"name": f"Ana {TEST_PAN}"}}, "card number"),
        ({"amount": 19.99}, "amount"),
        ({"amount": "1999"}, "amount"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "ZZZ"}, "ISO 4217"),
        ({"occurred_at": "2026-12-01T10:15:00"}, "timezone"),
        ({"type": "payment.maybe"}, "type"),
        ({"customer_id": "a:b"}, "customer_id"),
        ({"contact": {"timezone": "Mars/Olympus"}}, "time zone"),
        ({"contact": {"email": "a@b.c\r\nBcc: x@y.z"}}, "email"),
        ({"payment_method": {"brand": "visa", "last4": "42"}}, "last4"),
    ],
)
def test_invalid_events_are_rejected_with_a_reason(
    changes: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        PaymentEvent.model_validate(event(**changes))
    assert fragment.lower() in str(info.value).lower()


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        PaymentEvent.model_validate({"event_id": "evt_1"})
    missing = {e["loc"][0] for e in info.value.errors() if e["type"] == "missing"}
    assert {"occurred_at", "tenant_id", "customer_id", "amount", "currency", "type"} <= missing


def test_luhn_and_pan_detection() -> None:
    assert luhn_ok(TEST_PAN)
    assert not luhn_ok("4111111111111112")
    assert contains_pan("card 4111 1111 1111 1111 here")
    assert not contains_pan("order 4111111111111112")  # fails Luhn: an ordinary number
    assert redact_bytes(b'{"n": "4111-1111-1111-1111", "amount": 1999}') == (
        b'{"n": "[REDACTED-PAN]", "amount": 1999}'
    )


def test_notification_id_is_deterministic_and_distinct() -> None:
    a = notification_id("case_1", "first_notice", Channel.EMAIL)
    assert a == notification_id("case_1", "first_notice", Channel.EMAIL)
    assert a != notification_id("case_1", "first_notice", Channel.SMS)
    assert a != notification_id("case_1", "reminder", Channel.EMAIL)
    assert a.startswith("ntf_") and len(a) == 36
