"""Rendering: every (channel, locale, template), fallback, formatting, disclosure."""

import json
import re
from pathlib import Path

import pytest

from channels.templating import (
    CUSTOMER_ACTIONS,
    DISCLOSABLE_CATEGORIES,
    REQUIRED_LOCALES,
    TEMPLATE_NAMES,
    Renderer,
    TemplatingError,
    render,
)
from channels.templating.catalogue import flatten
from channels.templating.locales import locale_chain, normalize_locale
from channels.templating.render import TEMPLATES_ROOT
from channels.templating.samples import SAMPLE_ACTION_URL, sample_command
from schemas.notification import Channel

MESSAGES = TEMPLATES_ROOT / "default" / "messages"
SHIPPED_LOCALES = sorted(p.stem for p in MESSAGES.glob("*.json"))


def _catalogue(locale: str) -> dict[str, str]:
    return flatten(json.loads((MESSAGES / f"{locale}.json").read_text(encoding="utf-8")))


def test_required_locales_are_shipped() -> None:
    assert set(REQUIRED_LOCALES) <= set(SHIPPED_LOCALES)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalogues_have_the_same_keys_as_english(locale: str) -> None:
    assert set(_catalogue(locale)) == set(_catalogue("en"))


@pytest.mark.parametrize("locale", [loc for loc in SHIPPED_LOCALES if loc != "en"])
def test_catalogues_are_translated_not_copied(locale: str) -> None:
    en, other = _catalogue("en"), _catalogue(locale)
    same = [k for k, v in other.items() if v and v == en[k]]
    # Only format-only entries ("{label}: {url}") may equal English.
    assert all(re.fullmatch(r"[{}\w:\s]*", other[k]) for k in same), same


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
@pytest.mark.parametrize("channel", list(Channel))
def test_every_combination_renders(channel: Channel, locale: str, template: str) -> None:
    message = Renderer(strict=True).render(
        sample_command(channel=channel, locale=locale, template=template, disclose=True),
        action_url=SAMPLE_ACTION_URL,
    )
    assert message.locale == locale
    assert message.text.strip()
    assert "{" not in message.text and "}" not in message.text
    if channel is Channel.EMAIL:
        assert message.subject and message.html
        assert f'<html lang="{locale}"' in message.html
    if channel is Channel.IN_APP:
        assert message.subject
    if channel is Channel.SMS:
        assert message.segments is not None and not message.over_budget


def test_arabic_html_is_right_to_left() -> None:
    message = render(sample_command(channel=Channel.EMAIL, locale="ar", template="reminder"))
    assert message.html is not None
    assert '<html lang="ar" dir="rtl">' in message.html
    assert message.direction == "rtl"


@pytest.mark.parametrize("locale", ["en", "hi", "de"])
def test_html_is_left_to_right_elsewhere(locale: str) -> None:
    message = render(sample_command(channel=Channel.EMAIL, locale=locale, template="reminder"))
    assert message.html is not None and 'dir="ltr"' in message.html


