"""`decline-notifier templates ...`: check, preview and gallery of every message."""

import itertools
import sys
from pathlib import Path

import click
from jinja2 import Environment, select_autoescape

from channels.templating.email_builder import build_email
from channels.templating.render import (
    CHANNEL_PARTS,
    CUSTOMER_ACTIONS,
    DEFAULT_TENANT,
    DISCLOSABLE_CATEGORIES,
    REQUIRED_LOCALES,
    TEMPLATE_NAMES,
    TEMPLATES_ROOT,
    RenderedMessage,
    Renderer,
    render,
)
from channels.templating.safety import TemplatingError
from channels.templating.samples import (
    SAMPLE_ACTION_URL,
    SAMPLE_UNSUBSCRIBE_URL,
    sample_command,
)
from schemas.notification import Channel

# Never-disclose and unknown categories are checked with disclose=True too:
# they must render (generic wording), not fail.
_CHECK_CATEGORIES = (*DISCLOSABLE_CATEGORIES, "lost_stolen", "fraud", "unknown")
_CHECK_AMOUNTS = ((4999, None), (123456, None), (1234, "JPY"), (1234, "KWD"))
_FROM = "Billing <billing@example.com>"


def check_templates(root: Path = TEMPLATES_ROOT) -> list[str]:
    """Every problem ``templates check`` reports; empty when all is well."""
    renderer = Renderer(root, strict=True)
    problems: list[str] = []
    for tenant in renderer.tenants():
        locales = sorted(set(renderer.locales(tenant)) | set(REQUIRED_LOCALES))
        for channel, locale, template in itertools.product(Channel, locales, TEMPLATE_NAMES):
            where = f"{tenant}/{channel.value}/{locale}/{template}"
            cases = [
                (action, category, disclose, amount, currency)
                for action in CUSTOMER_ACTIONS
                for disclose in (False, True)
                for category in (_CHECK_CATEGORIES if disclose else ("insufficient_funds",))
                for amount, currency in _CHECK_AMOUNTS[:1]
            ] + [
                ("update_payment_method", "insufficient_funds", True, amount, currency)
                for amount, currency in _CHECK_AMOUNTS
            ]
            for action, category, disclose, amount, currency in cases:
                command = sample_command(
                    channel=channel,
                    locale=locale,
                    template=template,
                    action=action,
                    category=category,
                    disclose=disclose,
                    amount=amount,
                    currency=currency,
                    tenant_id=tenant,
                )
                label = f"{where} action={action} category={category} disclose={disclose}"
                try:
                    message = renderer.render(
                        command,
                        action_url=SAMPLE_ACTION_URL,
                        unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL,
                    )
                    if channel is Channel.EMAIL:
                        build_email(
                            command,
                            from_addr=_FROM,
                            unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL,
                            action_url=SAMPLE_ACTION_URL,
                            renderer=renderer,
                        )
                except TemplatingError as exc:
                    problems.append(f"{label}: {exc}")
                    break  # one report per combination is enough
                if message.locale != locale:
                    problems.append(f"{where}: missing, falls back to {message.locale!r}")
                    break
                if message.over_budget:
                    problems.append(
                        f"{label} currency={command.currency}: {message.segments} SMS segments "
                        f"({message.sms_encoding}), budget {message.segment_budget}"
                    )
    return problems


@click.group()
def templates() -> None:
    """Message templates: check, preview, gallery."""


@templates.command()
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=TEMPLATES_ROOT)
def check(root: Path) -> None:
    """Render every tenant x channel x locale x template x action; fail on any gap."""
    problems = check_templates(root)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} template problem(s)")
    click.echo("templates OK")


