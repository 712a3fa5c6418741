"""Deterministic benchmark inputs: canonical PaymentEvents and NotificationCommands.

Events follow demo.sample's shape (tenants, locales, gateways, decline codes
the taxonomy knows), so the pipeline does its full work per event: classify,
plan a retry, update the case table, emit commands. Ids carry the run id, so
two runs never collide.
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agents.case_logic import decide
from demo.sample import AMOUNTS, BRANDS, GATEWAY_CODES, PROFILES, TENANTS
from schemas.notification import NotificationCommand
from schemas.payment_event import PaymentEvent


@dataclass(frozen=True)
class Customer:
    key: bytes
    base: dict[str, object]
    gateway: str


def _customer(rng: random.Random, run: str, n: int, prefix: str) -> Customer:
    tenant = TENANTS[n % len(TENANTS)]
    customer = f"{prefix}{n:06d}"
    locale, zone, currency, names = rng.choice(PROFILES)
    gateway = rng.choice(list(GATEWAY_CODES))
    low, high = AMOUNTS.get(currency, (499, 19999))
    base: dict[str, object] = {
        "schema_version": 1,
        "tenant_id": tenant,
        "customer_id": customer,
        "payment_id": f"pay_{run}_{customer}",
        "amount": rng.randrange(low, high),
        "currency": currency,
        "gateway": gateway,
        "payment_method": {
            "brand": rng.choice(BRANDS),
            "last4": f"{rng.randrange(10000):04d}",
            "exp_month": rng.randrange(1, 13),
            "exp_year": rng.randrange(2027, 2031),
        },
        "contact": {
            "email": f"{customer}@{tenant}.example",
            "locale": locale,
            "timezone": zone,
            "name": rng.choice(names),
        },
    }
    return Customer(f"{tenant}:{customer}".encode(), base, gateway)


def _event(c: Customer, run: str, idx: int, kind: str, when: datetime, code: str | None) -> bytes:
    body = {**c.base, "event_id": f"evt_{run}_{c.base['customer_id']}_{idx}", "type": kind}
    body["occurred_at"] = when.isoformat()
    if code is not None:
        body["decline_code"] = code
    return json.dumps(body, ensure_ascii=False).encode()


def payment_events(
    count: int, customers: int, run: str, seed: int = 11
) -> list[tuple[bytes, bytes]]:
    """`count` unique events from `customers` customers, interleaved, per-customer order kept.

    Each customer goes through cases: 1-4 failures, then a recovery (70%) or a
    card update (30%), repeated. So roughly a third of events open or close a
    case and emit an email command; the rest update an open case.
    """
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=2)
    people = [_customer(rng, run, n, "cus_") for n in range(customers)]
    per_customer: list[list[tuple[bytes, bytes]]] = []
    for n, c in enumerate(people):
        wanted = count // customers + (1 if n < count % customers else 0)
        events: list[tuple[bytes, bytes]] = []
        when = start + timedelta(seconds=n)
        while len(events) < wanted:
            for _ in range(rng.randint(1, 4)):
                if len(events) == wanted:
                    break
                code = rng.choice(GATEWAY_CODES[c.gateway])
                events.append((c.key, _event(c, run, len(events), "payment.failed", when, code)))
                when += timedelta(minutes=17)
            if len(events) < wanted:
                kind = "payment.succeeded" if rng.random() < 0.7 else "payment_method.updated"
                events.append((c.key, _event(c, run, len(events), kind, when, None)))
                when += timedelta(minutes=17)
        per_customer.append(events)
    # Round by round, customers in random order: a realistic interleaving that
    # keeps each customer's own order (the case agent depends on it).
    out: list[tuple[bytes, bytes]] = []
    depth = max((len(e) for e in per_customer), default=0)
    order = list(range(customers))
    for i in range(depth):
        rng.shuffle(order)
        out += [per_customer[n][i] for n in order if i < len(per_customer[n])]
    return out


def first_failures(count: int, run: str, prefix: str, seed: int = 23) -> list[tuple[bytes, bytes]]:
    """One payment.failed per new customer: each opens a case and emits exactly one email."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = []
    for n in range(count):
        c = _customer(rng, run, n, prefix)
        code = rng.choice(GATEWAY_CODES[c.gateway])
        out.append((c.key, _event(c, run, 0, "payment.failed", now, code)))
    return out


def email_commands(count: int, run: str) -> list[NotificationCommand]:
    """Valid first-notice commands made the way the case agent makes them (decide())."""
    now = datetime.now(UTC)
    commands = []
    for _key, raw in first_failures(count, run, "snd_"):
        decision = decide(None, PaymentEvent.model_validate_json(raw), now)
        if len(decision.commands) != 1:
            raise RuntimeError("a first failure with an email contact must emit one command")
        commands.append(decision.commands[0])
    return commands
