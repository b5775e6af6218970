"""Exports of webinar data for hosts: the registrants list as CSV.

One function feeds both doors (the REST route and the admin page's download button), so
the permission rule and the column set live here and nowhere else.
"""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from webinar_app.models import User
from webinar_app.models.base import as_utc
from webinar_app.services.registrations import registrants

REGISTRANT_COLUMNS = ("username", "email", "name", "status", "registered_on", "attended")


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a name like `=HYPERLINK(...)` must stay text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def registrants_csv(session: Session, actor: User, webinar_id: int) -> str:
    """Confirmed registrants first, then the waitlist in queue order.

    Permission (admin or the webinar's organizer) is enforced by `registrations.registrants`,
    which raises `NotFound` / `PermissionDenied`.
    """
    rows = registrants(session, actor, webinar_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REGISTRANT_COLUMNS)
    for row in rows:
        registered_on = as_utc(row.registration.registered_on)
        writer.writerow(
            [
                _cell(row.user.username),
                _cell(row.user.email),
                _cell(f"{row.user.first_name} {row.user.last_name}".strip()),
                row.status,
                registered_on.isoformat() if registered_on else "",
                "yes" if row.registration.attended else "no",
            ]
        )
    return buffer.getvalue()


def registrants_filename(webinar_id: int) -> str:
    return f"webinar-{webinar_id}-registrants.csv"
