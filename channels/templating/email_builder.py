"""The complete RFC 5322 message for an email command.

Deterministic: the same command gives the same bytes (Date from
``created_at``, Message-ID and MIME boundary from ``notification_id``), so a
resend after a crash is recognisable as the same mail downstream.

Built the way a parser builds a message (``set_raw``, payloads set
directly) instead of through ``msg[...] = ...``, ``set_content`` and
``set_boundary``, which parse every value with the header registry and fold
it again when the message is serialized: that was about 1.3 ms of the
~1.6 ms a mail cost. Headers the generator and aiosmtplib never read go in as
text already encoded and folded. The ones they read while sending (From,
Content-Type, Content-Transfer-Encoding: up to four reads each, and a read of
a text header means a parse) go in as header objects, parsed once per
process where the value is constant. The generator still refolds any line it
finds too long.
"""

import base64
import hashlib
from email import policy, quoprimime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.utils import format_datetime
from functools import cache, lru_cache
from typing import cast

from channels.templating.render import Renderer, default_renderer
from channels.templating.safety import (
    TemplatingError,
    check_message_id_local,
    display_name_for_header,
    reject_line_breaks,
)
from schemas.notification import Channel, NotificationCommand

# SMTP policy: CRLF line ends as RFC 5322 requires on the wire, non-ASCII
# headers RFC 2047-encoded (no SMTPUTF8 needed from the relay).
MAIL_POLICY = policy.SMTP
_CRLF = "\r\n"
_MAX_LINE = 78  # RFC 5322 section 2.1.1 "SHOULD"; MAIL_POLICY.max_line_length
_MAX_EW = 75  # RFC 2047 section 2: longest encoded-word
_MIN_EW_ROOM = 24  # below this, an encoded-word starts on a new line

# RFC 5322 atext: a display name made of these words and single spaces needs
# no quoting.
_ATEXT = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~"
)
# Bytes that stand for themselves in a "Q" encoded-word wherever it appears,
# phrases included (RFC 2047 section 5, rule 3).
_Q_LITERAL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")

_PART_HEADERS = {
    subtype: (
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    )
    for subtype in ("plain", "html")
}
_REGISTRY = cast(HeaderRegistry, MAIL_POLICY.header_factory)


def build_email(
    command: NotificationCommand,
    *,
    from_addr: str,
    unsubscribe_url: str | None = None,
    action_url: str | None = None,
    renderer: Renderer | None = None,
) -> EmailMessage:
    """multipart/alternative (text/plain + text/html, UTF-8) with From, To,
    Subject, Date, Message-ID and, given ``unsubscribe_url``, the RFC 8058
    one-click unsubscribe headers."""
    if command.channel is not Channel.EMAIL:
        raise TemplatingError("build_email needs an email command")
    to_addr = command.recipient.email
    if not to_addr:
        raise TemplatingError("recipient has no email address")
    reject_line_breaks(to_addr, "recipient email")
    reject_line_breaks(from_addr, "from address")
    local_id = check_message_id_local(command.notification_id)

    message = (renderer or default_renderer()).render(
        command, action_url=action_url, unsubscribe_url=unsubscribe_url
    )
    assert message.subject is not None and message.html is not None

    headers = [
        ("From", _from_header(from_addr)),
        ("To", _to_header(display_name_for_header(command.recipient.name), to_addr)),
        ("Subject", _subject_header(message.subject)),
        ("Date", _plain_header("Date", format_datetime(command.created_at))),
        ("Message-ID", _plain_header("Message-ID", f"<{local_id}@decline-notifier>")),
        # RFC 3834: tells auto-responders (vacation replies) not to answer.
        ("Auto-Submitted", "auto-generated"),
    ]
    if unsubscribe_url is not None:
        # Already checked by render(): https, no spaces or angle brackets.
        headers.append(
            ("List-Unsubscribe", _plain_header("List-Unsubscribe", f"<{unsubscribe_url}>"))
        )
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))

    # Quoted-printable keeps both parts 7-bit clean with short lines, so no
    # relay needs 8BITMIME and long HTML lines never break the 998 limit.
    # MIME-Version only at the top (RFC 2045 section 4), not in the parts.
    parts = [_text_part("plain", message.text), _text_part("html", message.html)]
    boundary = _boundary(command.notification_id, [str(p.get_payload()) for p in parts])
    headers += [
        ("MIME-Version", "1.0"),
        ("Content-Type", _parse("Content-Type", f'multipart/alternative; boundary="{boundary}"')),
        ("Content-Language", _plain_header("Content-Language", message.locale)),
    ]
    msg = EmailMessage(policy=MAIL_POLICY)
    for name, value in headers:
        msg.set_raw(name, value)
    payload: list[Message[str, str] | str] = [*parts]
    msg.set_payload(payload)
    return msg


