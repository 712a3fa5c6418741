"""The SMTP pool against real TLS servers: STARTTLS and implicit TLS, with AUTH."""

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from agents.case_logic import decide
from channels.smtp_pool import SmtpPool
from channels.templating import build_email
from schemas import PaymentEvent
from streams.settings import Settings
from tests.conftest import free_port
from tests.helpers import event

pytestmark = [pytest.mark.smtp, pytest.mark.timeout(60)]

USER, PASSWORD = "billing", "s3cret-pass"


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[bool, bytes]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # session.ssl is set after STARTTLS; an implicit-TLS socket shows on the transport.
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        self.received.append((tls, envelope.original_content or b""))
        return "250 OK"


def authenticate(
    _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: object
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def tls_server_kwargs(security: str, ca: trustme.CA) -> dict[str, Any]:
    if security == "starttls":
        return {"tls_context": server_context(ca), "require_starttls": True}
    # Implicit TLS: aiosmtpd counts only STARTTLS as TLS for its AUTH check; the
    # whole connection is TLS here, which the test asserts per message.
    return {"ssl_context": server_context(ca), "auth_require_tls": False}


@pytest.fixture
def tls_server(request: pytest.FixtureRequest, ca: trustme.CA) -> Iterator[tuple[int, Recorder]]:
    port, recorder = free_port(), Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        **tls_server_kwargs(request.param, ca),
    )
    controller.start()
    yield port, recorder
    controller.stop()


def message() -> EmailMessage:
    decision = decide(None, PaymentEvent.model_validate(event()), datetime.now(UTC))
    return build_email(decision.commands[0], from_addr="Billing <billing@example.com>")


def settings_for(port: int, security: str, ca_file: Path, password: str = PASSWORD) -> Settings:
    return Settings.model_validate(
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": security,
            "smtp_ca_file": ca_file,
            "smtp_username": USER,
            "smtp_password": password,
            "smtp_pool_size": 2,
        }
    )


# The implicit-TLS server needs auth_require_tls=False (see tls_server_kwargs).
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize(
    ("security", "tls_server"), [("starttls", "starttls"), ("tls", "tls")], indirect=["tls_server"]
)
async def test_mail_goes_over_tls_with_authentication(
    security: str, tls_server: tuple[int, Recorder], ca_file: Path
) -> None:
    port, recorder = tls_server
    pool = SmtpPool(settings_for(port, security, ca_file))
    try:
        mail = message()
        await pool.send(mail)
        await pool.send(mail)  # reuses the pooled connection
    finally:
        await pool.close()
    assert len(recorder.received) == 2
    assert all(encrypted for encrypted, _ in recorder.received)
    assert b"Message-ID: <ntf_" in recorder.received[0][1]
