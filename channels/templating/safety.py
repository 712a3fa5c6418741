"""Sanitising customer-supplied strings before they reach headers or copy.

Names and brands come from upstream systems and, ultimately, from whoever
typed them into a checkout form. Autoescaping protects the HTML; these
helpers protect the places autoescaping does not reach: mail headers, plain
text and the SMS wire.
"""

import re
import unicodedata
from urllib.parse import urlsplit


class TemplatingError(ValueError):
    """A message cannot be rendered from this command.

    Never transient: rendering the same command again gives the same result,
    so a sender should dead-letter it (``retriable`` matches the channel
    error tree's attribute).
    """

    retriable = False


_WS = re.compile(r"\s+")
# Characters that carry meaning inside an address header; a display name
# never needs them, and dropping them keeps a hostile name from being read
# back as a second address by a lenient parser.
_ADDRESS_SPECIALS = re.compile(r'[<>()\[\]\\,;:@"]')
_MSG_ID_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,200}$")

MAX_NAME_LENGTH = 100


def _drop_controls(value: str) -> str:
    # Cc (controls incl. CR, LF, NUL) and Cf (bidi overrides such as U+202E,
    # which can make a name visually rewrite the sentence around it) go; line
    # and paragraph separators become spaces first so words stay apart.
    out = []
    for ch in value:
        category = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif category in ("Cc", "Cf", "Co", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def one_line(value: str) -> str:
    """Collapse to one line without control characters (headers, SMS, speech)."""
    return _WS.sub(" ", _drop_controls(value)).strip()


def clean_name(value: str | None) -> str | None:
    """A customer's name fit for a greeting: one line, bounded, or None."""
    if value is None:
        return None
    cleaned = one_line(value)[:MAX_NAME_LENGTH].strip()
    return cleaned or None


def display_name_for_header(value: str | None) -> str:
    """A name safe as an address display name (the mail library then
    RFC 2047-encodes whatever is not ASCII)."""
    name = clean_name(value) or ""
    return one_line(_ADDRESS_SPECIALS.sub(" ", name))


def clean_subject(value: str) -> str:
    return one_line(value)


def reject_line_breaks(value: str, what: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise TemplatingError(f"{what} contains a line break")
    return value


def check_message_id_local(value: str) -> str:
    """The notification id becomes the left part of Message-ID: only atom
    characters are allowed there."""
    if not _MSG_ID_LOCAL.match(value):
        raise TemplatingError("notification_id is not usable in a Message-ID")
    return value


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def check_link(url: str, what: str) -> str:
    """Links go into href attributes and headers: https only (plain http
    for loopback hosts, so the local demo works), no spaces or breaks."""
    reject_line_breaks(url, what)
    if any(ch.isspace() or ch in '<>"' for ch in url):
        raise TemplatingError(f"{what} contains characters not allowed in a link")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise TemplatingError(f"{what} has no host")
    if parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK):
        return url
    raise TemplatingError(f"{what} must be an https URL")
