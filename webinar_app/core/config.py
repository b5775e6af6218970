"""One settings object, read once from the environment (and an optional `.env`).

Production mode refuses to start without an explicit secret: a silently generated
key would log everyone out on every restart and differ between workers.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"

DEFAULT_CORS_ORIGINS = [
    "http://localhost:3000",
    "http://localhost:5173",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
]


class SettingsError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


def _detect_env() -> str:
    explicit = os.environ.get("APP_ENV")
    if explicit:
        return explicit
    return "prod" if os.environ.get("REFLEX_ENV_MODE", "").lower() == "prod" else "dev"


class Settings(BaseSettings):
    """Everything configurable. See the README's settings table."""

    model_config = SettingsConfigDict(
        env_file=str(PROJECT_ROOT / ".env"), env_file_encoding="utf-8", extra="ignore"
    )

    app_env: Literal["dev", "prod", "test"] = Field(default_factory=_detect_env)
    database_url: str = f"sqlite:///{DATA_DIR / 'webinar.db'}"
    redis_url: str | None = None
    secret_key: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    media_dir: Path = DATA_DIR / "media"
    outbox_dir: Path = DATA_DIR / "outbox"
    app_base_url: str = "http://localhost:3000"
    api_base_url: str = "http://localhost:8000"

    email_backend: Literal["outbox", "smtp"] = "outbox"
    default_from_email: str = "Webinars <no-reply@webinars.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_timeout_seconds: float = 10.0
    # The sender/scheduler loop (one per worker): how often it looks for due reminders and mail.
    # 0 turns the loop off (another process, or tests calling `run_due`, does the work).
    reminder_poll_seconds: float = Field(default=30.0, ge=0)
    email_max_attempts: int = Field(default=8, ge=1)
    email_retry_base_seconds: int = Field(default=60, ge=1)
    email_retry_max_seconds: int = Field(default=3600, ge=1)
    # A worker that claimed a mail and died lets another one retry it after this long.
    email_lease_seconds: int = Field(default=300, ge=10)

    # Per worker process: the threads that run sync routes and database work (anyio's default
    # is 40). Only one of them runs Python at a time (the GIL); the rest only overlap waits
    # for the database, which are short. Dozens of threads fighting for the GIL spend the CPU
    # on switching (futex storms in the kernel) and starve the event loop. Default: one per
    # CPU, at least two (docs/performance.md, REST load).
    worker_threads: int | None = Field(default=None, ge=1)
    # Per worker process: several backend workers share PostgreSQL's max_connections.
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout_seconds: float = 30.0

    # Failed sign-ins allowed per account and per client address in each window; once either
    # is used up, every attempt for it answers 429 until the window ends, right password or not.
    login_failures_per_minute: int = Field(default=5, ge=1)
    login_failure_window_seconds: float = Field(default=60.0, gt=0)
    # Only behind a reverse proxy that sets X-Forwarded-For may that header name the client
    # (its last hop); otherwise any client could claim any address and dodge the login limit.
    trusted_proxy: bool = False

    access_token_minutes: int = 60
    refresh_token_days: int = 7
    max_avatar_bytes: int = 5 * 1024 * 1024
    # Recordings live outside MEDIA_DIR (which is public): only the signed stream route reads them.
    recordings_dir: Path = DATA_DIR / "recordings"
    max_recording_bytes: int = Field(default=2 * 1024**3, ge=1)
    signed_url_seconds: int = Field(default=4 * 3600, ge=60)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("redis_url", "secret_key", "smtp_username", "smtp_password", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _normalise_db_url(cls, value: str) -> str:
        # psycopg 3 is the only PostgreSQL driver we ship; plain URLs would pick psycopg2.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @model_validator(mode="after")
    def _require_prod_secrets(self) -> Settings:
        if self.app_env == "prod":
            if not self.secret_key:
                raise SettingsError(
                    "SECRET_KEY is required in production mode: set it to a long random string "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
            if len(self.secret_key) < 32:
                raise SettingsError("SECRET_KEY must be at least 32 characters in production mode.")
        if self.email_backend == "smtp" and not self.smtp_host:
            raise SettingsError("EMAIL_BACKEND=smtp needs SMTP_HOST.")
        return self

    @property
    def threads_per_worker(self) -> int:
        return self.worker_threads or max(2, os.cpu_count() or 1)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The signing key; in dev it is generated once and kept in an ignored local file."""
        if self.secret_key:
            return self.secret_key
        key_file = DATA_DIR / ".secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are validated once per process; errors surface at startup."""
    try:
        return Settings()
    except SettingsError:
        raise
    except Exception as exc:  # pydantic's ValidationError: re-raise with a readable summary
        raise SettingsError(f"Invalid settings: {exc}") from exc


@lru_cache(maxsize=1)
def secret_key() -> str:
    return get_settings().resolved_secret_key()


def reset_settings_cache() -> None:
    """Tests change the environment and need settings read again."""
    get_settings.cache_clear()
    secret_key.cache_clear()
