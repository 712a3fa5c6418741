"""A real SMTP server (aiosmtpd) that saves every message it accepts to a folder.

Files are named <sequence>-<message-id>.eml, so a message delivered twice
shows up twice and duplicates can be counted.
"""

import asyncio
import itertools
import re
import signal
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)


class SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        start = len(list(folder.glob("*.eml")))
        self._seq = itertools.count(start + 1)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content: bytes = envelope.original_content or b""
        match = _MESSAGE_ID.search(content)
        mid = match.group(1).decode("ascii", "replace") if match else "no-id"
        safe = re.sub(r"[^A-Za-z0-9_.@-]", "_", mid)[:120]
        (self.folder / f"{next(self._seq):07d}-{safe}.eml").write_bytes(content)
        return "250 OK saved"


def start_sink(folder: Path, host: str = "127.0.0.1", port: int = 2525) -> Controller:
    controller = Controller(SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return controller


def serve_forever(folder: Path, host: str, port: int) -> None:
    controller = start_sink(folder, host, port)
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()


def count_messages(folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.eml"))
    ids = [f.name.split("-", 1)[1] for f in files]
    return {"files": len(files), "unique": len(set(ids)), "duplicates": len(ids) - len(set(ids))}
