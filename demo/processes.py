"""Child processes of the local system: start, kill, stop and read their logs.

Shared by `make demo`, the integration tests and the benchmarks, so each
runs the worker and senders exactly as an operator would: as separate
processes configured only through DN_ variables.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from streams.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def settings_env(settings: Settings) -> dict[str, str]:
    """Every setting as a DN_ variable, so the child sees exactly these values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DN_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            secret = getattr(value, "get_secret_value", None)
            env[f"DN_{name.upper()}"] = str(secret() if secret else value)
    return env


class ServiceProcess:
    """`python -m streams <args>` as a child process with its output in a log file."""

    def __init__(self, args: list[str], settings: Settings, log: Path) -> None:
        self.args = args
        self.settings = settings
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:  # the child keeps its own copy of the fd
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "streams", *self.args],
                cwd=REPO,
                env=settings_env(self.settings),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a terminal reaches the parent only
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no final commit — a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def worker_process(settings: Settings, log: Path, loglevel: str = "info") -> ServiceProcess:
    return ServiceProcess(["worker", "--loglevel", loglevel], settings, log)
