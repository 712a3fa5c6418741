"""`decline-notifier templates` check / render / gallery."""

import email
import json
import shutil
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from channels.templating.render import TEMPLATES_ROOT
from streams.cli import main


@pytest.mark.slow
def test_check_passes_on_the_packaged_templates() -> None:
    result = CliRunner().invoke(main, ["templates", "check"])
    assert result.exit_code == 0, result.output
    assert "templates OK" in result.output


@pytest.mark.slow
def test_check_fails_on_a_missing_translation(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_ROOT, root)
    path = root / "default" / "messages" / "fr.json"
    tree = json.loads(path.read_text(encoding="utf-8"))
    del tree["sms"]["stop"]
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code != 0
    assert "sms.stop" in result.output


@pytest.mark.slow
def test_check_fails_on_sms_over_budget(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_ROOT, root)
    path = root / "default" / "messages" / "en.json"
    tree = json.loads(path.read_text(encoding="utf-8"))
    tree["sms"]["stop"] = "Reply STOP to opt out. " * 20
    path.write_text(json.dumps(tree), encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", "--root", str(root)])
    assert result.exit_code != 0
    assert "SMS segments" in result.output


def test_render_email_prints_the_exact_message() -> None:
    result = CliRunner().invoke(
        main,
        [
            "templates",
            "render",
            "--channel",
            "email",
            "--locale",
            "en",
            "--template",
            "first_notice",
            "--category",
            "insufficient_funds",
            "--amount",
            "1234",
            "--currency",
            "KWD",
        ],
    )
    assert result.exit_code == 0, result.output
    parsed = email.message_from_bytes(result.stdout_bytes, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert "KWD" in parsed["Subject"] and "1.234" in parsed["Subject"]


def test_render_sms_shows_segments() -> None:
    result = CliRunner().invoke(
        main,
        [
            "templates",
            "render",
            "--channel",
            "sms",
            "--locale",
            "hi",
            "--template",
            "reminder",
            "--category",
            "expired_card",
            "--amount",
            "1234",
            "--currency",
            "JPY",
            "--disclose",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "segment(s), ucs2" in result.output
    assert "अनुस्मारक" in result.output


def test_gallery(tmp_path: Path) -> None:
    out = tmp_path / "gallery.html"
    result = CliRunner().invoke(main, ["templates", "gallery", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="card"') == 5 * 5 * 9
    assert "srcdoc=" in page and "<script" not in page
