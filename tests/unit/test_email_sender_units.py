from channels.email_sender import SeenIds
from channels.errors import PermanentError, TransientError, smtp_code_error
from demo.sample import build_sample


def test_smtp_4xx_is_transient_and_5xx_permanent() -> None:
    assert isinstance(smtp_code_error(451, "try later"), TransientError)
    assert smtp_code_error(421, "closing").retriable
    assert isinstance(smtp_code_error(550, "no such user"), PermanentError)
    assert not smtp_code_error(554, "rejected").retriable


def test_seen_ids_forget_the_oldest_beyond_capacity() -> None:
    seen = SeenIds(capacity=3)
    for item in ("a", "b", "c", "d"):
        seen.add(item)
    assert "a" not in seen
    assert all(x in seen for x in ("b", "c", "d"))


def test_demo_sample_is_large_and_varied_enough() -> None:
    sample = build_sample()
    assert len(sample.messages) >= 2000
    assert len(sample.customers) >= 300
    assert sample.expected_invalid >= 3
    assert sample.expected_duplicates > 0
    # per-customer order: a customer's success never precedes its failures
    order: dict[bytes, list[bytes]] = {}
    for key, value in sample.messages:
        order.setdefault(key, []).append(value)
    for key, values in order.items():
        if key != b"bad":
            assert b"payment.failed" in values[0]
