"""deploy/compose, deploy/k8s and deploy/Dockerfile: they parse and are wired
consistently with the code. Nothing here starts a container (no Docker engine
or cluster in CI); this catches typos, not runtime problems."""

import re
from pathlib import Path
from typing import Any

import yaml

from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose" / "docker-compose.yml"
K8S = DEPLOY / "k8s"
SETTINGS_ENV = {f"DN_{name.upper()}" for name in Settings.model_fields}


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return doc


def k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def test_compose_services_and_wiring() -> None:
    services = compose()["services"]
    assert set(services) >= {
        "kafka", "topics-init", "worker", "email-sender", "mailpit", "prometheus", "grafana",
    }  # fmt: skip
    assert re.fullmatch(r"apache/kafka:4\.0\.\d+", services["kafka"]["image"])
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    build = services["topics-init"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == (
        DEPLOY / "Dockerfile"
    )
    assert services["topics-init"]["command"] == ["topics", "create"]
    assert services["worker"]["command"] == ["worker"]
    assert services["email-sender"]["command"] == ["email-sender"]
    for name in ("worker", "email-sender"):
        deps = services[name]["depends_on"]
        assert deps["topics-init"]["condition"] == "service_completed_successfully"
    # The processes bind 127.0.0.1: whoever scrapes or probes them shares the
    # worker's network namespace.
    assert services["email-sender"]["network_mode"] == "service:worker"
    assert services["prometheus"]["network_mode"] == "service:worker"
    assert "../prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]


def test_compose_environment_uses_real_settings() -> None:
    doc = compose()
    env = doc["services"]["worker"]["environment"]
    assert set(env) <= SETTINGS_ENV
    assert env["DN_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["DN_SMTP_HOST"] == "mailpit"
    Settings.model_validate(
        {k.removeprefix("DN_").lower(): v for k, v in env.items()}
    )  # values pass validation


def test_compose_volume_paths_exist() -> None:
    for service in compose()["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), mount


def test_k8s_manifests() -> None:
    objects = k8s_objects()
    config = objects[("ConfigMap", "decline-notifier-config")]["data"]
    assert set(config) <= SETTINGS_ENV
    assert "DN_SMTP_PASSWORD" not in config
    Settings.model_validate({k.removeprefix("DN_").lower(): v for k, v in config.items()})

    secret = objects[("Secret", "decline-notifier-smtp")]
    assert set(secret["stringData"]) == {"DN_SMTP_PASSWORD"}

    job = objects[("Job", "decline-notifier-topics")]
    (topics,) = job["spec"]["template"]["spec"]["containers"]
    assert topics["args"] == ["topics", "create"]

    settings = Settings()
    for name, args, port in (
        ("decline-notifier-worker", ["worker"], settings.worker_web_port),
        ("decline-notifier-email-sender", ["email-sender"], settings.sender_metrics_port),
    ):
        deployment = objects[("Deployment", name)]
        spec = deployment["spec"]
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        main, proxy = spec["template"]["spec"]["containers"]
        assert main["args"] == args
        assert main["envFrom"] == [{"configMapRef": {"name": "decline-notifier-config"}}]
        ready = " ".join(main["readinessProbe"]["exec"]["command"])
        live = " ".join(main["livenessProbe"]["exec"]["command"])
        assert f"http://127.0.0.1:{port}/ready" in ready
        assert f"http://127.0.0.1:{port}/health" in live
        assert f"TCP:127.0.0.1:{port}" in proxy["args"]
        annotations = spec["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(proxy["ports"][0]["containerPort"])

    sender = objects[("Deployment", "decline-notifier-email-sender")]
    env = sender["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [
        {
            "name": "DN_SMTP_PASSWORD",
            "valueFrom": {
                "secretKeyRef": {"name": "decline-notifier-smtp", "key": "DN_SMTP_PASSWORD"}
            },
        }
    ]


def test_dockerfile_installs_every_package() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.findall(r"^FROM .*$", text, re.MULTILINE) == ["FROM python:3.11-slim"]
    assert "pip install ." in text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r"include = \[([^\]]*)\]", pyproject)
    assert match is not None
    for package in re.findall(r'"(\w+)\*"', match.group(1)):
        assert f"COPY {package} ./{package}" in text, package
    assert 'ENTRYPOINT ["decline-notifier"]' in text
