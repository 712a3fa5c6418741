import fnmatch
import tomllib
from pathlib import Path

import pytest

import agents
import channels
import demo
import schemas
import streams
from streams.settings import ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", [agents, channels, schemas, streams, demo])
def test_our_packages_are_imported_from_this_repo(package: object) -> None:
    # `agents` and `channels` are also names of unrelated PyPI projects.
    assert Path(package.__file__).resolve().is_relative_to(REPO)  # type: ignore[attr-defined]


def test_defaults_point_at_the_local_broker_and_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests")  # no .env here
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.topic_partitions == 12


def test_bad_configuration_names_the_variable_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DN_SMTP_PORT", "not-a-port")
    monkeypatch.setenv("DN_SMTP_SECURITY", "maybe")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "DN_SMTP_PORT" in message and "DN_SMTP_SECURITY" in message
    assert "fix the variable" in message


def test_env_overrides_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DN_SMTP_HOST", "mail.internal")
    settings = load_settings()
    assert settings.smtp_host == "mail.internal"
    assert "smtp_host" in settings.model_fields_set


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [
        f"DN_{name.upper()}"
        for name in Settings.model_fields
        if f"`DN_{name.upper()}`" not in readme
    ]
    assert missing == []


def test_every_data_file_is_packaged() -> None:
    # A non-editable install (the Docker image) must carry the taxonomy tables,
    # templates and schemas; setuptools ships only what package-data names.
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    unshipped = []
    for package in ("agents", "channels", "schemas", "streams", "demo"):
        root = REPO / package
        patterns = package_data.get(package, [])
        for path in root.rglob("*"):
            if path.is_dir() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                unshipped.append(f"{package}/{relative}")
    assert unshipped == []
