"""SMS segment counting: GSM-7 (with the extension table) versus UCS-2."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.templating.sms import SmsEncoding, count_segments, segment_budget


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", SmsEncoding.GSM7, 0, 1),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("€" * 80, SmsEncoding.GSM7, 160, 1),  # extension chars cost two septets
        ("€" * 81, SmsEncoding.GSM7, 162, 2),
        ("a" * 159 + "[", SmsEncoding.GSM7, 161, 2),
        ("ñÑüÜäÖ@£$¥", SmsEncoding.GSM7, 10, 1),
        ("á" * 70, SmsEncoding.UCS2, 70, 1),
        ("á" * 71, SmsEncoding.UCS2, 71, 2),
        ("á" * 134, SmsEncoding.UCS2, 134, 2),
        ("á" * 135, SmsEncoding.UCS2, 135, 3),
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),  # emoji: a surrogate pair each
        ("😀" * 36, SmsEncoding.UCS2, 72, 2),
        ("नमस्ते", SmsEncoding.UCS2, 6, 1),
    ],
)
def test_count_segments(text: str, encoding: SmsEncoding, units: int, segments: int) -> None:
    info = count_segments(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


def test_one_emoji_switches_the_whole_message_to_ucs2() -> None:
    assert count_segments("a" * 100).segments == 1
    assert count_segments("a" * 100 + "🙂").encoding is SmsEncoding.UCS2
    assert count_segments("a" * 100 + "🙂").segments == 2


def test_escape_pair_is_not_split_across_parts() -> None:
    # 152 plain septets then "€": the pair does not fit in part one's 153,
    # so it moves whole to part two; 153 + 153 + 2 needs three parts.
    assert count_segments("a" * 152 + "€" + "a" * 152).segments == 3


def test_surrogate_pair_is_not_split_across_parts() -> None:
    assert count_segments("á" * 66 + "😀" + "á" * 66).segments == 3


def test_budgets() -> None:
    assert segment_budget("en") == 2
    assert segment_budget("de") == 2
    assert segment_budget("ar") == 3
    assert segment_budget("pt-BR") == 3
    assert segment_budget("xx") == 3


@given(st.text(max_size=500))
def test_segments_are_consistent(text: str) -> None:
    info = count_segments(text)
    per_part = 153 if info.encoding is SmsEncoding.GSM7 else 67
    single = 160 if info.encoding is SmsEncoding.GSM7 else 70
    if info.units <= single:
        assert info.segments == 1
    else:
        assert info.segments >= -(-info.units // per_part)
        assert info.segments <= -(-info.units // (per_part - 1)) + 1
