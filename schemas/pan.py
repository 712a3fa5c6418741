"""Card-number (PAN) detection and redaction.

Used at every edge that may see raw upstream text: schema validation rejects
events that carry a PAN anywhere, and the dead-letter path redacts PANs from
the original bytes before they are stored.
"""

import re

# 13-19 digits, optionally grouped by single spaces or dashes (as people type them).
_PAN_TEXT = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_PAN_BYTES = re.compile(rb"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
REDACTED = "[REDACTED-PAN]"


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check used by card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(run: str) -> str:
    return run.replace(" ", "").replace("-", "")


def contains_pan(text: str) -> bool:
    """True when the text holds a Luhn-valid 13-19 digit run."""
    return any(luhn_ok(_digits(m.group())) for m in _PAN_TEXT.finditer(text))


def redact_bytes(raw: bytes) -> bytes:
    """Replace every 13-19 digit run with a marker.

    Deliberately stricter than `contains_pan`: in bytes we may not know what a
    run is, and a dead-letter record must never hold a card number, so any
    long digit run goes, Luhn-valid or not.
    """
    return _PAN_BYTES.sub(REDACTED.encode(), raw)


def redact_text(text: str) -> str:
    """Text version of `redact_bytes`, for error details that quote input."""
    return _PAN_TEXT.sub(REDACTED, text)