def _nbsp(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_kwd_has_three_decimals_and_jpy_none_in_english() -> None:
    kwd = render(
        sample_command(
            channel=Channel.EMAIL, locale="en", template="reminder", currency="KWD", amount=1234
        )
    )
    jpy = render(
        sample_command(
            channel=Channel.EMAIL, locale="en", template="reminder", currency="JPY", amount=1234
        )
    )
    assert "KWD 1.234" in _nbsp(kwd.text)
    assert "¥1,234" in jpy.text and "¥12.34" not in jpy.text


def test_amount_separators_follow_the_locale() -> None:
    de = render(
        sample_command(
            channel=Channel.EMAIL, locale="de", template="reminder", currency="EUR", amount=123456
        )
    )
    assert "1.234,56 €" in _nbsp(de.text)


def test_dates_are_in_the_customers_zone() -> None:
    # 2025-03-14 23:30 UTC is already 15 March in Kolkata.
    message = render(sample_command(channel=Channel.EMAIL, locale="en", template="first_notice"))
    assert "March 14, 2025" in message.text
    command = sample_command(channel=Channel.EMAIL, locale="hi", template="first_notice")
    assert "15 मार्च 2025" in render(command).text


def test_card_is_brand_and_last4_only() -> None:
    command = sample_command(channel=Channel.EMAIL, locale="en", template="first_notice")
    assert "Visa card ending in 4242" in render(command).text
    bad = command.model_copy(update={"card_last4": "4242424242424242"})
    text = render(bad).text
    assert "424242" not in text and "card ending" not in text


def _category_phrases(locale: str) -> list[str]:
    cat = _catalogue(locale)
    return [v for k, v in cat.items() if k.startswith(("category.", "sms.category."))]


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_no_reason_is_revealed_when_disclosure_is_off(locale: str) -> None:
    phrases = _category_phrases(locale) + _category_phrases("en")
    for channel in Channel:
        for template in TEMPLATE_NAMES:
            for action in CUSTOMER_ACTIONS:
                for category in DISCLOSABLE_CATEGORIES:
                    message = render(
                        sample_command(
                            channel=channel,
                            locale=locale,
                            template=template,
                            action=action,
                            category=category,
                            disclose=False,
                        ),
                        action_url=SAMPLE_ACTION_URL,
                    )
                    for part in (message.subject or "", message.text, message.html or ""):
                        lowered = part.lower()
                        found = [p for p in phrases if p.lower() in lowered]
                        assert not found, (channel, template, category, found)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_reason_is_shown_in_plain_words_when_allowed(locale: str) -> None:
    message = render(
        sample_command(
            channel=Channel.EMAIL,
            locale=locale,
            template="first_notice",
            category="expired_card",
            disclose=True,
        )
    )
    assert _catalogue(locale)["category.expired_card"] in message.text


@pytest.mark.parametrize("category", ["lost_or_stolen", "fraud_suspected", "authorization_revoked"])
def test_never_disclosed_categories_stay_generic_even_if_flagged(category: str) -> None:
    generic = render(sample_command(channel=Channel.EMAIL, locale="en", template="first_notice"))
    flagged = render(
        sample_command(
            channel=Channel.EMAIL,
            locale="en",
            template="first_notice",
            category=category,
            disclose=True,
        )
    )
    assert flagged.text == generic.text
    assert "stolen" not in flagged.text.lower() and "fraud" not in flagged.text.lower()


def test_action_changes_the_wording() -> None:
    texts = {
        action: render(
            sample_command(
                channel=Channel.CHAT, locale="en", template="first_notice", action=action
            )
        ).text
        for action in CUSTOMER_ACTIONS
    }
    assert len(set(texts.values())) == len(CUSTOMER_ACTIONS)
    assert "contact your bank" in texts["contact_bank"]
    assert "confirm the payment with your bank" in texts["authenticate"]


def test_hostile_name_is_escaped_in_html_and_flattened_in_text() -> None:
    name = 'Eve<script>alert(1)</script>\r\nBcc: x@evil.test "{amount}"'
    message = render(
        sample_command(channel=Channel.EMAIL, locale="en", template="first_notice", name=name)
    )
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "{amount}" in message.text  # substituted as a value, never as a format
    assert "\r" not in message.text and "Bcc: x@evil.test" in message.text.splitlines()[0]


@pytest.mark.parametrize(
    ("raw", "chain"),
    [
        ("pt-BR", ("pt-BR", "pt", "en")),
        ("pt_br", ("pt-BR", "pt", "en")),
        ("en-GB", ("en-GB", "en")),
        ("../../etc/passwd", ("en",)),
        (None, ("en",)),
    ],
)
def test_locale_chain(raw: str | None, chain: tuple[str, ...]) -> None:
    assert locale_chain(raw) == chain


def test_normalize_locale() -> None:
    assert normalize_locale("zh_hant_tw") == "zh-Hant-TW"


@pytest.mark.parametrize(
    ("asked", "used"), [("pt-PT", "pt"), ("pt-BR", "pt-BR"), ("es-MX", "es"), ("sw", "en")]
)
def test_locale_fallback(asked: str, used: str) -> None:
    message = render(sample_command(channel=Channel.SMS, locale=asked, template="reminder"))
    assert message.locale == used


def test_regional_formatting_with_language_text() -> None:
    # Text from the es catalogue, numbers the Mexican way.
    message = render(
        sample_command(
            channel=Channel.EMAIL,
            locale="es-MX",
            template="reminder",
            currency="MXN",
            amount=123456,
        )
    )
    assert "1,234.56" in message.text and "Tu pago" in message.text


def _tenant_root(tmp_path: Path) -> Path:
    """A copy of the packaged templates plus an 'acme' tenant with overrides."""
    import shutil

    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_ROOT, root)
    (root / "acme" / "email" / "pt").mkdir(parents=True)
    (root / "acme" / "email" / "pt" / "first_notice.subject").write_text(
        "ACME: {{ t('subject.first_notice', amount=amount) }}", encoding="utf-8"
    )
    (root / "acme" / "messages").mkdir(parents=True)
    (root / "acme" / "messages" / "pt.json").write_text(
        json.dumps({"team": "Equipa ACME"}), encoding="utf-8"
    )
    return root


