"""deploy/compose, deploy/k8s and deploy/Dockerfile: they parse and are wired
consistently with the code. Nothing here starts a container (no Docker engine
or cluster in CI); this catches typos, not runtime problems."""

import posixpath
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
# Where the worker and the sender serve /metrics, /health and /ready by default.
WORKER_PORT: int = Settings.model_fields["worker_web_port"].default
SENDER_PORT: int = Settings.model_fields["sender_metrics_port"].default
# The two HTTP-serving processes, by compose service / k8s Deployment, with
# the setting naming their port.
SERVERS = {
    "worker": ("decline-notifier-worker", "DN_WORKER_WEB_PORT", WORKER_PORT),
    "email-sender": ("decline-notifier-email-sender", "DN_SENDER_METRICS_PORT", SENDER_PORT),
}


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return doc


def compose_mounts(service: dict[str, Any]) -> dict[str, str]:
    """A service's bind mounts: container path -> source relative to the compose file."""
    mounts = {}
    for mount in service.get("volumes", []):
        source, target = mount.split(":")[:2]
        if source.startswith("."):
            mounts[target] = source
    return mounts


def compose_prometheus_config() -> tuple[str, Path]:
    """The compose Prometheus --config.file: its path in the container and in the repo."""
    prometheus = compose()["services"]["prometheus"]
    (config_file,) = [
        a.removeprefix("--config.file=")
        for a in prometheus["command"]
        if a.startswith("--config.file=")
    ]
    source = compose_mounts(prometheus)[config_file]
    return config_file, (COMPOSE.parent / source).resolve()


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
    # Every service has its own network presence: none borrows another's
    # network namespace (the old workaround for 127.0.0.1-only servers).
    for name, service in services.items():
        assert "network_mode" not in service, name
    # Prometheus publishes its own UI port; nothing else publishes it.
    assert services["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
    for name, service in services.items():
        if name != "prometheus":
            assert not any(":9090" in p for p in service.get("ports", [])), name


def test_compose_servers_listen_beyond_loopback() -> None:
    services = compose()["services"]
    assert "http_host" in Settings.model_fields
    for name, (_deployment, port_var, port) in SERVERS.items():
        service = services[name]
        env = service["environment"]
        assert env["DN_HTTP_HOST"] == "0.0.0.0", name
        Settings.model_validate({"http_host": env["DN_HTTP_HOST"]})
        assert int(env[port_var]) == port, name
        assert service["expose"] == [str(port)], name
        # The healthcheck runs inside the container: loopback is fine there.
        assert f"http://127.0.0.1:{port}/ready" in " ".join(service["healthcheck"]["test"])


def test_compose_prometheus_mounts_its_config_and_the_rule_files() -> None:
    config_file, source = compose_prometheus_config()
    assert source == COMPOSE.parent / "prometheus.yml"
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    mounts = compose_mounts(compose()["services"]["prometheus"])
    for rule_file in config["rule_files"]:
        # The same relative path resolves in the repository (promtool) and in
        # the container (Prometheus), to the same file.
        in_repo = (source.parent / rule_file).resolve()
        assert in_repo.parent == DEPLOY / "prometheus" and in_repo.is_file(), rule_file
        in_container = posixpath.normpath(posixpath.join(posixpath.dirname(config_file), rule_file))
        assert in_container in mounts, rule_file
        assert (COMPOSE.parent / mounts[in_container]).resolve() == in_repo


def test_compose_environment_uses_real_settings() -> None:
    doc = compose()
    env = doc["services"]["worker"]["environment"]
    assert set(env) <= SETTINGS_ENV
    assert env["DN_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["DN_SMTP_HOST"] == "mailpit"
    assert env["DN_HTTP_HOST"] == "0.0.0.0"
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
    # Probes and Prometheus reach the pods on their IP, not just loopback.
    assert "http_host" in Settings.model_fields
    assert config["DN_HTTP_HOST"] == "0.0.0.0"

    secret = objects[("Secret", "decline-notifier-smtp")]
    assert set(secret["stringData"]) == {"DN_SMTP_PASSWORD"}

    job = objects[("Job", "decline-notifier-topics")]
    (topics,) = job["spec"]["template"]["spec"]["containers"]
    assert topics["args"] == ["topics", "create"]

    for role, (name, port_var, port) in SERVERS.items():
        assert int(config[port_var]) == port, port_var
        deployment = objects[("Deployment", name)]
        spec = deployment["spec"]
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        # One container: no metrics sidecar.
        (main,) = spec["template"]["spec"]["containers"]
        assert main["args"] == [role]
        assert main["envFrom"] == [{"configMapRef": {"name": "decline-notifier-config"}}]
        assert main["ports"] == [{"name": "metrics", "containerPort": port}]
        assert main["readinessProbe"]["httpGet"] == {"path": "/ready", "port": port}
        assert main["livenessProbe"]["httpGet"] == {"path": "/health", "port": port}
        assert "exec" not in main["readinessProbe"] and "exec" not in main["livenessProbe"]
        annotations = spec["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"

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
