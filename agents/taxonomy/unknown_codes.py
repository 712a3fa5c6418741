"""Unknown decline codes: counted in Prometheus and remembered on disk.

Operators extend the tables from what production actually sends. The metric
is labelled by gateway only (codes are unbounded input); the codes
themselves go to a small JSON file that `decline-notifier codes --unknown`
reads.
"""

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from agents.taxonomy.classify import GATEWAYS
from schemas.pan import redact_text

DEFAULT_PATH = Path(".run/unknown-codes.json")
METRIC = "dn_decline_codes_unknown"
# A gateway sending garbage must not grow the file without bound.
MAX_CODES_PER_GATEWAY = 500
MAX_CODE_LEN = 64
OVERFLOW = "__other__"


def unknown_codes_counter(registry: CollectorRegistry) -> Counter:
    """The `dn_decline_codes_unknown_total{gateway}` counter on the app's registry."""
    return Counter(
        METRIC,
        "Declines whose code is not in the taxonomy tables, by gateway",
        ["gateway"],
        registry=registry,
    )


def gateway_label(gateway: str) -> str:
    g = gateway.strip().lower()
    return g if g in GATEWAYS else "other"


def record_unknown(
    gateway: str, code: str | None, path: Path = DEFAULT_PATH, *, counter: Counter | None = None
) -> None:
    """Count one unknown code and add it to the file at `path` (created if missing).

    Blocking file I/O: call it from a thread or batch it, not per event on
    the event loop. Several workers may share the file, so writes are locked
    and atomic.
    """
    if counter is not None:
        counter.labels(gateway=gateway_label(gateway)).inc()
    g = gateway_label(gateway) if gateway_label(gateway) != "other" else _clean(gateway)[:32]
    c = _clean(code or "<none>")
    now = datetime.now(UTC).isoformat()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data = _read(path)
        codes: dict[str, dict[str, Any]] = data["codes"].setdefault(g, {})
        if c not in codes and len(codes) >= MAX_CODES_PER_GATEWAY:
            c = OVERFLOW
        entry = codes.setdefault(c, {"count": 0, "first_seen": now})
        entry["count"] += 1
        entry["last_seen"] = now
        _write_atomic(path, data)


def read_unknown(path: Path = DEFAULT_PATH) -> list[dict[str, Any]]:
    """Unknown codes seen, most frequent first: gateway, code, count, first/last seen."""
    data = _read(path)
    rows = [
        {"gateway": g, "code": c, **entry}
        for g, codes in data["codes"].items()
        for c, entry in codes.items()
    ]
    return sorted(rows, key=lambda r: (-int(r["count"]), r["gateway"], r["code"]))


def _clean(text: str) -> str:
    # Codes are untrusted input: never store something that looks like a card number.
    return redact_text(" ".join(text.split()))[:MAX_CODE_LEN]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": 1, "codes": {}}
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise ValueError(f"{path} is not an unknown-codes file")
    return data


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(path.name + ".lock")
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
