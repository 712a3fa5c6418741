"""Builds the RFC 5322 message for an email command (plain wording, English)."""

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from schemas.notification import NotificationCommand


def _clean(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def build_email(
    command: NotificationCommand, *, from_addr: str, unsubscribe_url: str | None = None
) -> EmailMessage:
    amount = f"{command.amount / 100:.2f} {command.currency}"
    name = _clean(command.recipient.name or "")
    if command.template == "payment_received":
        subject = "Payment received - thank you"
        text = f"Hello {name},\n\nWe received your payment of {amount}. Thank you.\n"
    else:
        subject = "Your payment did not go through"
        text = f"Hello {name},\n\nYour payment of {amount} was declined. Please update your card.\n"
    msg = EmailMessage()
    msg["From"] = from_addr
    msg["To"] = Address(display_name=name, addr_spec=command.recipient.email or "")
    msg["Subject"] = subject
    msg["Date"] = format_datetime(command.created_at)
    msg["Message-ID"] = f"<{command.notification_id}@decline-notifier>"
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(f"<p>{escape(text).replace(chr(10), '<br>')}</p>", subtype="html")
    return msg
