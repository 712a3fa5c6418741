"""Locale-aware formatting of money, dates and cards, from command fields.

Amounts arrive as integer minor units; the currency's exponent (JPY 0,
EUR 2, KWD 3) comes from CLDR via Babel, never from a hard-coded 100.
"""

import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import UnknownCurrencyError, format_currency, get_currency_precision

from channels.templating.safety import TemplatingError, one_line

_UTC = ZoneInfo("UTC")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LAST4 = re.compile(r"^[0-9]{4}$")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")

# Narrow and regular no-break spaces are what CLDR puts between number and
# symbol; on SMS they are not in GSM-7 and would force UCS-2 for one space.
_SMS_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

CARD_BRANDS: dict[str, str] = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "american_express": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
    "maestro": "Maestro",
    "elo": "Elo",
    "hipercard": "Hipercard",
    "rupay": "RuPay",
    "mada": "mada",
    "cartes_bancaires": "Cartes Bancaires",
}


@lru_cache(maxsize=512)
def _precision(currency: str) -> int:
    # CLDR data does not change while the process runs; at most a few
    # hundred ISO codes exist (the pattern check comes first).
    if not _CURRENCY.match(currency):
        raise TemplatingError("currency must be an ISO 4217 code")
    try:
        return get_currency_precision(currency)
    except UnknownCurrencyError as exc:  # pragma: no cover - Babel falls back to 2
        raise TemplatingError("unknown currency") from exc


def minor_to_major(amount: int, currency: str) -> Decimal:
    """1234 minor units -> 12.34 EUR, 1234 JPY, 1.234 KWD."""
    return Decimal(amount).scaleb(-_precision(currency))


def format_amount(amount: int, currency: str, locale: Locale, *, iso_code: bool = False) -> str:
    """Amount with the locale's symbol and separators (``iso_code`` uses
    "USD" instead of "$": narrower alphabets on SMS)."""
    value = minor_to_major(amount, currency)
    pattern = None
    if iso_code:
        standard = locale.currency_formats["standard"].pattern
        # One currency sign means symbol, two mean ISO code (CLDR pattern
        # syntax); keep the locale's placement and separators.
        pattern = standard.replace("¤", "¤¤")
    text = format_currency(value, currency, format=pattern, locale=locale, currency_digits=True)
    # CLDR's currencySpacing rule, which Babel does not apply: a symbol that
    # ends in a letter ("KWD", "INR") gets a no-break space before a digit,
    # so "KWD1.234" reads "KWD 1.234"; "$", "R$", "¥" stay attached.
    return _LETTER_DIGIT.sub("\u00a0", text)


def sms_spaces(text: str) -> str:
    return text.translate(_SMS_SPACES)


@lru_cache(maxsize=1024)
def customer_zone(name: str | None) -> ZoneInfo:
    """The customer's zone, or UTC when unknown or invalid (a bad zone name
    should not stop a payment notice)."""
    if not name:
        return _UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _UTC


def format_local_date(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    return format_date(moment.astimezone(zone), "long", locale=locale)


def format_local_datetime(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """Long date plus short time, joined the locale's way, in the customer's zone."""
    local = moment.astimezone(zone)
    date_part = format_date(local, "long", locale=locale)
    time_part = format_time(local, "short", locale=locale)
    joiner = str(get_datetime_format("long", locale=locale)).replace("'", "")
    return joiner.replace("{1}", date_part).replace("{0}", time_part)


def card_brand_name(brand: str | None) -> str | None:
    if not brand:
        return None
    key = brand.strip().lower().replace(" ", "_").replace("-", "_")
    if key in CARD_BRANDS:
        return CARD_BRANDS[key]
    cleaned = one_line(brand)[:32]
    return cleaned or None


def card_last4(last4: str | None) -> str | None:
    """Exactly four digits or nothing: a malformed value is never echoed,
    in case it is more of the card number than it should be."""
    if last4 and _LAST4.match(last4):
        return last4
    return None
