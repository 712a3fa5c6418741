"""Locale tags: normalising what customers send and the fallback chain.

A locale string comes from customer data, and it also becomes part of a
template path, so anything that is not a plain BCP 47 tag is treated as
unknown and falls back to the default language.
"""

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

DEFAULT_LOCALE = "en"

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}$")


# Tags come from customer data, so the caches are bounded; a few hundred
# distinct tags cover a real customer base and every call is then a lookup
# (Locale.parse and the CLDR reads behind it dominate a render otherwise).
_CACHE_SIZE = 1024


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_locale(raw: str | None) -> str:
    """``pt_br`` -> ``pt-BR``, ``zh_hant_tw`` -> ``zh-Hant-TW``; junk -> ``en``."""
    if not raw or not _TAG.match(raw.strip()):
        return DEFAULT_LOCALE
    parts = re.split(r"[-_]", raw.strip())
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script subtag
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())  # region subtag
        else:
            out.append(part.lower())
    return "-".join(out)


@lru_cache(maxsize=_CACHE_SIZE)
def locale_chain(raw: str | None) -> tuple[str, ...]:
    """Most specific first, ending in the default: pt-BR -> (pt-BR, pt, en)."""
    tag = normalize_locale(raw)
    parts = tag.split("-")
    chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if DEFAULT_LOCALE not in chain:
        chain.append(DEFAULT_LOCALE)
    return tuple(chain)


def language_of(tag: str) -> str:
    return tag.split("-", 1)[0]


@lru_cache(maxsize=_CACHE_SIZE)
def babel_locale(tag: str) -> Locale:
    """Babel's view of ``tag``, widening until Babel knows it (CLDR has no
    data for some tags customers send, e.g. private-use or made-up regions)."""
    for candidate in locale_chain(tag):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=_CACHE_SIZE)
def text_direction(tag: str) -> str:
    """``rtl`` for right-to-left scripts (Arabic, Hebrew, ...), else ``ltr``."""
    return "rtl" if babel_locale(tag).character_order == "right-to-left" else "ltr"
