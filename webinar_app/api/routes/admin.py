"""Admin console over REST: the audit log and the dashboard numbers (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from webinar_app.api.deps import AdminUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.models.base import as_utc
from webinar_app.services import analytics, audit
from webinar_app.services.email import log as email_log
from webinar_app.services.errors import Invalid

router = APIRouter(route_class=ContractRoute, tags=["admin"])


def _iso(value: Any) -> str | None:
    moment = as_utc(value)
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


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
                "created_at": _iso(e.created_at),
            }
            for e in found.entries
        ],
    }


@router.get("/api/admin/dashboard/")
def read_dashboard(
    admin: AdminUser,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> dict[str, Any]:
    return analytics.dashboard(session, admin, days=days).as_dict()


def _email_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "webinar_id": row.webinar_id,
        "kind": row.kind,
        "template": row.template,
        "to": row.to_address,
        "subject": row.subject,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": _iso(row.created_at),
        "sent_at": _iso(row.sent_at),
        "next_attempt_at": _iso(row.next_attempt_at),
    }


@router.get("/api/admin/emails/")
def read_email_log(
    admin: AdminUser,
    session: SessionDep,
    status: Annotated[str | None, Query()] = None,
    search: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = email_log.PAGE_SIZE,
) -> dict[str, Any]:
    found = email_log.list_emails(
        session, admin, status=status, search=search, page=page, page_size=page_size
    )
    return {
        "count": found.total,
        "page": found.page,
        "pages": found.pages,
        "failed": found.failed,
        "results": [_email_json(r) for r in found.rows],
    }


@router.post("/api/admin/emails/{email_id:int}/retry/")
def retry_email(email_id: int, admin: AdminUser, session: SessionDep) -> dict[str, Any]:
    return _email_json(email_log.retry(session, admin, email_id))
