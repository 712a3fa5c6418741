"""build_email: parseable multipart/alternative, safe headers, deterministic bytes."""

import email
from email import policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.templating import TemplatingError, build_email
from channels.templating.samples import SAMPLE_ACTION_URL, SAMPLE_UNSUBSCRIBE_URL, sample_command
from schemas.notification import Channel, NotificationCommand

FROM = "Acme Billing <billing@acme.test>"


def _command(**kwargs: object) -> NotificationCommand:
    defaults: dict[str, object] = {
        "channel": Channel.EMAIL,
        "locale": "en",
        "template": "first_notice",
    }
    defaults.update(kwargs)
    return sample_command(**defaults)  # type: ignore[arg-type]


def _parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("locale", ["en", "es", "fr", "de", "pt-BR", "hi", "bn", "ar"])
def test_parses_as_multipart_alternative(locale: str) -> None:
    command = _command(locale=locale)
    parsed = _parse(build_email(command, from_addr=FROM, unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL))
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    plain, html = (p.get_content() for p in parts)
    assert "4242" in plain and "<html" in html
    assert parsed["Content-Language"] == locale


def test_headers() -> None:
    command = _command(locale="es")
    parsed = _parse(build_email(command, from_addr=FROM, unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL))
    assert parsed["From"].addresses[0].addr_spec == "billing@acme.test"
    to = parsed["To"].addresses
    assert len(to) == 1 and to[0].addr_spec == "customer@example.com"
    assert to[0].display_name == "Lucía Fernández"
    assert parsed["Subject"].startswith("No hemos podido procesar tu pago de 49,99")
    assert parsed["Message-ID"] == f"<{command.notification_id}@decline-notifier>"
    assert parsed["Date"].datetime == command.created_at
    assert parsed["List-Unsubscribe"] == f"<{SAMPLE_UNSUBSCRIBE_URL}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_no_unsubscribe_headers_without_url() -> None:
    parsed = _parse(build_email(_command(), from_addr=FROM))
    assert parsed["List-Unsubscribe"] is None and parsed["List-Unsubscribe-Post"] is None


def test_bytes_are_deterministic_and_crlf() -> None:
    one = build_email(_command(), from_addr=FROM, action_url=SAMPLE_ACTION_URL).as_bytes()
    two = build_email(_command(), from_addr=FROM, action_url=SAMPLE_ACTION_URL).as_bytes()
    assert one == two
    assert b"\r\n" in one and b"\n" not in one.replace(b"\r\n", b"")
    assert max(len(line) for line in one.split(b"\r\n")) <= 78


def test_arabic_email_html_is_rtl() -> None:
    parsed = _parse(build_email(_command(locale="ar"), from_addr=FROM))
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None
    assert '<html lang="ar" dir="rtl">' in html.get_content()


HOSTILE = [
    "Eve\r\nBcc: victim@evil.test",
    "Eve\nSubject: hijacked",
    'Mallory <mallory@evil.test>, "x" <y@evil.test>',
    "<script>alert(1)</script>",
    "Zoë \u202e reversed",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_cannot_add_headers_or_markup(name: str) -> None:
    raw = build_email(_command(name=name), from_addr=FROM).as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Your payment of $49.99 didn't go through"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["customer@example.com"]
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None and "<script>" not in html.get_content()
    assert set(parsed.keys()) == {
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Auto-Submitted",
        "MIME-Version",
        "Content-Type",
        "Content-Language",
    }


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_any_name_gives_exactly_one_recipient(name: str) -> None:
    parsed = _parse(build_email(_command(name=name), from_addr=FROM))
    assert [a.addr_spec for a in parsed["To"].addresses] == ["customer@example.com"]
    assert "\n" not in str(parsed["To"]) and "\r" not in str(parsed["To"])


@pytest.mark.parametrize(
    ("kwargs", "from_addr"),
    [
        ({"channel": Channel.SMS}, FROM),
        ({}, "billing@acme.test\r\nBcc: x@evil.test"),
        ({}, "a@b.test, c@d.test"),
    ],
)
def test_refuses_unsafe_input(kwargs: dict[str, object], from_addr: str) -> None:
    with pytest.raises(TemplatingError):
        build_email(_command(**kwargs), from_addr=from_addr)


def test_refuses_recipient_with_line_break() -> None:
    command = _command()
    bad = command.model_copy(
        update={
            "recipient": command.recipient.model_copy(update={"email": "a@b.test\r\nBcc: x@y.test"})
        }
    )
    with pytest.raises(TemplatingError):
        build_email(bad, from_addr=FROM)


def test_refuses_non_https_unsubscribe() -> None:
    with pytest.raises(TemplatingError):
        build_email(_command(), from_addr=FROM, unsubscribe_url="http://evil.test/u")
