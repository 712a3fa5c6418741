"""deploy/prometheus: config, recording rules and alerts are valid, reference
only metrics the processes really expose, and every alert fires (or stays
quiet) on the series its promtool unit tests feed it."""

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from channels.email_sender import SenderMetrics
from streams.settings import Settings
from streams.worker import build_worker

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "deploy" / "prometheus"
COMPOSE_DIR = ROOT / "deploy" / "compose"
# Prometheus next to the processes (127.0.0.1) and in the compose stack.
CONFIGS = [PROM / "prometheus.yml", COMPOSE_DIR / "prometheus.yml"]
WORKER_PORT: int = Settings.model_fields["worker_web_port"].default
SENDER_PORT: int = Settings.model_fields["sender_metrics_port"].default
RUNBOOKS = ROOT / "deploy" / "runbooks.md"
APT_HINT = (
    "promtool not found: install the Debian/Ubuntu package 'prometheus' "
    "(apt-get install prometheus)"
)
SEVERITIES = {"critical", "warning", "info"}

# PromQL words that look like metric names but are not.
_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "offset", "bool", "inf", "nan",
}  # fmt: skip


def _family_samples(registry: CollectorRegistry) -> set[str]:
    """Every sample name a registry exposes, as prometheus_client names them."""
    names: set[str] = set()
    for family in registry.collect():
        if family.type == "counter":
            names |= {f"{family.name}_total", f"{family.name}_created"}
        elif family.type == "histogram":
            names |= {f"{family.name}_{s}" for s in ("bucket", "sum", "count", "created")}
        else:
            names.add(family.name)
    return names


@cache
def exposed_metric_names() -> frozenset[str]:
    """What the worker (dn_* and Faust's dn_faust_*) and the email sender serve."""
    _app, _pipeline, metrics = build_worker(Settings())
    sender = CollectorRegistry()
    SenderMetrics(sender)
    return frozenset(_family_samples(metrics.registry) | _family_samples(sender))


def recorded_names() -> set[str]:
    doc = load_yaml(PROM / "rules.yml")
    return {r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r}


def known_names() -> set[str]:
    return set(exposed_metric_names()) | recorded_names() | {"up"}


