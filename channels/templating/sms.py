"""SMS segment counting: how many billed parts a text becomes on the wire.

Carriers bill per segment, and a message that silently switches from GSM-7 to
UCS-2 (one emoji, one "á") holds less than half as many characters, so the
renderer counts segments the way an SMSC packs them.
"""

from dataclasses import dataclass
from enum import StrEnum

# GSM 03.38 default alphabet: each of these costs one septet.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: reached through an escape septet, so each costs two.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_MULTI = 153  # a concatenated part loses 7 septets to the UDH
UCS2_SINGLE = 70
UCS2_MULTI = 67  # UCS-2 code units per concatenated part


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """Wire size of one SMS text."""

    encoding: SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments needed for characters of the given costs.

    A character is never split across two parts (an escape pair or a
    surrogate pair must stay together), so a part may end a unit short;
    plain division would undercount at the boundary.
    """
    total = sum(costs)
    if total == 0:
        return 1  # an empty SMS is still one billed message
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


def count_segments(text: str) -> SmsInfo:
    """Encoding, size and segment count of ``text`` as an SMSC would send it."""
    if is_gsm7(text):
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsInfo(SmsEncoding.GSM7, sum(costs), _pack(costs, GSM7_SINGLE, GSM7_MULTI))
    # Characters outside the Basic Multilingual Plane (most emoji) take a
    # surrogate pair, i.e. two UCS-2 units.
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsInfo(SmsEncoding.UCS2, sum(costs), _pack(costs, UCS2_SINGLE, UCS2_MULTI))


# Budgets in segments per language. Latin-script languages whose everyday
# spelling needs characters outside GSM-7 (á, ç, ã, ê) are sent as UCS-2, so
# they get the same three-part budget as the non-Latin scripts.
SMS_SEGMENT_BUDGET: dict[str, int] = {
    "en": 2,
    "de": 2,
    "es": 3,
    "fr": 3,
    "pt": 3,
    "hi": 3,
    "bn": 3,
    "ar": 3,
}
DEFAULT_SMS_SEGMENT_BUDGET = 3


def segment_budget(locale: str) -> int:
    """Most segments one message in ``locale`` may take."""
    language = locale.split("-", 1)[0].lower()
    return SMS_SEGMENT_BUDGET.get(
        locale, SMS_SEGMENT_BUDGET.get(language, DEFAULT_SMS_SEGMENT_BUDGET)
    )
