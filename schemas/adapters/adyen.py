"""Adyen standard webhook notifications (AUTHORISATION) to PaymentEvent."""

import re
from datetime import datetime
from typing import Any

from schemas.adapters._common import as_dict, brand, contact, opt_dict, opt_str
from schemas.adapters.errors import AdapterError, IgnoredEvent
from schemas.payment_event import PaymentEvent, PaymentEventType, PaymentMethod

# "05 : Do not honor", "N7 : Decline for CVV2 failure"; scheme texts without a
# leading code ("DECLINED Non Honour") carry no ISO code.
_RAW_ISO = re.compile(r"^\s*([0-9A-Z]{2})\s*:")
_MAC = re.compile(r"^\s*([0-9]{2})\b")
_EXPIRY = re.compile(r"^\s*([0-9]{1,2})/([0-9]{4})\s*$")
_ID_OK = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


def is_adyen_notification(raw: dict[str, Any]) -> bool:
    return isinstance(raw.get("notificationItems"), list)


def items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for entry in raw["notificationItems"]:
        item = opt_dict(entry).get("NotificationRequestItem")
        found.append(as_dict(item, "adyen notificationItems[].NotificationRequestItem"))
    if not found:
        raise AdapterError("bad_shape", "adyen notification has no items")
    return found


def from_adyen_item(item: dict[str, Any]) -> PaymentEvent:
    code = opt_str(item.get("eventCode"))
    if code != "AUTHORISATION":
        raise IgnoredEvent("ignored_type", f"adyen eventCode {code}")
    success = item.get("success")
    if success not in ("true", "false"):
        raise AdapterError("bad_shape", "adyen success is not 'true' or 'false'")
    failed = success == "false"
    extra = opt_dict(item.get("additionalData"))
    psp = _required(item.get("pspReference"), "pspReference")
    amount = opt_dict(item.get("amount"))
    value = amount.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        raise AdapterError("bad_shape", "adyen amount.value is not an integer")
    event_date = _required(item.get("eventDate"), "eventDate")
    try:
        occurred_at = datetime.fromisoformat(event_date)
    except ValueError as exc:
        raise AdapterError("bad_shape", "adyen eventDate is not ISO 8601") from exc
    return PaymentEvent(
        # Adyen redelivers the same item on retry: the id must be stable.
        event_id=f"adyen-{psp}-AUTHORISATION-{success}",
        occurred_at=occurred_at,
        tenant_id=_required(item.get("merchantAccountCode"), "merchantAccountCode"),
        customer_id=_customer(item, extra),
        payment_id=_payment_id(item, psp),
        type=PaymentEventType.FAILED if failed else PaymentEventType.SUCCEEDED,
        amount=value,  # Adyen amount.value is already in minor units
        currency=_required(amount.get("currency"), "amount.currency"),
        gateway="adyen",
        decline_code=opt_str(item.get("reason")) if failed else None,
        network_decline_code=_raw_iso(extra) if failed else None,
        network_advice_code=_mac(extra) if failed else None,
        payment_method=_card(item, extra),
        contact=contact(
            email=opt_str(extra.get("shopperEmail")),
            name=opt_str(extra.get("shopperName")),
        ),
    )


def _required(value: Any, name: str) -> str:
    text = opt_str(value)
    if text is None:
        raise AdapterError("bad_shape", f"adyen notification has no {name}")
    return text


def _customer(item: dict[str, Any], extra: dict[str, Any]) -> str:
    for value in (
        item.get("shopperReference"),
        extra.get("shopperReference"),
        extra.get("recurring.shopperReference"),
    ):
        found = opt_str(value)
        if found:
            return found
    raise AdapterError("no_customer", "adyen notification has no shopperReference")


def _payment_id(item: dict[str, Any], psp: str) -> str:
    # The merchant's own reference is what its billing system retries; fall
    # back to Adyen's when the reference has characters our ids do not allow.
    ref = opt_str(item.get("merchantReference"))
    return ref if ref and _ID_OK.match(ref) else psp


def _raw_iso(extra: dict[str, Any]) -> str | None:
    """The issuer's ISO 8583 code from refusalReasonRaw ("41 : Lost card")."""
    match = _RAW_ISO.match(opt_str(extra.get("refusalReasonRaw")) or "")
    return match.group(1) if match else None


def _mac(extra: dict[str, Any]) -> str | None:
    match = _MAC.match(opt_str(extra.get("merchantAdviceCode")) or "")
    return match.group(1) if match else None


def _card(item: dict[str, Any], extra: dict[str, Any]) -> PaymentMethod | None:
    last4 = opt_str(extra.get("cardSummary"))
    if last4 is None:
        return None
    exp_month = exp_year = None
    expiry = _EXPIRY.match(opt_str(extra.get("expiryDate")) or "")
    if expiry:
        exp_month, exp_year = int(expiry.group(1)), int(expiry.group(2))
    method = opt_str(item.get("paymentMethod")) or opt_str(extra.get("paymentMethod"))
    return PaymentMethod(
        brand=brand(method) or "unknown", last4=last4, exp_month=exp_month, exp_year=exp_year
    )
