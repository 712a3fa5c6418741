"""`make bench`: every benchmark next to its baseline, in one run, on a real broker.

Starts a Kafka broker on 127.0.0.1:29092 unless one answers there (and stops
it again at the end), isolates the run with its own topic prefix and app id,
prints a table and writes bench/results/latest.json and latest.md. Nothing
here asserts on speed; a run that loses messages stops with an error.
"""

import argparse
import asyncio
import os
import shutil
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, report
from bench.broker import delete_run_topics, ensure_broker, kafka_version
from bench.kafka_bench import (
    BenchFailure,
    Latency,
    Throughput,
    Worker,
    chained_loops,
    create_plain_topics,
    forward_loop,
    free_port,
    latencies,
    paced_produce,
    produce_all,
    read_records,
)
from bench.micro import micro_benchmarks
from bench.smtp_bench import Sink, raw_send, run_sender
from channels.templating import build_email
from streams.admin import create_all_topics
from streams.settings import Settings
from streams.topics import Topic, topic_name

REPO = Path(__file__).resolve().parent.parent


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--events", type=int, default=20_000, help="events for the throughput runs")
    p.add_argument("--customers", type=int, default=2_000)
    p.add_argument("--commands", type=int, default=3_000, help="emails for the SMTP runs")
    p.add_argument("--latency-events", type=int, default=1_000)
    p.add_argument("--latency-rate", type=float, default=200.0, help="events/s while timing")
    p.add_argument("--partitions", type=int, default=12)
    p.add_argument("--skip-micro", action="store_true")
    return p.parse_args()


def _through(t: Throughput) -> dict[str, float]:
    return {**asdict(t), "rate": t.rate}


def _pcts(lat: Latency, expected: int, what: str) -> dict[str, float]:
    if len(lat.samples_ms) != expected:
        raise BenchFailure(f"{what}: matched {len(lat.samples_ms)} of {expected} records")
    return {
        "p50": lat.pct(50),
        "p95": lat.pct(95),
        "p99": lat.pct(99),
        "max": max(lat.samples_ms),
    }


async def kafka_benchmarks(
    args: argparse.Namespace, settings: Settings, run: str, run_dir: Path
) -> dict[str, Any]:
    bootstrap = settings.kafka_bootstrap_servers
    n = args.events
    events = data.payment_events(n, args.customers, run)
    source = topic_name(settings, Topic.PAYMENT_EVENTS)
    base = f"{settings.topic_prefix}base."
    plain = [f"{base}{t}" for t in ("out1", "mid", "out2", "lat.a", "lat.b", "lat.c")]
    print(f"== topics: {settings.topic_prefix}* ({settings.topic_partitions} partitions) ==")
    await create_all_topics(settings)
    await create_plain_topics(bootstrap, plain, settings.topic_partitions)
    print(f"== pre-producing {n:,} events from {args.customers:,} customers to {source} ==")
    await produce_all(bootstrap, source, events)

    # The first pass over fresh data warms the broker (JIT, page cache, group
    # coordinator); without it whichever loop runs first looks slower.
    print("== warm-up: 1 hop, not reported ==", flush=True)
    await forward_loop(bootstrap, source, f"{base}out1", f"{run}-warm", n, 120)
    print("== baseline: bare aiokafka loop, 1 hop ==", flush=True)
    hop1 = await forward_loop(bootstrap, source, f"{base}out1", f"{run}-base1", n, 120)
    print(f"   {hop1.rate:,.0f} msg/s")
    print("== baseline: bare aiokafka loop, 1 hop, acks + commit per batch ==", flush=True)
    per_batch = await forward_loop(
        bootstrap, source, f"{base}out1", f"{run}-base1b", n, 120, commit_every=None
    )
    print(f"   {per_batch.rate:,.0f} msg/s")
    print("== baseline: 2 chained loops ==", flush=True)
    hop2 = await chained_loops(
        bootstrap, (source, f"{base}mid", f"{base}out2"), f"{run}-base2", n, 120
    )
    print(f"   {hop2.rate:,.0f} msg/s")

    print("== pipeline: Faust worker subprocess ==", flush=True)
    worker = Worker(settings, run_dir / "worker.log")
    worker.start()
    try:
        pipe = await worker.wait_seen(n, timeout=180)
        print(f"   {pipe.rate:,.0f} events/s (start-up {pipe.startup_seconds:.1f} s)")
        lat_events = data.first_failures(args.latency_events, run, "lat_")
        print(
            f"== latency: {len(lat_events):,} new declines at {args.latency_rate:.0f}/s "
            "through the running worker ==",
            flush=True,
        )
        lat_task = asyncio.create_task(worker.wait_seen(len(lat_events), timeout=120, base=n))
        sent = await paced_produce(bootstrap, source, lat_events, args.latency_rate)
        await lat_task
        commands = await read_records(
            bootstrap, topic_name(settings, Topic.NOTIFY_EMAIL), len(sent), 60, only=sent
        )
        pipe_lat = _pcts(latencies(sent, commands), len(sent), "pipeline latency")
    finally:
        worker.stop()
    print(f"   p50 {pipe_lat['p50']:.0f} ms, p95 {pipe_lat['p95']:.0f} ms")

    print("== latency: 2 chained bare loops at the same pace ==", flush=True)
    a, b, c = (f"{base}lat.a", f"{base}lat.b", f"{base}lat.c")
    ready = (asyncio.Event(), asyncio.Event())
    loops = asyncio.gather(
        forward_loop(bootstrap, a, b, f"{run}-lat1", len(lat_events), 120, ready[0]),
        forward_loop(bootstrap, b, c, f"{run}-lat2", len(lat_events), 120, ready[1]),
    )
    await asyncio.wait_for(asyncio.gather(ready[0].wait(), ready[1].wait()), 60)
    await asyncio.sleep(1.0)  # let both fetch their start offsets before the clock matters
    sent = await paced_produce(bootstrap, a, lat_events, args.latency_rate)
    await loops
    out = await read_records(bootstrap, c, len(sent), 60, only=sent)
    base_lat = _pcts(latencies(sent, out), len(sent), "baseline latency")
    print(f"   p50 {base_lat['p50']:.0f} ms, p95 {base_lat['p95']:.0f} ms")

    return {
        "events": n,
        "customers": args.customers,
        "baseline_1hop": _through(hop1),
        "baseline_1hop_ack_per_batch": _through(per_batch),
        "baseline_2hop": _through(hop2),
        "pipeline": _through(pipe),
        "ratio_to_1hop": pipe.rate / hop1.rate,
        "ratio_to_2hop": pipe.rate / hop2.rate,
        "latency": {
            "events": len(lat_events),
            "rate_per_s": args.latency_rate,
            "pipeline_ms": pipe_lat,
            "baseline_2hop_ms": base_lat,
        },
    }


