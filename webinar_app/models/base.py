"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def tz_column(*, nullable: bool = False, index: bool = False, **kwargs: Any) -> Any:
    """A timezone-aware timestamp column (PostgreSQL timestamptz; SQLite stores naive UTC)."""
    return Column(DateTime(timezone=True), nullable=nullable, index=index, **kwargs)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
