"""The complete RFC 5322 message for an email command.

Deterministic: the same command gives the same bytes (Date from
``created_at``, Message-ID and MIME boundary from ``notification_id``), so a
resend after a crash is recognisable as the same mail downstream.
"""

import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

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

    msg = EmailMessage(policy=MAIL_POLICY)
    try:
        msg["From"] = from_addr
        msg["To"] = Address(
            display_name=display_name_for_header(command.recipient.name), addr_spec=to_addr
        )
    except (ValueError, IndexError) as exc:  # the header parser's ways of saying "bad address"
        raise TemplatingError("invalid From or To address") from exc
    if len(msg["To"].addresses) != 1 or len(msg["From"].addresses) != 1:
        raise TemplatingError("From and To must each be exactly one address")
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(command.created_at)
    msg["Message-ID"] = f"<{local_id}@decline-notifier>"
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url is not None:
        # Already checked by render(): https, no spaces or angle brackets.
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"

    # Quoted-printable keeps both parts 7-bit clean with short lines, so no
    # relay needs 8BITMIME and long HTML lines never break the 998 limit.
    msg.set_content(message.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        # add_alternative repeats MIME-Version in the parts; it belongs only
        # at the top (RFC 2045 section 4).
        del part["MIME-Version"]
    # After set_content: it drops every Content-* header set before it.
    msg["Content-Language"] = message.locale
    msg.set_boundary(_boundary(command.notification_id, msg))
    return msg


def _boundary(notification_id: str, msg: EmailMessage) -> str:
    """A boundary derived from the id; re-salted in the (never yet seen)
    case that it occurs in a body part."""
    bodies = [part.get_payload() for part in msg.iter_parts()]
    salt = 0
    while True:
        digest = hashlib.sha256(f"{notification_id}|{salt}".encode()).hexdigest()[:32]
        candidate = f"=_dn_{digest}"
        if not any(isinstance(body, str) and candidate in body for body in bodies):
            return candidate
        salt += 1
