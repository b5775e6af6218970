"""`core.config`: production secrets, CORS parsing, database URL normalisation."""

from __future__ import annotations

import pytest

from webinar_app.core.config import (
    DEFAULT_CORS_ORIGINS,
    Settings,
    SettingsError,
    get_settings,
    reset_settings_cache,
)


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_prod_without_secret_key_raises(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY is required in production"):
        _settings(app_env="prod")


def test_prod_with_short_secret_key_raises():
    with pytest.raises(SettingsError, match="at least 32 characters"):
        _settings(app_env="prod", secret_key="short")


def test_prod_with_blank_secret_key_raises():
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        _settings(app_env="prod", secret_key="   ")


def test_prod_with_secret_key_is_fine():
    settings = _settings(app_env="prod", secret_key="k" * 40)
    assert settings.resolved_secret_key() == "k" * 40


def test_get_settings_in_prod_without_secret_raises_settings_error(monkeypatch):
    try:
        with monkeypatch.context() as env:
            env.setenv("APP_ENV", "prod")
            env.delenv("SECRET_KEY", raising=False)
            reset_settings_cache()
            with pytest.raises(SettingsError, match="SECRET_KEY"):
                get_settings()
    finally:
        reset_settings_cache()
    assert get_settings().app_env == "test"


def test_reflex_prod_mode_means_prod(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError):
        _settings()


def test_invalid_value_is_a_readable_settings_error(monkeypatch):
    try:
        with monkeypatch.context() as env:
            env.setenv("SMTP_PORT", "not-a-number")
            reset_settings_cache()
            with pytest.raises(SettingsError, match="smtp_port"):
                get_settings()
    finally:
        reset_settings_cache()


def test_cors_origins_default():
    assert _settings().cors_origins == DEFAULT_CORS_ORIGINS


def test_cors_origins_comma_separated():
    settings = _settings(cors_origins=" https://a.example , https://b.example/ ,,")
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_cors_origins_from_environment(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example.com,http://localhost:8080")
    assert _settings().cors_origins == ["https://app.example.com", "http://localhost:8080"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/w", "postgresql+psycopg://u:p@db:5432/w"),
        ("postgresql://u@db/w", "postgresql+psycopg://u@db/w"),
        ("postgresql+psycopg://u@db/w", "postgresql+psycopg://u@db/w"),
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
    ],
)
def test_database_url_normalised(url, expected):
    assert _settings(database_url=url).database_url == expected


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://web@127.0.0.1/webinars")
    settings = _settings()
    assert settings.database_url == "postgresql+psycopg://web@127.0.0.1/webinars"
    assert settings.is_sqlite is False


def test_blank_optional_values_are_none():
    settings = _settings(redis_url=" ", smtp_username="", smtp_password="")
    assert (settings.redis_url, settings.smtp_username, settings.smtp_password) == (None, None, None)
