"""The one settings object. Read once at start-up and passed down.

Nothing else in the code base reads os.environ. Every field is set through
an environment variable with the DN_ prefix (DN_KAFKA_BOOTSTRAP_SERVERS, ...)
or a `.env` file; the README's configuration table documents each one.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(SystemExit):
    """Bad configuration: stops start-up with a message naming the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DN_", env_file=".env", extra="ignore", frozen=True
    )

    # Kafka
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated host:port"
    )
    topic_partitions: int = Field(
        default=12, ge=1, le=1024, description="Partitions of every co-partitioned topic"
    )
    topic_prefix: str = Field(
        default="", description="Prepended to every topic name (tests use it to isolate runs)"
    )
    app_id: str = Field(
        default="decline-notifier",
        description=(
            "Faust app id: consumer group and changelog prefix. Changing it replays everything"
        ),
    )
    # Faust worker
    http_host: str = Field(
        default="127.0.0.1",
        description=(
            "Address the worker's and senders' HTTP servers listen on (0.0.0.0 in containers)"
        ),
    )
    worker_web_port: int = Field(default=6066, description="Worker HTTP port (/metrics, health)")
    data_dir: Path = Field(default=Path(".run/worker"), description="Faust worker state directory")
    table_store: str = Field(
        default="memory://",
        description="Faust table store; memory:// rebuilds from the changelog on start",
    )
    commit_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often the worker commits offsets: the duplicate window after a crash",
    )
    session_timeout_seconds: float = Field(
        default=10.0,
        ge=6,
        le=300,
        description="Kafka consumer session timeout: how soon a dead worker's partitions move",
    )
    stall_timeout_seconds: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Exit (code 75) when input waits but nothing is processed this long; 0 disables"
        ),
    )
    max_event_bytes: int = Field(
        default=1_048_576, ge=1024, description="Events larger than this go to payments.invalid"
    )
    default_tenant: str | None = Field(
        default=None,
        description=(
            "Tenant for raw Stripe events that carry neither metadata.tenant_id nor account"
        ),
    )
    # Retry requests to billing
    retry_budget: int = Field(
        default=15, ge=0, le=100, description="Retry requests per card and amount per window"
    )
    retry_window_days: int = Field(default=30, ge=1, le=365, description="Retry budget window")
    retry_morning_hour: int = Field(
        default=9, ge=0, le=23, description="Local hour at which retries are requested"
    )
    unknown_codes_path: Path = Field(
        default=Path(".run/unknown-codes.json"),
        description="Where unknown decline codes are recorded (`decline-notifier codes --unknown`)",
    )
    # SMTP / email sender
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host")
    smtp_port: int = Field(default=2525, ge=1, le=65535, description="SMTP server port")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none, starttls (upgrade after connect) or tls (implicit TLS)"
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="CA bundle to verify the SMTP server's certificate (default: system CAs)",
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP user, if the server needs one"
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="Per SMTP command timeout")
    smtp_pool_size: int = Field(default=4, ge=1, le=64, description="SMTP connections per sender")
    email_from: str = Field(
        default="Billing <billing@decline-notifier.local>", description="From header of every email"
    )
    email_retry_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts per email before it is dead-lettered"
    )
    email_retry_base_seconds: float = Field(
        default=0.5, gt=0, description="First backoff; doubles per attempt, with full jitter"
    )
    sender_batch_size: int = Field(default=200, ge=1, le=5000, description="Commands per batch")
    sender_metrics_port: int = Field(default=9108, description="Email sender /metrics port")


def load_settings() -> Settings:
    """Read the settings, or stop with the variable, the problem and the fix."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            lines.append(
                f"  DN_{field.upper()}: {err['msg']} (got {err.get('input')!r}); "
                f"fix the variable in the environment or .env"
            )
        raise ConfigError(
            "invalid configuration (environment / .env):\n" + "\n".join(lines)
        ) from exc
