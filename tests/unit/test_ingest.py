import base64
from datetime import UTC, datetime

from agents.ingest import Rejection, dead_letter, decode_event
from schemas import PaymentEvent
from tests.helpers import TEST_PAN, event_bytes

LIMIT = 1_048_576


def test_valid_bytes_decode_to_an_event() -> None:
    result = decode_event(event_bytes(), LIMIT)
    assert isinstance(result, PaymentEvent)
    assert result.event_id == "evt_001"


def test_each_kind_of_bad_input_has_its_reason() -> None:
    cases = {
        b"": "empty",
        b"\xff\xfe\x00": "not_utf8",
        b"not json": "not_json",
        b"[1, 2]": "not_object",
        b'{"event_id": "x"}': "schema",
        b"{" + b" " * LIMIT + b"}": "too_large",
    }
    for raw, reason in cases.items():
        result = decode_event(raw, LIMIT)
        assert isinstance(result, Rejection), raw[:20]
        assert result.reason == reason


def test_schema_detail_names_fields_and_never_the_input() -> None:
    raw = event_bytes(card_number=TEST_PAN)
    result = decode_event(raw, LIMIT)
    assert isinstance(result, Rejection)
    assert result.reason == "schema"
    assert "card number" in result.detail
    assert TEST_PAN not in result.detail


def test_dead_letter_keeps_original_bytes_with_card_numbers_redacted() -> None:
    raw = event_bytes(card_number=TEST_PAN)
    rejection = decode_event(raw, LIMIT)
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
