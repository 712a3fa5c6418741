"""The results: a table on stdout, bench/results/latest.json and latest.md."""

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("faust-streaming", "aiokafka", "aiosmtplib", "aiosmtpd", "pydantic")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine(kafka_version: str) -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "kafka": kafka_version,
        "packages": versions,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.3f}"
    if unit in ("ms", "µs"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(benchmark, value, unit, how to read it) for the table and the markdown."""
    out: list[tuple[str, str, str, str]] = []
    k = r.get("kafka")
    if k:
        n = k["events"]
        out += [
            (
                "kafka baseline: bare loop, 1 hop",
                _fmt(k["baseline_1hop"]["rate"], "msg/s"),
                "msg/s",
                f"getmany -> send, acks + commit every 1 s; {n:,} msgs",
            ),
            (
                "kafka baseline: 1 hop, ack per batch",
                _fmt(k["baseline_1hop_ack_per_batch"]["rate"], "msg/s"),
                "msg/s",
                "awaits acks + commit after every batch (max 1,000)",
            ),
            (
                "kafka baseline: 2 chained loops",
                _fmt(k["baseline_2hop"]["rate"], "msg/s"),
                "msg/s",
                "two loops, a -> b -> c: the pipeline's two hops",
            ),
            (
                "pipeline: Faust worker",
                _fmt(k["pipeline"]["rate"], "ev/s"),
                "events/s",
                f"worker start-up {k['pipeline']['startup_seconds']:.1f} s not included",
            ),
            ("pipeline / 1-hop baseline", _fmt(k["ratio_to_1hop"], "x"), "x", "1.0 = the ceiling"),
            (
                "pipeline / 2-hop baseline",
                _fmt(k["ratio_to_2hop"], "x"),
                "x",
                "1.0 = Kafka I/O is all it costs",
            ),
        ]
        lat = k.get("latency")
        if lat:
            p, b = lat["pipeline_ms"], lat["baseline_2hop_ms"]
            pace = f"{lat['events']:,} events at {lat['rate_per_s']:.0f}/s"
            out += [
                ("latency decline -> notify.email p50", _fmt(p["p50"], "ms"), "ms", pace),
                (
                    "latency decline -> notify.email p95",
                    _fmt(p["p95"], "ms"),
                    "ms",
                    f"p99 {p['p99']:.0f} ms, max {p['max']:.0f} ms",
                ),
                (
                    "latency 2-hop baseline p50 / p95",
                    f"{b['p50']:.1f} / {b['p95']:.1f}",
                    "ms",
                    "same pace, bare loops",
                ),
            ]
    e = r.get("email")
    if e:
        m = e["messages"]
        out += [
            (
                "smtp raw aiosmtplib, 1 connection",
                _fmt(e["raw_1conn"]["rate"], "msg/s"),
                "msg/s",
                f"prebuilt messages, {m:,} mails",
            ),
            (
                f"smtp raw aiosmtplib, {e['pool_size']} connections",
                _fmt(e["raw_pool"]["rate"], "msg/s"),
                "msg/s",
                "same messages, one pool",
            ),
            (
                "email sender (EmailSender)",
                _fmt(e["sender"]["rate"], "msg/s"),
                "mails/s",
                "Kafka in, render, SMTP pool, outcomes, commit",
            ),
            (
                "sender / raw pool",
                _fmt(e["ratio_to_pool"], "x"),
                "x",
                "the rest is rendering + Kafka",
            ),
        ]
    for name, us in r.get("micro_us", {}).items():
        out.append((f"cpu: {name}", _fmt(us, "µs"), "µs/msg", "best of 3 rounds"))
    return out


def table(r: dict[str, Any]) -> str:
    lines = [f"{'benchmark':<40} {'value':>12} {'unit':<9} note", "-" * 100]
    lines += [f"{a:<40} {b:>12} {c:<9} {d}" for a, b, c, d in rows(r)]
    return "\n".join(lines)


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"# Benchmark run {r['run_id']} ({r['started_at']})",
        "",
        "Produced by `make bench`; see bench/README.md for what each number means.",
        "",
        "| benchmark | value | unit | note |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(r)]
    pkgs = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    lines += [
        "",
        "## Machine",
        "",
        f"- {m['platform']}; {m['cpus']} CPUs ({m['cpu']}); {m['memory_gib']} GiB RAM",
        f"- Python {m['python']}; Apache Kafka {m['kafka']} (single KRaft node, loopback)",
        f"- {pkgs}",
        f"- load average at start {m['load_average_at_start']}, "
        f"at end {r.get('load_average_at_end')}",
        f"- config: {json.dumps(r['config'])}",
        f"- total wall time {r.get('wall_seconds', 0):.0f} s",
        "",
    ]
    return "\n".join(lines)


def write(r: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.md").write_text(markdown(r))
    return path