def _text_part(subtype: str, text: str) -> EmailMessage:
    """One UTF-8 quoted-printable part, encoded as ``set_content`` does it."""
    part = EmailMessage(policy=MAIL_POLICY)
    for name, value in _PART_HEADERS[subtype]:
        part.set_raw(name, _constant(name, value))
    lines = text.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    part.set_payload(quoprimime.body_encode(body.decode("latin-1"), _MAX_LINE))
    return part


def _boundary(notification_id: str, bodies: list[str]) -> str:
    """A boundary derived from the id; re-salted in the (never yet seen)
    case that it occurs in a body part."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{notification_id}|{salt}".encode()).hexdigest()[:32]
        candidate = f"=_dn_{digest}"
        if not any(candidate in body for body in bodies):
            return candidate
        salt += 1


# -- headers -----------------------------------------------------------------
#
# Each helper returns the header's value as it goes on the wire: ASCII,
# folded with CRLF + space, no line over 78 characters. The common shapes are
# written directly; anything unusual (a word longer than a line, text that
# looks like an encoded-word, a name too long for one encoded-word) goes
# through the email package's own folder, which is exact but slow (up to a
# millisecond for one long non-Latin name).


@cache
def _header_class(name: str) -> type[BaseHeader]:
    # HeaderRegistry builds a new class on every lookup (~15 us); the class
    # for one header name is always the same.
    return _REGISTRY[name]


def _parse(name: str, value: str) -> BaseHeader:
    """``value`` parsed, as ``msg[name] = value`` stores it."""
    return _header_class(name)(name, value)


@lru_cache(maxsize=16)
def _constant(name: str, value: str) -> BaseHeader:
    # Header objects are immutable: one per distinct value serves every mail.
    return _parse(name, value)


def _registry_fold(name: str, value: str | Address) -> str:
    """The value as the email package folds it (``msg[name] = value``)."""
    folded = str(MAIL_POLICY.header_factory(name, value).fold(policy=MAIL_POLICY))
    return folded[len(name) + 2 :].removesuffix(_CRLF)


def _fits(name: str, value: str) -> bool:
    return len(name) + 2 + len(value) <= _MAX_LINE


def _plain_ascii(value: str) -> bool:
    """Printable ASCII that no reader would take for an encoded-word."""
    return value.isascii() and value.isprintable() and "=?" not in value


def _plain_header(name: str, value: str) -> str:
    if _plain_ascii(value) and _fits(name, value) and value == value.strip():
        return value
    return _registry_fold(name, value)


@lru_cache(maxsize=64)
def _from_header(from_addr: str) -> BaseHeader:
    """The sender is configuration: checked and parsed once per process."""
    try:
        header = _parse("From", from_addr)
    except (ValueError, IndexError) as exc:  # the header parser's ways of saying "bad address"
        raise TemplatingError("invalid From or To address") from exc
    if len(getattr(header, "addresses", ())) != 1:
        raise TemplatingError("From and To must each be exactly one address")
    return header


def _to_header(display_name: str, addr_spec: str) -> str:
    """``display_name <addr_spec>``; ``display_name`` is already one line
    without address specials (``display_name_for_header``)."""
    try:
        address = Address(display_name=display_name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise TemplatingError("invalid From or To address") from exc
    addr = f"<{address.addr_spec}>"
    if address.addr_spec != addr_spec or not _plain_ascii(addr_spec):
        return _registry_fold("To", address)
    if not display_name:
        return _plain_header("To", addr_spec)
    if _plain_ascii(display_name) and all(
        ch in _ATEXT for word in display_name.split(" ") for ch in word if word
    ):
        phrase = display_name
    elif _plain_ascii(display_name) and '"' not in display_name and "\\" not in display_name:
        phrase = f'"{display_name}"'
    elif not display_name.isascii():
        # One encoded-word holds the whole name: a reader joins the pieces of
        # a split one without the spaces, but Python's parser inserts spaces
        # there, so long names take the exact path below instead.
        words = _encoded_words(display_name, len("To: "))
        if len(words) != 1:
            return _registry_fold("To", address)
        phrase = words[0]
    else:
        return _registry_fold("To", address)
    if _fits("To", f"{phrase} {addr}"):
        return f"{phrase} {addr}"
    if _fits("To", phrase) and len(addr) < _MAX_LINE:
        return f"{phrase}{_CRLF} {addr}"
    return _registry_fold("To", address)


@lru_cache(maxsize=4096)
def _subject_header(subject: str) -> str:
    """Unstructured text: ASCII words as they are, runs of words with other
    characters as encoded-words, folded between words.

    Cached: subjects repeat across customers (same template, locale and
    amount), and ``clean_subject`` already made them one line.
    """
    words = subject.split(" ")
    if not subject or "" in words or not subject.isprintable():
        return _registry_fold("Subject", subject)  # not single-spaced words
    # (plain?, text) runs: consecutive non-plain words are encoded together,
    # with the spaces between them inside the encoded text (whitespace
    # between two encoded-words is not part of the value).
    runs: list[tuple[bool, str]] = []
    for word in words:
        plain = _plain_ascii(word)
        if runs and not plain and not runs[-1][0]:
            runs[-1] = (False, f"{runs[-1][1]} {word}")
        else:
            runs.append((plain, word))
    lines = ["Subject:"]
    for plain, text in runs:
        if not plain and len(lines[-1]) + 1 > _MAX_LINE - _MIN_EW_ROOM:
            lines.append("")  # too little room left for a useful encoded-word
        # Each piece goes after a space (the first one's ends the label).
        pieces = [text] if plain else _encoded_words(text, len(lines[-1]) + 1)
        for piece in pieces:
            if len(lines[-1]) + 1 + len(piece) > _MAX_LINE:
                if len(lines) == 1 and len(lines[0]) == len("Subject:"):
                    return _registry_fold("Subject", subject)  # a word longer than a line
                lines.append("")
                if 1 + len(piece) > _MAX_LINE:
                    return _registry_fold("Subject", subject)
            lines[-1] += f" {piece}"
    return _CRLF.join(lines)[len("Subject: ") :]


def _encoded_words(text: str, used: int) -> list[str]:
    """``text`` as RFC 2047 UTF-8 encoded-words, "Q" or "B" whichever is
    shorter, split between characters: the first fits in the ``used``
    columns left on the current line, the rest on lines of their own."""
    chars = [ch.encode("utf-8") for ch in text]
    q_len = sum(1 if b in _Q_LITERAL or b == 0x20 else 3 for c in chars for b in c)
    b_len = (sum(len(c) for c in chars) + 2) // 3 * 4
    kind = "q" if q_len <= b_len else "b"
    words: list[str] = []
    room = min(_MAX_EW, _MAX_LINE - used) - len("=?utf-8?q??=")
    chunk = b""
    for ch in chars:
        if chunk and _encoded_length(kind, chunk + ch) > room:
            words.append(_encode_word(kind, chunk))
            chunk = b""
            room = min(_MAX_EW, _MAX_LINE - 1) - len("=?utf-8?q??=")
        chunk += ch
    words.append(_encode_word(kind, chunk))
    return words


def _encoded_length(kind: str, data: bytes) -> int:
    if kind == "b":
        return (len(data) + 2) // 3 * 4
    return sum(1 if b in _Q_LITERAL or b == 0x20 else 3 for b in data)


def _encode_word(kind: str, data: bytes) -> str:
    if kind == "b":
        return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="
    text = "".join("_" if b == 0x20 else chr(b) if b in _Q_LITERAL else f"={b:02X}" for b in data)
    return f"=?utf-8?q?{text}?="