@templates.command(name="render")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), required=True)
@click.option("--locale", default="en", show_default=True)
@click.option("--template", "template_name", default="first_notice", show_default=True)
@click.option("--category", default="insufficient_funds", show_default=True)
@click.option("--amount", type=int, default=4999, show_default=True, help="minor units")
@click.option("--currency", default="USD", show_default=True)
@click.option("--tenant", default=DEFAULT_TENANT, show_default=True)
@click.option("--action", type=click.Choice(CUSTOMER_ACTIONS), default="update_payment_method")
@click.option("--disclose/--no-disclose", default=False, show_default=True)
@click.option("--name", default=None, help="customer name (default: a sample per locale)")
@click.option("--action-url", default=SAMPLE_ACTION_URL, show_default=True)
@click.option("--unsubscribe-url", default=SAMPLE_UNSUBSCRIBE_URL, show_default=True)
@click.option("--from-addr", default=_FROM, show_default=True)
def render_command(
    channel: str,
    locale: str,
    template_name: str,
    category: str,
    amount: int,
    currency: str,
    tenant: str,
    action: str,
    disclose: bool,
    name: str | None,
    action_url: str,
    unsubscribe_url: str,
    from_addr: str,
) -> None:
    """Print one message; for email, the exact RFC 5322 bytes build_email makes."""
    command = sample_command(
        channel=Channel(channel),
        locale=locale,
        template=template_name,
        category=category,
        action=action,
        disclose=disclose,
        amount=amount,
        currency=currency.upper(),
        tenant_id=tenant,
        name=name,
    )
    try:
        if command.channel is Channel.EMAIL:
            msg = build_email(
                command,
                from_addr=from_addr,
                unsubscribe_url=unsubscribe_url or None,
                action_url=action_url or None,
            )
            sys.stdout.buffer.write(msg.as_bytes())
            sys.stdout.buffer.flush()
            return
        message = render(command, action_url=action_url or None)
    except TemplatingError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_describe(message))


def _describe(message: RenderedMessage) -> str:
    lines = [f"# {message.channel.value} {message.template} locale={message.locale}"]
    if message.segments is not None:
        lines.append(
            f"# sms: {message.segments} segment(s), {message.sms_encoding}, "
            f"budget {message.segment_budget}"
        )
    if message.subject is not None:
        lines.append(f"Subject: {message.subject}")
    lines.append(message.text.rstrip("\n"))
    return "\n".join(lines)


_GALLERY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>decline-notifier templates</title>
<style>
body{font-family:Arial,sans-serif;margin:24px;color:#1f2933}
section{border-top:2px solid #ccd;margin-top:24px}
.card{display:inline-block;vertical-align:top;width:640px;margin:8px;
  border:1px solid #ddd;padding:8px}
pre{white-space:pre-wrap;background:#f7f7f9;padding:8px}
iframe{width:100%;height:560px;border:1px solid #eee}
</style></head><body>
<h1>decline-notifier templates</h1>
<p>Every template in every locale and channel, rendered with sample data
(customer action: update payment method; reason disclosed: insufficient funds).</p>
{% for template, rows in sections %}
<section><h2 id="{{ template }}">{{ template }}</h2>
{% for m in rows %}
<div class="card" lang="{{ m.locale }}">
<h3>{{ m.channel.value }} · {{ m.locale }}
{% if m.segments %} · {{ m.segments }} SMS segment(s), {{ m.sms_encoding }}{% endif %}</h3>
{% if m.subject %}<p><b>{{ m.subject }}</b></p>{% endif %}
{% if m.html %}<iframe sandbox srcdoc="{{ m.html }}" title="{{ template }} {{ m.locale }}"></iframe>
{% else %}<pre dir="{{ m.direction }}">{{ m.text }}</pre>{% endif %}
</div>
{% endfor %}
</section>
{% endfor %}
</body></html>
"""


def build_gallery(root: Path = TEMPLATES_ROOT) -> str:
    renderer = Renderer(root)
    locales = sorted(set(renderer.locales()) | set(REQUIRED_LOCALES))
    sections = []
    for template in TEMPLATE_NAMES:
        rows = [
            renderer.render(
                sample_command(
                    channel=channel,
                    locale=locale,
                    template=template,
                    disclose=True,
                ),
                action_url=SAMPLE_ACTION_URL,
                unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL,
            )
            for channel in CHANNEL_PARTS
            for locale in locales
        ]
        sections.append((template, rows))
    # Autoescape: the email HTML goes into srcdoc as an escaped attribute, so
    # it renders sandboxed in its own frame instead of mixing into the page.
    env = Environment(autoescape=select_autoescape(default_for_string=True))
    return env.from_string(_GALLERY).render(sections=sections)


@templates.command()
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=TEMPLATES_ROOT)
def gallery(out: Path, root: Path) -> None:
    """Write one HTML page showing every template in every locale and channel."""
    out.write_text(build_gallery(root), encoding="utf-8")
    click.echo(f"wrote {out}")
