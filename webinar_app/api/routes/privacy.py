"""Personal data (ours): download everything we hold about me; delete my account."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from webinar_app.api.body import RawBody, documented, parse_into
from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.services import privacy

router = APIRouter(route_class=ContractRoute, prefix="/api/accounts/users/me", tags=["accounts"])


class DeleteAccountIn(BaseModel):
    password: str


@router.get("/export/", response_class=Response)
def export_my_data(user: CurrentUser, session: SessionDep) -> Response:
    body = json.dumps(privacy.export_user_data(session, user), indent=2, ensure_ascii=False)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="my-data-{user.id}.json"'},
    )


@router.post("/delete/", openapi_extra=documented(DeleteAccountIn))
def delete_my_account(raw: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    body = parse_into(DeleteAccountIn, raw)
    privacy.delete_account(session, user, password=body.password)
    return {"message": "Your account has been deleted and your personal data anonymised."}