async def email_benchmarks(
    args: argparse.Namespace, settings: Settings, run: str
) -> dict[str, Any]:
    m = args.commands
    commands = data.email_commands(m, run)
    messages = [build_email(c, from_addr=settings.email_from) for c in commands]
    print(f"== topics: {settings.topic_prefix}*; pre-producing {m:,} email commands ==")
    await create_all_topics(settings)
    await produce_all(
        settings.kafka_bootstrap_servers,
        topic_name(settings, Topic.NOTIFY_EMAIL),
        [(c.customer_key.encode(), c.model_dump_json().encode()) for c in commands],
    )
    sink = Sink(settings.smtp_port)
    sink.start()
    try:
        print("== smtp: raw aiosmtplib, 1 connection ==", flush=True)
        one = await raw_send(settings.smtp_port, messages, 1)
        print(f"   {one.rate:,.0f} msg/s")
        print(f"== smtp: raw aiosmtplib, {settings.smtp_pool_size} connections ==", flush=True)
        pool = await raw_send(settings.smtp_port, messages, settings.smtp_pool_size)
        print(f"   {pool.rate:,.0f} msg/s")
        print("== email sender: notify.email -> SMTP ==", flush=True)
        sender = await run_sender(settings, m, timeout=120)
        print(f"   {sender.rate:,.0f} mails/s")
    finally:
        accepted = sink.stop()
    if accepted != 3 * m:
        raise BenchFailure(f"SMTP sink accepted {accepted} mails, expected {3 * m}")
    return {
        "messages": m,
        "pool_size": settings.smtp_pool_size,
        "raw_1conn": _through(one),
        "raw_pool": _through(pool),
        "sender": _through(sender),
        "ratio_to_pool": sender.rate / pool.rate,
        "ratio_to_1conn": sender.rate / one.rate,
        "sink_accepted": accepted,
    }


async def main_async(args: argparse.Namespace, bootstrap: str) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    run_dir = REPO / ".run" / "bench" / run
    started = time.perf_counter()
    result: dict[str, Any] = {
        "run_id": run,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": report.machine(kafka_version()),
        "config": {
            "events": args.events,
            "customers": args.customers,
            "commands": args.commands,
            "latency_events": args.latency_events,
            "latency_rate": args.latency_rate,
            "partitions": args.partitions,
        },
    }
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": bootstrap,
        "topic_partitions": args.partitions,
        "data_dir": run_dir / "worker",
        "unknown_codes_path": run_dir / "unknown-codes.json",
        "table_store": "memory://",
    }
    pipeline = Settings(
        **common,
        topic_prefix=f"bench{run}.",
        app_id=f"dn-bench-{run}",
        worker_web_port=free_port(),
        sender_metrics_port=free_port(),
    )
    email = Settings(
        **common,
        topic_prefix=f"bench{run}s.",
        app_id=f"dn-bench-{run}-s",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_pool_size=4,
    )
    try:
        result["kafka"] = await kafka_benchmarks(args, pipeline, run, run_dir)
        result["email"] = await email_benchmarks(args, email, run)
    finally:
        removed = await delete_run_topics(bootstrap, (f"bench{run}", f"dn-bench-{run}"))
        print(f"== removed this run's {removed} topics ==")
    if not args.skip_micro:
        print("== cpu micro-benchmarks ==", flush=True)
        events = data.payment_events(2_000, 200, run)
        commands = data.email_commands(300, run)
        result["micro_us"] = micro_benchmarks(events, commands, pipeline)
    shutil.rmtree(run_dir, ignore_errors=True)  # only kept when a run fails, for its logs
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["wall_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    args = _parse()
    broker = ensure_broker()
    try:
        result = asyncio.run(main_async(args, broker.bootstrap))
    finally:
        broker.stop()
    path = report.write(result)
    print()
    print(report.table(result))
    print(f"\nwritten: {path} and {path.with_suffix('.md')}")


if __name__ == "__main__":
    main()