def test_pt_br_falls_back_to_tenant_pt_then_default(tmp_path: Path) -> None:
    renderer = Renderer(_tenant_root(tmp_path))
    command = sample_command(
        channel=Channel.EMAIL, locale="pt-BR", template="first_notice", tenant_id="acme"
    )
    message = renderer.render(command)
    # default pt-BR beats acme's pt-only subject override: language first.
    assert message.locale == "pt-BR"
    assert message.subject is not None and not message.subject.startswith("ACME")
    # A missing pt-BR sentence comes from pt (tenant before default), never en.
    assert "Equipe de faturamento" in message.text

    pt = renderer.render(
        command.model_copy(
            update={"recipient": command.recipient.model_copy(update={"locale": "pt-PT"})}
        )
    )
    assert pt.locale == "pt"
    assert pt.subject is not None and pt.subject.startswith("ACME: Não foi possível")
    assert "Equipa ACME" in pt.text


def test_pt_br_sentence_missing_falls_back_to_pt(tmp_path: Path) -> None:
    root = _tenant_root(tmp_path)
    path = root / "default" / "messages" / "pt-BR.json"
    tree = json.loads(path.read_text(encoding="utf-8"))
    del tree["help"]
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    message = Renderer(root, strict=True).render(
        sample_command(channel=Channel.EMAIL, locale="pt-BR", template="reminder")
    )
    assert message.locale == "pt-BR"
    assert _catalogue("pt")["help"] in message.text


def test_strict_mode_refuses_english_for_a_missing_sentence(tmp_path: Path) -> None:
    root = _tenant_root(tmp_path)
    path = root / "default" / "messages" / "de.json"
    tree = json.loads(path.read_text(encoding="utf-8"))
    del tree["help"]
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    command = sample_command(channel=Channel.EMAIL, locale="de", template="reminder")
    with pytest.raises(TemplatingError):
        Renderer(root, strict=True).render(command)
    assert _catalogue("en")["help"] in Renderer(root).render(command).text


def test_undefined_template_variable_fails(tmp_path: Path) -> None:
    root = _tenant_root(tmp_path)
    (root / "acme" / "sms" / "en").mkdir(parents=True)
    (root / "acme" / "sms" / "en" / "reminder.txt").write_text(
        "{{ no_such_variable }}", encoding="utf-8"
    )
    with pytest.raises(TemplatingError):
        Renderer(root).render(
            sample_command(channel=Channel.SMS, locale="en", template="reminder", tenant_id="acme")
        )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://evil.test/x", "https://a.test/\r\nX: y"]
)
def test_links_must_be_https(url: str) -> None:
    with pytest.raises(TemplatingError):
        render(
            sample_command(channel=Channel.SMS, locale="en", template="reminder"), action_url=url
        )


def test_bad_tenant_and_template_names_are_refused() -> None:
    command = sample_command(channel=Channel.SMS, locale="en", template="reminder")
    with pytest.raises(TemplatingError):
        render(command, tenant_id="../default")
    with pytest.raises(TemplatingError):
        render(command.model_copy(update={"template": "no_such_template"}))
