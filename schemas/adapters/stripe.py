"""Raw Stripe webhook events (charge, payment_intent, invoice) to PaymentEvent."""

from datetime import UTC, datetime
from typing import Any

from schemas.adapters._common import as_dict, brand, contact, opt_dict, opt_str
from schemas.adapters.errors import AdapterError, IgnoredEvent
from schemas.payment_event import Contact, PaymentEvent, PaymentEventType, PaymentMethod

EVENT_TYPES = {
    "charge.failed": PaymentEventType.FAILED,
    "charge.succeeded": PaymentEventType.SUCCEEDED,
    "invoice.payment_failed": PaymentEventType.FAILED,
    "invoice.payment_succeeded": PaymentEventType.SUCCEEDED,
    "payment_intent.payment_failed": PaymentEventType.FAILED,
    "payment_intent.succeeded": PaymentEventType.SUCCEEDED,
}


def is_stripe_event(raw: dict[str, Any]) -> bool:
    return raw.get("object") == "event" and isinstance(raw.get("type"), str) and "data" in raw


def from_stripe(raw: dict[str, Any], *, default_tenant: str | None = None) -> PaymentEvent:
    etype = raw["type"]
    kind = EVENT_TYPES.get(etype)
    if kind is None:
        raise IgnoredEvent("ignored_type", f"stripe event type {etype}")
    obj = as_dict(opt_dict(raw.get("data")).get("object"), "stripe data.object")
    created = raw.get("created")
    if not isinstance(created, int):
        raise AdapterError("bad_shape", "stripe event has no integer 'created'")
    resource = etype.split(".")[0]
    decline = _decline(resource, obj)
    card = decline.pop("card", None)
    return PaymentEvent(
        event_id=_required(raw.get("id"), "id"),
        occurred_at=datetime.fromtimestamp(created, UTC),
        tenant_id=_tenant(raw, obj, default_tenant),
        customer_id=_customer(obj),
        payment_id=_payment_id(resource, obj),
        type=kind,
        amount=_amount(resource, obj, kind),
        currency=_required(obj.get("currency"), "currency").upper(),
        gateway="stripe",
        **(_decline_fields(decline) if kind is PaymentEventType.FAILED else {}),
        payment_method=_card(card),
        contact=_contact(resource, obj),
    )


def _required(value: Any, name: str) -> str:
    text = opt_str(value)
    if text is None:
        raise AdapterError("bad_shape", f"stripe payload has no {name}")
    return text


def _tenant(raw: dict[str, Any], obj: dict[str, Any], default: str | None) -> str:
    # Explicit metadata wins; a Connect account id is the next best tenant key.
    tenant = opt_str(opt_dict(obj.get("metadata")).get("tenant_id")) or opt_str(raw.get("account"))
    tenant = tenant or default
    if tenant is None:
        raise AdapterError("no_tenant", "stripe event has no metadata.tenant_id or account")
    return tenant


def _customer(obj: dict[str, Any]) -> str:
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    found = opt_str(customer) or opt_str(opt_dict(obj.get("metadata")).get("customer_id"))
    if found is None:
        raise AdapterError("no_customer", "stripe object has no customer")
    return found


def _payment_id(resource: str, obj: dict[str, Any]) -> str:
    # Charge, PaymentIntent and Invoice events about one failure should land
    # on one case, so prefer the outermost object the billing system retries.
    invoice = obj.get("invoice")
    invoice_id = invoice.get("id") if isinstance(invoice, dict) else invoice
    pi = obj.get("payment_intent")
    pi_id = pi.get("id") if isinstance(pi, dict) else pi
    if resource == "invoice":
        return _required(obj.get("id"), "id")
    return opt_str(invoice_id) or opt_str(pi_id) or _required(obj.get("id"), "id")


def _amount(resource: str, obj: dict[str, Any], kind: PaymentEventType) -> int:
    if resource == "invoice":
        key = "amount_paid" if kind is PaymentEventType.SUCCEEDED else "amount_due"
    else:
        key = "amount"
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise AdapterError("bad_shape", f"stripe {resource} has no integer {key}")
    return value  # Stripe amounts are already integer minor units


def _decline(resource: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Decline code, raw network code, advice codes and card of one Stripe object."""
    if resource == "invoice":
        # An invoice carries the decline only through its (expanded) PaymentIntent or charge.
        for key in ("payment_intent", "charge"):
            inner = obj.get(key)
            if isinstance(inner, dict):
                return _decline("payment_intent" if key == "payment_intent" else "charge", inner)
        return {}
    if resource == "payment_intent":
        err = opt_dict(obj.get("last_payment_error"))
        latest = obj.get("latest_charge")
        from_charge = _decline("charge", latest) if isinstance(latest, dict) else {}
        pm_card = opt_dict(opt_dict(err.get("payment_method")).get("card"))
        return {
            "code": opt_str(err.get("decline_code"))
            or from_charge.get("code")
            or opt_str(err.get("code")),
            "iso": opt_str(err.get("network_decline_code")) or from_charge.get("iso"),
            "advice": opt_str(err.get("advice_code")) or from_charge.get("advice"),
            "mac": opt_str(err.get("network_advice_code")) or from_charge.get("mac"),
            "card": pm_card or from_charge.get("card"),
        }
    outcome = opt_dict(obj.get("outcome"))
    return {
        "code": opt_str(outcome.get("reason")) or opt_str(obj.get("failure_code")),
        "iso": opt_str(outcome.get("network_decline_code")),
        "advice": opt_str(outcome.get("advice_code")),
        "mac": opt_str(outcome.get("network_advice_code")),
        "card": opt_dict(opt_dict(obj.get("payment_method_details")).get("card")),
    }


def _card(card: dict[str, Any] | None) -> PaymentMethod | None:
    if not card or not opt_str(card.get("last4")):
        return None
    return PaymentMethod(
        brand=brand(opt_str(card.get("brand")) or opt_str(card.get("network"))) or "unknown",
        last4=card["last4"],
        exp_month=card.get("exp_month"),
        exp_year=card.get("exp_year"),
        fingerprint=opt_str(card.get("fingerprint")),
    )


def _contact(resource: str, obj: dict[str, Any]) -> Contact | None:
    if resource == "invoice":
        return contact(
            email=opt_str(obj.get("customer_email")),
            phone=opt_str(obj.get("customer_phone")),
            name=opt_str(obj.get("customer_name")),
        )
    billing = opt_dict(obj.get("billing_details"))
    return contact(
        email=opt_str(billing.get("email")) or opt_str(obj.get("receipt_email")),
        phone=opt_str(billing.get("phone")),
        name=opt_str(billing.get("name")),
    )


def _decline_fields(decline: dict[str, Any]) -> dict[str, Any]:
    return {
        "decline_code": decline.get("code"),
        "advice_code": decline.get("advice"),
        "network_decline_code": decline.get("iso"),
        "network_advice_code": decline.get("mac"),
    }
