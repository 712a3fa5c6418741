"""A counting SMTP sink (aiosmtpd) run as its own process: `python -m bench.sink PORT`.

Its own process so the server's CPU does not compete with the sender under
test for the GIL; it keeps nothing but a count, so disk writes do not set the
pace. Prints "ready" once listening and "accepted <n>" when stopped (SIGTERM).
"""

import asyncio
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Count:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, _server: SMTP, _session: Session, _envelope: Envelope) -> str:
        self.accepted += 1
        return "250 OK counted"


def main() -> None:
    port = int(sys.argv[1])
    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()
    print(f"accepted {handler.accepted}", flush=True)


if __name__ == "__main__":
    main()
