"""One string for every reading of a decline, as `classify` takes it.

A gateway often reports more than one reason: Adyen gives its refusalReason
and the issuer's raw ISO 8583 response, Stripe a decline_code plus an
advice_code and the network's own decline code. PaymentEvent carries them in
separate fields (decline_code, network_decline_code, advice_code); the case
logic and the CLI join them as

    <gateway code>[|iso:<ISO 8583 code>][|advice:<gateway advice code>]

and the taxonomy classifies every part and keeps the strictest reading.
"""

from dataclasses import dataclass

MAX_LEN = 64  # PaymentEvent.decline_code max_length
_ISO = "iso:"
_ADVICE = "advice:"


@dataclass(frozen=True)
class ComposedCode:
    code: str | None
    iso: str | None = None
    advice: str | None = None


def compose_code(
    code: str | None, *, iso: str | None = None, advice: str | None = None
) -> str | None:
    """Join the parts; drop the least important ones if the result would be too long."""
    code = (code or "").strip() or None
    iso = (iso or "").strip().upper() or None
    advice = (advice or "").strip() or None
    if code is None and iso is None and advice is None:
        return None
    # Advice first to survive: it is what forbids a retry; the raw ISO code
    # usually repeats the gateway code.
    candidates = [(iso, advice), (None, advice), (None, None)]
    for iso_part, advice_part in candidates:
        parts = [code or ""]
        if iso_part:
            parts.append(_ISO + iso_part)
        if advice_part:
            parts.append(_ADVICE + advice_part)
        text = "|".join(parts)
        if len(text) <= MAX_LEN:
            return text
    return (code or "")[:MAX_LEN]


def split_code(value: str | None) -> ComposedCode:
    if value is None:
        return ComposedCode(None)
    head, *rest = value.split("|")
    iso = advice = None
    for part in rest:
        part = part.strip()
        if part.startswith(_ISO):
            iso = part[len(_ISO) :].strip().upper() or None
        elif part.startswith(_ADVICE):
            advice = part[len(_ADVICE) :].strip() or None
    return ComposedCode(head.strip() or None, iso, advice)
