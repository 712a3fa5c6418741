"""`classify` and `codes` commands, and unknown-code recording."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client import CollectorRegistry

from agents.taxonomy.unknown_codes import (
    MAX_CODES_PER_GATEWAY,
    OVERFLOW,
    read_unknown,
    record_unknown,
    unknown_codes_counter,
)
from streams.cli import main

# Visa's published test card number: only here to prove it is never stored.
TEST_PAN = "4111111111111111"
KEYS = {
    "category",
    "hard",
    "retry_allowed",
    "min_wait_seconds",
    "customer_action",
    "disclose_reason",
}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--gateway", "stripe", "--code", "insufficient_funds"], ("insufficient_funds", True)),
        (["--gateway", "stripe", "--code", "lost_card"], ("lost_or_stolen", False)),
        (
            ["--gateway", "iso8583", "--code", "57", "--network", "visa"],
            ("transaction_not_allowed", False),
        ),
        (
            [
                "--gateway",
                "stripe",
                "--code",
                "insufficient_funds",
                "--advice-code",
                "03",
                "--network",
                "mastercard",
            ],
            ("insufficient_funds", False),
        ),
        (["--gateway", "adyen", "--code", "Something else"], ("unknown", False)),
    ],
)
def test_classify_prints_one_json_object(args: list[str], expected: tuple[str, bool]) -> None:
    result = CliRunner().invoke(main, ["classify", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out.keys() >= KEYS
    assert (out["category"], out["retry_allowed"]) == expected


def test_classify_rejects_unknown_gateway_and_network() -> None:
    assert CliRunner().invoke(main, ["classify", "--gateway", "paypal"]).exit_code != 0
    args = ["classify", "--gateway", "stripe", "--network", "amex"]
    assert CliRunner().invoke(main, args).exit_code != 0


def test_codes_lists_known_codes() -> None:
    result = CliRunner().invoke(main, ["codes", "--gateway", "braintree"])
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["codes"]["braintree"]["2001"] == "insufficient_funds"


def test_record_unknown_and_list(tmp_path: Path) -> None:
    path = tmp_path / "run" / "unknown-codes.json"
    registry = CollectorRegistry()
    counter = unknown_codes_counter(registry)
    for code in ["new_code", "new_code", "other"]:
        record_unknown("stripe", code, path, counter=counter)
    record_unknown("paypal", "X1", path, counter=counter)
    record_unknown("adyen", f"raw {TEST_PAN}", path, counter=counter)

    assert registry.get_sample_value("dn_decline_codes_unknown_total", {"gateway": "stripe"}) == 3
    # Unbounded gateway names collapse into one label value.
    assert registry.get_sample_value("dn_decline_codes_unknown_total", {"gateway": "other"}) == 1
    assert TEST_PAN not in path.read_text(encoding="utf-8")

    rows = read_unknown(path)
    assert (rows[0]["gateway"], rows[0]["code"], rows[0]["count"]) == ("stripe", "new_code", 2)

    result = CliRunner().invoke(main, ["codes", "--unknown", "--path", str(path)])
    assert result.exit_code == 0, result.output
    listed = {(r["gateway"], r["code"]): r["count"] for r in json.loads(result.output)["unknown"]}
    assert listed[("stripe", "new_code")] == 2
    assert listed[("stripe", "other")] == 1
    assert listed[("paypal", "X1")] == 1


def test_unknown_file_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    for i in range(MAX_CODES_PER_GATEWAY + 3):
        record_unknown("checkout", f"c{i}", path)
    rows = read_unknown(path)
    assert len(rows) == MAX_CODES_PER_GATEWAY + 1
    assert any(r["code"] == OVERFLOW and r["count"] == 3 for r in rows)


def test_codes_unknown_with_no_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["codes", "--unknown", "--path", str(tmp_path / "none.json")])
    assert result.exit_code == 0
    assert json.loads(result.output) == {"unknown": []}
