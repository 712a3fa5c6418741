"""Shared test data and small helpers (no fixtures with side effects here)."""

import copy
import json
from typing import Any

CONTRACT_EVENT: dict[str, Any] = {
    "schema_version": 1,
    "event_id": "evt_001",
    "occurred_at": "2026-12-01T10:15:00Z",
    "tenant_id": "acme",
    "customer_id": "cus_42",
    "payment_id": "pay_9",
    "type": "payment.failed",
    "amount": 1999,
    "currency": "EUR",
    "gateway": "stripe",
    "decline_code": "insufficient_funds",
    "payment_method": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2027},
    "contact": {
        "email": "ana@example.com",
        "locale": "es",
        "timezone": "Europe/Madrid",
        "name": "Ana",
    },
}

# A Luhn-valid test card number (Visa's documented test PAN), used only to prove
# that such numbers are rejected and redacted.
TEST_PAN = "4111111111111111"


def event(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(CONTRACT_EVENT)
    body.update(changes)
    return body


def event_bytes(**changes: Any) -> bytes:
    return json.dumps(event(**changes)).encode()
