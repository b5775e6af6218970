"""Value formats the contract fixes (timestamps with `Z`)."""

from __future__ import annotations

from datetime import UTC, datetime

from webinar_app.models.base import as_utc


def iso_z(value: datetime | None) -> str | None:
    value = as_utc(value)
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
