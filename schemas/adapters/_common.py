"""Helpers shared by the provider adapters."""

from typing import Any

from pydantic import ValidationError

from schemas.adapters.errors import AdapterError
from schemas.pan import contains_pan
from schemas.payment_event import Contact

# Gateway brand spellings to the names templates and budgets use.
BRANDS = {
    "mc": "mastercard",
    "master": "mastercard",
    "mastercard": "mastercard",
    "visa": "visa",
    "amex": "amex",
    "american express": "amex",
    "american_express": "amex",
    "discover": "discover",
    "diners": "diners",
    "jcb": "jcb",
    "unionpay": "unionpay",
    "cup": "unionpay",
    "maestro": "maestro",
    "cartebancaire": "cartes_bancaires",
    "cartes_bancaires": "cartes_bancaires",
}


def brand(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    return BRANDS.get(v, v)


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AdapterError("bad_shape", f"{what} is not an object")
    return value


def opt_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def opt_str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def contact(**fields: str | None) -> Contact | None:
    """A Contact of the fields that validate; a malformed optional field is dropped.

    A decline must not be dead-lettered because the gateway holds a
    malformed e-mail address: the case can still reach the customer through
    the profile topic.
    """
    good: dict[str, str] = {}
    for name, value in fields.items():
        if value is None:
            continue
        try:
            Contact.model_validate({name: value})
        except ValidationError:
            continue
        good[name] = value
    return Contact.model_validate(good) if good else None


def holds_pan(data: Any) -> bool:
    """True when any string or large integer anywhere in the payload is a card number.

    Checked on the whole raw payload, not only on the fields we copy: a
    payload with a card number anywhere goes to the dead-letter topic
    (redacted) so the upstream learns to stop sending it.
    """
    if isinstance(data, str):
        return contains_pan(data)
    if isinstance(data, dict):
        return any(holds_pan(k) or holds_pan(v) for k, v in data.items())
    if isinstance(data, list):
        return any(holds_pan(v) for v in data)
    if isinstance(data, int) and not isinstance(data, bool) and data >= 10**12:
        return contains_pan(str(data))
    return False
