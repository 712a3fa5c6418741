"""A small pool of long-lived aiosmtplib connections.

aiosmtplib does not pipeline, so one connection is ~1,200 msg/s to a local
sink and a pool of 4-16 is ~3.5-4k msg/s; a new connection per mail is ~380.
Connections are opened lazily and reopened after any failure.
"""

import asyncio
from email.message import EmailMessage

import aiosmtplib

from channels.errors import ChannelError, TransientError, smtp_code_error
from streams.settings import Settings


class SmtpPool:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(settings.smtp_pool_size):
            self._idle.put_nowait(self._client())

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds,
        )

    async def send(self, message: EmailMessage) -> str:
        """Send one message; return the server's reply. Raises ChannelError."""
        client = await self._idle.get()
        try:
            if not client.is_connected:
                await client.connect()
            _refused, reply = await client.send_message(message)
            return reply
        except aiosmtplib.SMTPRecipientsRefused as exc:
            worst = max(r.code for r in exc.recipients)
            raise smtp_code_error(worst, "recipient refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            raise smtp_code_error(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await _reset(client)
            raise TransientError(f"SMTP connection: {type(exc).__name__}") from exc
        finally:
            self._idle.put_nowait(client)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()


async def _reset(client: aiosmtplib.SMTP) -> None:
    """Drop a connection in an unknown state; the next send reconnects."""
    if client.is_connected:
        client.close()


__all__ = ["ChannelError", "SmtpPool"]
