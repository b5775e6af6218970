"""Admin console over REST: the audit log and the dashboard numbers (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from webinar_app.api.deps import AdminUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.models.base import as_utc
from webinar_app.services import audit
from webinar_app.services.errors import Invalid

router = APIRouter(route_class=ContractRoute, tags=["admin"])


def _day(field: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "Date has wrong format. Use YYYY-MM-DD.") from None


@router.get("/api/admin/audit/")
def read_audit_log(
    admin: AdminUser,
    session: SessionDep,
    actor: Annotated[str | None, Query()] = None,
    action: Annotated[str | None, Query()] = None,
    since: Annotated[str | None, Query()] = None,
    until: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = audit.PAGE_SIZE,
) -> dict[str, Any]:
    found = audit.list_entries(
        session,
        admin,
        actor_search=actor,
        action=action,
        since=_day("since", since),
        until=_day("until", until),
        page=page,
        page_size=page_size,
    )
    return {
        "count": found.total,
        "page": found.page,
        "pages": found.pages,
        "results": [
            {
                "id": e.id,
                "actor_id": e.actor_id,
                "actor": e.actor_name,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "before": e.before,
                "after": e.after,
                "created_at": as_utc(e.created_at).isoformat().replace("+00:00", "Z"),  # type: ignore[union-attr]
            }
            for e in found.entries
        ],
    }
