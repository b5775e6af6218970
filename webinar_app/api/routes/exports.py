"""`/api/webinars/{id}/registrants.csv`: the host's registrants export."""

from __future__ import annotations

from fastapi import APIRouter, Response

from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.services import exports

router = APIRouter(route_class=ContractRoute, prefix="/api/webinars", tags=["webinars"])


@router.get("/{webinar_id:int}/registrants.csv", response_class=Response)
def registrants_csv(webinar_id: int, user: CurrentUser, session: SessionDep) -> Response:
    return Response(
        exports.registrants_csv(session, user, webinar_id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{exports.registrants_filename(webinar_id)}"',
            "Cache-Control": "private, no-store",
        },
    )
