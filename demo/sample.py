"""Realistic sample traffic: failures, upstream retries, recoveries, bad input.

Deterministic for a given seed, so a demo run can be compared with another.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

PROFILES = [
    # (locale, timezone, currency, first names)
    ("en", "America/New_York", "USD", ["Alex", "Sam", "Jordan", "Taylor"]),
    ("en", "Europe/London", "GBP", ["Oliver", "Amelia", "Harry"]),
    ("es", "Europe/Madrid", "EUR", ["Ana", "Lucía", "Javier", "Mateo"]),
    ("es", "America/Mexico_City", "MXN", ["Sofía", "Diego"]),
    ("fr", "Europe/Paris", "EUR", ["Camille", "Louis", "Chloé"]),
    ("de", "Europe/Berlin", "EUR", ["Lena", "Jonas", "Mia"]),
    ("pt-BR", "America/Sao_Paulo", "BRL", ["João", "Maria", "Beatriz"]),
    ("hi", "Asia/Kolkata", "INR", ["Aarav", "Priya", "Ananya"]),
    ("bn", "Asia/Dhaka", "BDT", ["Rahim", "Nusrat", "Tanvir"]),
    ("ar", "Asia/Kuwait", "KWD", ["Fatima", "Omar", "Layla"]),
    ("en", "Asia/Tokyo", "JPY", ["Haruto", "Yui"]),
]
GATEWAY_CODES = {
    "stripe": [
        "insufficient_funds",
        "expired_card",
        "card_declined",
        "do_not_honor",
        "incorrect_cvc",
        "authentication_required",
        "stolen_card",
        "processing_error",
        "issuer_said_maybe",  # not in Stripe's list: shows up in `codes --unknown`
    ],
    "adyen": [
        "Not enough balance",
        "Expired Card",
        "Refused",
        "CVC Declined",
        "Issuer Unavailable",
    ],
    "braintree": ["2001", "2004", "2005", "2038", "2046"],
    "checkout": ["20051", "20054", "20005", "20062"],
}
TENANTS = ["acme", "globex", "initech"]
BRANDS = ["visa", "mastercard", "amex"]
AMOUNTS = {
    "JPY": (500, 20000),
    "KWD": (1000, 90000),
    "INR": (19900, 499900),
    "BDT": (50000, 900000),
}


@dataclass
class Sample:
    messages: list[tuple[bytes, bytes]] = field(default_factory=list)  # (key, value)
    customers: set[str] = field(default_factory=set)
    expected_invalid: int = 0
    expected_duplicates: int = 0


def build_sample(customers: int = 400, seed: int = 7, now: datetime | None = None) -> Sample:
    rng = random.Random(seed)
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)
    sample = Sample()
    streams: list[list[tuple[bytes, bytes]]] = []
    for n in range(customers):
        tenant = TENANTS[n % len(TENANTS)]
        customer = f"cus_{n:05d}"
        locale, zone, currency, names = rng.choice(PROFILES)
        gateway = rng.choice(list(GATEWAY_CODES))
        low, high = AMOUNTS.get(currency, (499, 19999))
        amount = rng.randrange(low, high)
        card = {
            "brand": rng.choice(BRANDS),
            "last4": f"{rng.randrange(10000):04d}",
            "exp_month": rng.randrange(1, 13),
            "exp_year": rng.randrange(2026, 2031),
        }
        contact = {
            "email": f"{customer}@{tenant}.example",
            "locale": locale,
            "timezone": zone,
            "name": rng.choice(names),
        }
        key = f"{tenant}:{customer}".encode()
        events: list[tuple[bytes, bytes]] = []
        t = start + timedelta(seconds=n)

        base = {
            "schema_version": 1,
            "tenant_id": tenant,
            "customer_id": customer,
            "payment_id": f"pay_{customer}",
            "amount": amount,
            "currency": currency,
            "gateway": gateway,
            "payment_method": card,
            "contact": contact,
        }

        failures = rng.randint(3, 7)
        for i in range(failures):
            code = rng.choice(GATEWAY_CODES[gateway])
            value = _event(base, "payment.failed", i, t + timedelta(hours=i), code)
            events.append((key, value))
            if rng.random() < 0.08:  # upstream retried the same delivery
                events.append((key, value))
                sample.expected_duplicates += 1
        roll = rng.random()
        if roll < 0.45:
            events.append(
                (key, _event(base, "payment.succeeded", 99, t + timedelta(hours=failures)))
            )
        elif roll < 0.55:
            events.append(
                (key, _event(base, "payment_method.updated", 98, t + timedelta(hours=failures)))
            )
        streams.append(events)
        sample.customers.add(key.decode())

    # Interleave customers as a real topic would see them, keeping per-customer order.
    while streams:
        pick = rng.randrange(len(streams))
        sample.messages.append(streams[pick].pop(0))
        if not streams[pick]:
            streams.pop(pick)

    bad = [
        b"\x00\xffnot json at all",
        b'{"event_id": "evt_missing_fields"}',
        json.dumps(
            {
                "schema_version": 1,
                "event_id": "evt_pan",
                "occurred_at": start.isoformat(),
                "tenant_id": "acme",
                "customer_id": "cus_x",
                "payment_id": "pay_x",
                "type": "payment.failed",
                "amount": 100,
                "currency": "USD",
                "gateway": "stripe",
                "card_number": "4111 1111 1111 1111",
            }
        ).encode(),
        b'{"amount": 19.99, "currency": "usd"}',
    ]
    for i, value in enumerate(bad):
        sample.messages.insert((i + 1) * len(sample.messages) // (len(bad) + 1), (b"bad", value))
    sample.expected_invalid = len(bad)
    return sample


def _event(
    base: dict[str, object], kind: str, idx: int, when: datetime, code: str | None = None
) -> bytes:
    body = {**base, "event_id": f"evt_{base['customer_id']}_{idx}", "type": kind}
    body["occurred_at"] = when.isoformat()
    if code is not None:
        body["decline_code"] = code
    return json.dumps(body, ensure_ascii=False).encode()
