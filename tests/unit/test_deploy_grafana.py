"""deploy/grafana: the dashboard loads, has the panels SREs need, every query
selects only metrics the processes expose and parses as PromQL; the
provisioning files point where the compose file mounts them."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.unit.test_deploy_prometheus import known_names, metric_names_in, promtool

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "decline-notifier.json"
# Grafana's built-in variables, replaced by something PromQL accepts.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}


def dashboard() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return doc


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def exprs() -> list[str]:
    return [t["expr"] for p in panels() for t in p["targets"]]


def promql(expr: str) -> str:
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, expr
    return expr


def test_dashboard_shape() -> None:
    doc = dashboard()
    assert doc["uid"] == "decline-notifier"
    assert 36 <= doc["schemaVersion"] <= 41
    ids = [p["id"] for p in doc["panels"]]
    assert len(ids) == len(set(ids))
    for p in panels():
        assert p["title"] and p["targets"], p
        assert p["datasource"]["uid"] == "${datasource}"
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        grid = p["gridPos"]
        assert grid["x"] + grid["w"] <= 24, p["title"]


def test_dashboard_has_the_panels_sres_need() -> None:
    wanted = {
        "dn_declines_total": "gateway",
        "dn_invalid_events_total": "reason",
        "dn_cases_opened_total": "",
        "dn_cases_closed_total": "",
        "dn_recovered_amount_minor_total": "currency",
        "dn_notifications_total": "status",
        "dn_decline_to_sent_seconds_bucket": "",
        "dn_retry_requests_total": "",
        "dn_decline_codes_unknown_total": "",
        "dn_sender_attempts_total": "status",
    }
    all_exprs = exprs()
    for metric, label in wanted.items():
        using = [e for e in all_exprs if metric in metric_names_in(e)]
        assert using, f"no panel queries {metric}"
        if label:
            assert any(re.search(rf"by \([^)]*\b{label}\b", e) for e in using), metric
    latency = [e for e in all_exprs if "dn_decline_to_sent_seconds_bucket" in e]
    assert any("histogram_quantile(0.5," in e for e in latency)
    assert any("histogram_quantile(0.95," in e for e in latency)
    recovered = [e for e in all_exprs if "dn_recovered_amount_minor_total" in e]
    assert all("increase(" in e and "currency" in e for e in recovered)


def test_dashboard_queries_use_only_exposed_metrics() -> None:
    known = known_names()
    for expr in exprs():
        unknown = metric_names_in(expr) - known
        assert not unknown, f"{expr}: {unknown}"


def test_dashboard_queries_parse_as_promql(tmp_path: Path) -> None:
    tool = promtool()
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dn:dashboard:query{i}", "expr": promql(e)}
                    for i, e in enumerate(exprs())
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    proc = subprocess.run(
        [tool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_provisioning_matches_the_compose_mounts() -> None:
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus" and source["isDefault"] is True
    providers = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "decline-notifier.yml").read_text()
    )
    (provider,) = providers["providers"]
    compose = yaml.safe_load((ROOT / "deploy" / "compose" / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"../grafana/dashboards:{provider['options']['path']}:ro" in mounts
    # Grafana reaches Prometheus by its own service name, on the port it listens on.
    url = compose["services"]["grafana"]["environment"]["PROMETHEUS_URL"]
    assert url == "http://prometheus:9090"
    assert "--web.listen-address=0.0.0.0:9090" in compose["services"]["prometheus"]["command"]