def metric_names_in(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (not functions, labels or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\$\{?\w+\}?", "", text)  # Grafana variables
    names = set()
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in _KEYWORDS or re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    doc = load_yaml(PROM / "alerts.yml")
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip(APT_HINT)
    return path


def run_promtool(*args: str) -> str:
    proc = subprocess.run(
        [promtool(), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, f"promtool {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_metric_name_extraction() -> None:
    expr = (
        'sum by (channel, le) (rate(dn_decline_to_sent_seconds_bucket{le="+Inf"}[5m])) '
        "/ on(job) group_left sum(dn_x offset 10m) or vector(0) > bool 0.5 and up"
    )
    assert metric_names_in(expr) == {"dn_decline_to_sent_seconds_bucket", "dn_x", "up"}


def test_exposed_names_cover_the_readme_table() -> None:
    names = exposed_metric_names()
    for expected in (
        "dn_declines_total",
        "dn_decline_codes_unknown_total",
        "dn_decline_to_sent_seconds_bucket",
        "dn_sender_attempts_total",
        "dn_faust_topic_partition_end_offset",
        "dn_faust_topic_partition_offset_commited",
    ):
        assert expected in names


def test_alert_and_rule_expressions_use_only_exposed_metrics() -> None:
    known = known_names()
    for path in (PROM / "alerts.yml", PROM / "rules.yml"):
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                unknown = metric_names_in(rule["expr"]) - known
                assert not unknown, f"{path.name} {rule.get('alert') or rule.get('record')}"


def test_alerts_have_severity_annotations_and_runbook() -> None:
    headings = {
        h.strip().lower()
        for h in re.findall(r"^## (.+)$", RUNBOOKS.read_text(encoding="utf-8"), re.MULTILINE)
    }
    names = []
    for rule in alert_rules():
        name = rule["alert"]
        names.append(name)
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], name
        url = annotations["runbook_url"]
        assert url == f"deploy/runbooks.md#{name.lower()}", name
        assert name.lower() in headings, f"no runbook section for {name}"
    assert len(names) == len(set(names))
    # One runbook section per alert, none left over.
    assert headings == {n.lower() for n in names}


def test_required_alerts_exist() -> None:
    exprs = {r["alert"]: r["expr"] for r in alert_rules()}
    required = {
        "DnWorkerDown": "up",
        "DnEmailSenderDown": "up",
        "DnInvalidEventRateHigh": "dn_invalid_events_total",
        "DnDeliveryFailureRatioHigh": "dn_notifications_total",
        "DnDeclineToSentLatencyHigh": "dn_decline_to_sent_seconds_bucket",
        "DnProcessingErrors": "dn_processing_errors_total",
        "DnUnknownDeclineCodes": "dn_decline_codes_unknown_total",
        "DnNoRetryRequests": "dn_retry_requests_total",
        "DnConsumerLagHigh": "dn_faust_topic_partition_end_offset",
    }
    for alert, metric in required.items():
        assert metric in metric_names_in(exprs[alert]), alert


def test_no_retry_alert_lists_exactly_the_retryable_categories() -> None:
    data = json.loads(
        (ROOT / "agents" / "taxonomy" / "data" / "categories.json").read_text(encoding="utf-8")
    )
    categories = data.get("categories", data)
    retryable = {name for name, spec in categories.items() if spec["retry_allowed"]}
    expr = next(r["expr"] for r in alert_rules() if r["alert"] == "DnNoRetryRequests")
    match = re.search(r'category=~"([^"]+)"', expr)
    assert match is not None
    assert set(match.group(1).split("|")) == retryable


def scrape_targets(config: dict[str, Any]) -> dict[str, list[str]]:
    return {
        job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]]
        for job in config["scrape_configs"]
    }


def test_scrape_targets_match_the_default_ports() -> None:
    config = load_yaml(PROM / "prometheus.yml")
    targets = scrape_targets(config)
    assert targets == {
        "dn-worker": [f"127.0.0.1:{WORKER_PORT}"],
        "dn-email-sender": [f"127.0.0.1:{SENDER_PORT}"],
    }
    for rule_file in config["rule_files"]:
        assert (PROM / rule_file).is_file()
    jobs_in_alerts = set(re.findall(r'job="([^"]+)"', (PROM / "alerts.yml").read_text()))
    assert jobs_in_alerts <= set(targets)


def test_compose_scrape_targets_match_the_services_and_ports() -> None:
    config = load_yaml(COMPOSE_DIR / "prometheus.yml")
    services = load_yaml(COMPOSE_DIR / "docker-compose.yml")["services"]
    targets = scrape_targets(config)
    # Same job names as the local config: the alerts select on them.
    assert set(targets) == set(scrape_targets(load_yaml(PROM / "prometheus.yml")))
    for job, service, port_var, port in (
        ("dn-worker", "worker", "DN_WORKER_WEB_PORT", WORKER_PORT),
        ("dn-email-sender", "email-sender", "DN_SENDER_METRICS_PORT", SENDER_PORT),
    ):
        env = services[service]["environment"]
        assert int(env[port_var]) == port
        assert env["DN_HTTP_HOST"] == "0.0.0.0"  # reachable from the prometheus service
        assert targets[job] == [f"{service}:{port}"]
    # The same rule files as the local config, reached from deploy/compose/.
    rule_files = {(COMPOSE_DIR / r).resolve() for r in config["rule_files"]}
    assert rule_files == {
        (PROM / r).resolve() for r in load_yaml(PROM / "prometheus.yml")["rule_files"]
    }


def test_promtool_check_rules() -> None:
    run_promtool("check", "rules", str(PROM / "rules.yml"), str(PROM / "alerts.yml"))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_promtool_check_config(config: Path) -> None:
    out = run_promtool("check", "config", str(config))
    assert "2 rule files found" in out  # the rule files resolve from this config


def test_promtool_unit_tests_cover_every_alert() -> None:
    tests = load_yaml(PROM / "alerts_test.yml")["tests"]
    tested = {art["alertname"] for t in tests for art in t["alert_rule_test"]}
    firing = {art["alertname"] for t in tests for art in t["alert_rule_test"] if art["exp_alerts"]}
    names = {r["alert"] for r in alert_rules()}
    assert tested == names
    assert firing == names
    run_promtool("test", "rules", str(PROM / "alerts_test.yml"))
