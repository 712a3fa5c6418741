"""Turning a NotificationCommand into the words one channel sends.

Pure: reads template files once, no network. Resolution order for a message
is locale-major, tenant-minor: for each locale in the customer's chain
(pt-BR, pt, en) a tenant's template beats the default tenant's, and a locale
is served either by a template written for it (``<tenant>/<channel>/<locale>/``)
or by the shared template (``<tenant>/<channel>/_shared/``) together with
that locale's message catalogue. Locale-major keeps a tenant's English-only
override from reaching a Portuguese reader who has a Portuguese default.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    select_autoescape,
)

from channels.templating.catalogue import Translator, load_catalogue
from channels.templating.formatting import (
    card_brand_name,
    card_last4,
    customer_zone,
    format_amount,
    format_local_date,
    format_local_datetime,
    sms_spaces,
)
from channels.templating.locales import (
    babel_locale,
    language_of,
    locale_chain,
    normalize_locale,
    text_direction,
)
from channels.templating.safety import (
    TemplatingError,
    check_link,
    clean_name,
    clean_subject,
    one_line,
)
from channels.templating.sms import SmsEncoding, count_segments, segment_budget
from schemas.notification import Channel, NotificationCommand

TEMPLATES_ROOT = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_TENANT = "default"
SHARED_DIR = "_shared"
MESSAGES_DIR = "messages"

TEMPLATE_NAMES = ("first_notice", "reminder", "final_notice", "payment_received", "card_expiring")
CUSTOMER_ACTIONS = ("update_payment_method", "authenticate", "contact_bank", "retry_later", "none")
REQUIRED_LOCALES = ("en", "es", "fr", "de", "pt-BR", "hi", "bn", "ar")

# Categories whose plain-words reason may be shown when the classifier says
# disclose_reason=True. Anything else (do-not-honour, unknown, new codes)
# gets the generic wording.
DISCLOSABLE_CATEGORIES = (
    "insufficient_funds",
    "expired_card",
    "incorrect_card_data",
    "authentication_required",
    "limit_exceeded",
    "card_not_supported",
    "issuer_unavailable",
    "processing_error",
)
# Taxonomy categories that read the same to a customer as one above.
_CATEGORY_ALIASES = {"transaction_not_allowed": "card_not_supported"}
# Second line of defence behind the classifier: telling a fraudster the card
# was reported stolen or flagged helps them, so these words never appear
# even if a command says disclose_reason=True.
_NEVER_DISCLOSE = re.compile(r"fraud|stolen|lost|pick_?up|security|blocked|revoked")

# Which files make up one message on each channel ("txt" always; it also
# decides the locale).
CHANNEL_PARTS: dict[Channel, tuple[str, ...]] = {
    Channel.EMAIL: ("subject", "txt", "html"),
    Channel.SMS: ("txt",),
    Channel.VOICE: ("txt",),
    Channel.IN_APP: ("subject", "txt"),
    Channel.CHAT: ("txt",),
}
# Actions that come with a button or link label; "none" has nothing to click.
_CTA_ACTIONS = frozenset({"update_payment_method", "authenticate", "contact_bank", "retry_later"})

_TENANT = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_TEMPLATE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """The words of one message, ready for a channel sender."""

    channel: Channel
    template: str
    tenant_id: str
    locale: str  # the locale actually used, after fallback
    direction: str  # "ltr" or "rtl"
    subject: str | None
    text: str
    html: str | None
    segments: int | None = None  # SMS only
    sms_encoding: SmsEncoding | None = None
    segment_budget: int | None = None

    @property
    def over_budget(self) -> bool:
        return (
            self.segments is not None
            and self.segment_budget is not None
            and self.segments > self.segment_budget
        )


def disclosable_reason_key(category: str, disclose: bool) -> str | None:
    """Catalogue key of the reason to show, or None for generic wording."""
    if not disclose or _NEVER_DISCLOSE.search(category.lower()):
        return None
    category = _CATEGORY_ALIASES.get(category, category)
    if category in DISCLOSABLE_CATEGORIES:
        return f"category.{category}"
    return None


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


class Renderer:
    """Templates and catalogues under one root directory.

    ``strict`` refuses to borrow sentences from the default language; the
    ``templates check`` command uses it, the service does not.
    """

    def __init__(self, root: Path = TEMPLATES_ROOT, *, strict: bool = False) -> None:
        self.root = root
        self.strict = strict
        self.env = Environment(
            loader=FileSystemLoader(str(root)),
            autoescape=select_autoescape(
                enabled_extensions=("html", "htm", "xml"),
                default_for_string=False,
                default=False,
            ),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self._names: frozenset[str] | None = None
        self._catalogues: dict[tuple[str, str], dict[str, str] | None] = {}
        # select_template asks the loader (a stat per candidate) for every
        # tenant-specific file that does not exist, on every render; with
        # auto_reload off the answer never changes, so keep it.
        self._selected: dict[tuple[str, ...], Template] = {}

    # -- discovery ---------------------------------------------------------

    def template_names(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(self.env.list_templates())
        return self._names

    def tenants(self) -> tuple[str, ...]:
        found = {name.split("/", 1)[0] for name in self.template_names()}
        found.update(p.parent.parent.name for p in self.root.glob(f"*/{MESSAGES_DIR}/*.json"))
        return tuple(sorted(found, key=lambda t: (t != DEFAULT_TENANT, t)))

    def locales(self, tenant: str = DEFAULT_TENANT) -> tuple[str, ...]:
        """Locales with a catalogue for ``tenant`` or the default tenant."""
        found: set[str] = set()
        for name in {tenant, DEFAULT_TENANT}:
            found.update(p.stem for p in (self.root / name / MESSAGES_DIR).glob("*.json"))
        return tuple(sorted(found))

    def catalogue(self, tenant: str, locale: str) -> dict[str, str] | None:
        key = (tenant, locale)
        if key not in self._catalogues:
            self._catalogues[key] = load_catalogue(
                self.root / tenant / MESSAGES_DIR / f"{locale}.json"
            )
        return self._catalogues[key]

    # -- resolution --------------------------------------------------------

    def _resolve_locale(
        self, tenants: tuple[str, ...], channel: str, template: str, chain: tuple[str, ...]
    ) -> str:
        names = self.template_names()
        shared = any(f"{tn}/{channel}/{SHARED_DIR}/{template}.txt" in names for tn in tenants)
        for loc in chain:
            if any(f"{tn}/{channel}/{loc}/{template}.txt" in names for tn in tenants):
                return loc
            if shared and any(self.catalogue(tn, loc) is not None for tn in tenants):
                return loc
        raise TemplatingError(f"no {channel} template {template!r} for locale {chain[0]!r}")

    def _candidates(self, tenants: tuple[str, ...], channel: str, loc: str, file: str) -> list[str]:
        return [f"{tn}/{channel}/{loc}/{file}" for tn in tenants] + [
            f"{tn}/{channel}/{SHARED_DIR}/{file}" for tn in tenants
        ]

    def _select(self, candidates: Sequence[str]) -> Template:
        key = tuple(candidates)
        found = self._selected.get(key)
        if found is None:
            found = self._selected[key] = self.env.select_template(key)
        return found

    def _translator(
        self, tenants: tuple[str, ...], chain: tuple[str, ...], used: str
    ) -> Translator:
        layers: list[dict[str, str]] = []
        fallback: list[dict[str, str]] = []
        for loc in chain[chain.index(used) :]:
            target = layers if language_of(loc) == language_of(used) else fallback
            for tn in tenants:
                found = self.catalogue(tn, loc)
                if found is not None:
                    target.append(found)
        return Translator(layers, fallback, strict=self.strict)

    # -- rendering ---------------------------------------------------------

    def render(
        self,
        command: NotificationCommand,
        *,
        tenant_id: str | None = None,
        action_url: str | None = None,
        unsubscribe_url: str | None = None,
    ) -> RenderedMessage:
        tenant = tenant_id or command.tenant_id
        if not _TENANT.match(tenant):
            raise TemplatingError("tenant id is not a plain identifier")
        if not _TEMPLATE.match(command.template):
            raise TemplatingError("template name is not a plain identifier")
        if action_url is not None:
            check_link(action_url, "action_url")
        if unsubscribe_url is not None:
            check_link(unsubscribe_url, "unsubscribe_url")
        tenants = tuple(dict.fromkeys((tenant, DEFAULT_TENANT)))
        channel = command.channel
        chain = locale_chain(command.recipient.locale)
        used = self._resolve_locale(tenants, channel.value, command.template, chain)
        t = self._translator(tenants, chain, used)

        # Format for the customer's own region (es-MX, not es) when the text
        # is in their language; otherwise format like the text we send.
        requested = normalize_locale(command.recipient.locale)
        fmt = babel_locale(requested if language_of(requested) == language_of(used) else used)

        try:
            if channel is Channel.SMS:
                rendered = self._fit_sms(command, tenants, used, t, fmt, action_url)
            else:
                rendered = self._render_parts(
                    command, tenants, used, t, fmt, action_url, unsubscribe_url
                )
        except TemplateError as exc:
            raise TemplatingError(f"template error: {exc}") from exc

        segments = encoding = budget = None
        if channel is Channel.SMS:
            info = count_segments(rendered["txt"])
            segments, encoding, budget = info.segments, info.encoding, segment_budget(used)
        return RenderedMessage(
            channel=channel,
            template=command.template,
            tenant_id=tenant,
            locale=used,
            direction=text_direction(used),
            subject=rendered.get("subject"),
            text=rendered["txt"],
            html=rendered.get("html"),
            segments=segments,
            sms_encoding=encoding,
            segment_budget=budget,
        )

    def _fit_sms(
        self,
        command: NotificationCommand,
        tenants: tuple[str, ...],
        used: str,
        t: Translator,
        fmt: Locale,
        action_url: str | None,
    ) -> dict[str, str]:
        """The fullest SMS that fits the locale's segment budget.

        Tried in order: as written; amount as ISO code ("INR" for "₹", which
        alone can force UCS-2 and halve the room); then the same two without
        the (optional) reason. When nothing fits, the shortest is returned
        and ``over_budget`` tells the sender.
        """
        budget = segment_budget(used)
        last: dict[str, str] = {}
        for with_reason in (True, False):
            for iso in (False, True):
                last = self._render_parts(
                    command,
                    tenants,
                    used,
                    t,
                    fmt,
                    action_url,
                    None,
                    iso_amount=iso,
                    with_reason=with_reason,
                )
                if count_segments(last["txt"]).segments <= budget:
                    return last
        return last

    def _render_parts(
        self,
        command: NotificationCommand,
        tenants: tuple[str, ...],
        used: str,
        t: Translator,
        fmt: Locale,
        action_url: str | None,
        unsubscribe_url: str | None,
        *,
        iso_amount: bool = False,
        with_reason: bool = True,
    ) -> dict[str, str]:
        channel = command.channel
        ch = channel.value
        template = command.template

        amount = format_amount(command.amount, command.currency, fmt, iso_code=iso_amount)
        brand = card_brand_name(command.card_brand)
        last4 = card_last4(command.card_last4)
        if last4 and channel is Channel.VOICE:
            last4 = " ".join(last4)  # read digit by digit, not "four thousand..."
        if brand and last4:
            key = "sms.card" if channel is Channel.SMS else "card"  # shorter on SMS
            card = t(key, brand=brand, last4=last4)
        elif last4:
            card = t("card_nobrand", last4=last4)
        else:
            card = t("card_generic")

        action = command.customer_action if command.customer_action in CUSTOMER_ACTIONS else None
        if template == "card_expiring" or action is None:
            # A card about to expire always needs a new card; an action the
            # taxonomy invented after this code gets the safe default.
            action = "update_payment_method"
        reason_key = disclosable_reason_key(command.decline_category, command.disclose_reason)
        if channel is Channel.SMS and reason_key:
            reason_key = f"sms.{reason_key}"  # two or three words, not a sentence
        reason = t(reason_key) if reason_key and with_reason else None
        cta = (
            t(f"cta.{action}")
            if action in _CTA_ACTIONS and template != "payment_received"
            else None
        )

        zone = customer_zone(command.recipient.timezone)
        name = clean_name(command.recipient.name)

        def greeting() -> str:
            return t("greeting", name=name) if name else t("greeting_generic")

        def voice_greeting() -> str:
            return t("voice.greeting", name=name) if name else t("voice.greeting_generic")

        def layout(file: str) -> Template:
            return self._select(self._candidates(tenants, ch, used, file))

        context: dict[str, object] = {
            "t": t,
            "layout": layout,
            "greeting": voice_greeting if channel is Channel.VOICE else greeting,
            "channel": ch,
            "template": template,
            "lang": used,
            "dir": text_direction(used),
            "name": name,
            "amount": amount,
            "card": card,
            "decline_date": format_local_date(command.decline_at, zone, fmt),
            "decline_datetime": format_local_datetime(command.decline_at, zone, fmt),
            "action": action,
            "reason": reason,
            "cta": cta,
            "action_url": action_url,
            "unsubscribe_url": unsubscribe_url,
        }
        out: dict[str, str] = {}
        for part in CHANNEL_PARTS[channel]:
            tpl = self._select(self._candidates(tenants, ch, used, f"{template}.{part}"))
            body = tpl.render(context)
            if part == "subject":
                out[part] = clean_subject(body)
                context["subject"] = out[part]
            elif part == "html":
                out[part] = body.strip() + "\n"
            elif channel is Channel.SMS:
                out[part] = sms_spaces(one_line(body))
            elif channel is Channel.VOICE:
                out[part] = one_line(body)
            else:
                out[part] = _tidy_text(body)
        return out


@cache
def default_renderer() -> Renderer:
    """The packaged templates, loaded on first use (nothing at import time)."""
    return Renderer()


def render(
    command: NotificationCommand,
    *,
    tenant_id: str | None = None,
    action_url: str | None = None,
    unsubscribe_url: str | None = None,
) -> RenderedMessage:
    """Render ``command`` for its channel in the recipient's language.

    ``tenant_id`` overrides the command's tenant for template lookup;
    ``action_url`` is the signed link the message points to, when there is one.
    """
    return default_renderer().render(
        command, tenant_id=tenant_id, action_url=action_url, unsubscribe_url=unsubscribe_url
    )
