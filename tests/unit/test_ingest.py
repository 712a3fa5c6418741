import base64
from datetime import UTC, datetime

from agents.ingest import Ignored, Rejection, dead_letter, decode_events
from schemas import PaymentEvent
from tests.helpers import TEST_PAN, event_bytes

LIMIT = 1_048_576


def test_valid_bytes_decode_to_an_event() -> None:
    result = decode_events(event_bytes(), LIMIT)
    assert isinstance(result, list)
    [parsed] = result
    assert isinstance(parsed, PaymentEvent)
    assert parsed.event_id == "evt_001"


def test_each_kind_of_bad_input_has_its_reason() -> None:
    cases = {
        b"": "empty",
        b"\xff\xfe\x00": "not_utf8",
        b"not json": "not_json",
        b"[1, 2]": "not_object",
        b'{"event_id": "x"}': "schema",
        b'{"hello": "world"}': "unrecognized",
        b"{" + b" " * LIMIT + b"}": "too_large",
    }
    for raw, reason in cases.items():
        result = decode_events(raw, LIMIT)
        assert isinstance(result, Rejection), raw[:20]
        assert result.reason == reason


def test_card_numbers_are_refused_and_never_quoted() -> None:
    raw = event_bytes(card_number=TEST_PAN)
    result = decode_events(raw, LIMIT)
    assert isinstance(result, Rejection)
    assert result.reason == "card_number"
    assert TEST_PAN not in result.detail


def test_schema_detail_names_the_fields() -> None:
    result = decode_events(event_bytes(amount=19.99, currency="usd"), LIMIT)
    assert isinstance(result, Rejection)
    assert result.reason == "schema"
    assert "amount" in result.detail and "currency" in result.detail


def test_well_formed_events_we_do_not_act_on_are_ignored_not_dead_lettered() -> None:
    stripe_other = (
        b'{"id": "evt_1", "object": "event", "type": "customer.created", "data": {"object": {}}}'
    )
    result = decode_events(stripe_other, LIMIT)
    assert isinstance(result, Ignored)


def test_dead_letter_keeps_original_bytes_with_card_numbers_redacted() -> None:
    raw = event_bytes(card_number=TEST_PAN)
    rejection = decode_events(raw, LIMIT)
    assert isinstance(rejection, Rejection)
    letter = dead_letter(
        raw, rejection, topic="payments.events", partition=3, offset=17, now=datetime.now(UTC)
    )
    stored = base64.b64decode(letter.original_base64)
    assert TEST_PAN.encode() not in stored
    assert b"[REDACTED-PAN]" in stored
    assert b'"customer_id": "cus_42"' in stored
    assert (letter.source_partition, letter.source_offset, letter.original_size) == (
        3,
        17,
        len(raw),
    )
    assert TEST_PAN not in letter.model_dump_json()
