"""Sample commands for `templates check`, the gallery and tests."""

from datetime import UTC, datetime

from schemas.notification import Channel, NotificationCommand, Recipient

SAMPLE_NAMES: dict[str, str] = {
    "en": "Alex Morgan",
    "es": "Lucía Fernández",
    "fr": "Élodie Martin",
    "de": "Jürgen Weiß",
    "pt": "João Silva",
    "pt-BR": "Ana Beatriz Souza",
    "hi": "प्रिया शर्मा",
    "bn": "অনিক রহমান",
    "ar": "ليلى حسن",
}
SAMPLE_CURRENCIES: dict[str, str] = {
    "en": "USD",
    "es": "EUR",
    "fr": "EUR",
    "de": "EUR",
    "pt": "EUR",
    "pt-BR": "BRL",
    "hi": "INR",
    "bn": "BDT",
    "ar": "SAR",
}
SAMPLE_ZONES: dict[str, str] = {
    "en": "America/New_York",
    "es": "Europe/Madrid",
    "fr": "Europe/Paris",
    "de": "Europe/Berlin",
    "pt": "Europe/Lisbon",
    "pt-BR": "America/Sao_Paulo",
    "hi": "Asia/Kolkata",
    "bn": "Asia/Dhaka",
    "ar": "Asia/Riyadh",
}
# A signed short link as the link service issues them (48 characters): the
# SMS budgets assume links of about this length.
SAMPLE_ACTION_URL = "https://pay.example.com/l/Xk3dE5fG7hJ9kL1mN2pQ4r"
SAMPLE_UNSUBSCRIBE_URL = "https://pay.example.com/u/5f1c0e9a7b2d4c8e9f01a2b3c4d5e6f7"


def sample_command(
    *,
    channel: Channel,
    locale: str,
    template: str,
    category: str = "insufficient_funds",
    action: str = "update_payment_method",
    disclose: bool = False,
    amount: int = 4999,
    currency: str | None = None,
    tenant_id: str = "default",
    name: str | None = None,
) -> NotificationCommand:
    base = locale if locale in SAMPLE_NAMES else locale.split("-", 1)[0]
    return NotificationCommand(
        notification_id=f"ntf_sample_{channel.value}_{template}",
        case_id="case_sample",
        tenant_id=tenant_id,
        customer_id="cust_sample",
        channel=channel,
        template=template,
        step=template,
        recipient=Recipient(
            email="customer@example.com",
            phone="+15555550100",
            name=name if name is not None else SAMPLE_NAMES.get(base, "Alex Morgan"),
            locale=locale,
            timezone=SAMPLE_ZONES.get(base, "UTC"),
        ),
        payment_id="pay_sample",
        amount=amount,
        currency=currency or SAMPLE_CURRENCIES.get(base, "USD"),
        card_brand="visa",
        card_last4="4242",
        gateway="stripe",
        decline_category=category,
        customer_action=action,
        disclose_reason=disclose,
        decline_at=datetime(2025, 3, 14, 23, 30, tzinfo=UTC),
        created_at=datetime(2025, 3, 15, 9, 0, tzinfo=UTC),
    )
