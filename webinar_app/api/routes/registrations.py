"""`/api/registrations/`: register, waitlist, unregister, attendance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from webinar_app.api.body import RawBody, documented
from webinar_app.api.deps import BaseUrl, CurrentUser, SessionDep
from webinar_app.api.errors import ApiError
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.webinars import registration_out
from webinar_app.services import registrations
from webinar_app.services.errors import Invalid

router = APIRouter(route_class=ContractRoute, prefix="/api/registrations", tags=["registrations"])


class RegisterIn(BaseModel):
    event: int


class RegistrationPatchIn(BaseModel):
    attended: bool | None = None


def event_id_of(data: dict[str, Any]) -> int:
    raw = data.get("event", data.get("webinar"))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise Invalid.field("event", "This field is required.")
    try:
        if isinstance(raw, bool):
            raise ValueError
        return int(str(raw).strip())
    except ValueError:
        raise Invalid.field("event", "Incorrect type. Expected pk value.") from None


def _out(session: SessionDep, user: CurrentUser, registration_id: int, base: str) -> dict[str, Any]:
    return registration_out(registrations.get_view(session, user, registration_id), base, user.id)


@router.get("/")
def list_registrations(
    user: CurrentUser, session: SessionDep, base: BaseUrl, event: int | None = None
) -> list[dict[str, Any]]:
    views = registrations.list_registrations(session, user, webinar_id=event)
    return [registration_out(v, base, user.id) for v in views]


@router.get("/my_registrations/")
def my_registrations(user: CurrentUser, session: SessionDep, base: BaseUrl) -> list[dict[str, Any]]:
    views = registrations.list_registrations(session, user, own_only=True)
    return [registration_out(v, base, user.id) for v in views]


def _register(raw: dict[str, Any], user: CurrentUser, session: SessionDep, base: str) -> dict[str, Any]:
    return registration_out(registrations.register(session, user, event_id_of(raw)), base, user.id)


@router.post("/register/", status_code=201, openapi_extra=documented(RegisterIn))
def register(raw: RawBody, user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    return _register(raw, user, session, base)


@router.post("/", status_code=201, openapi_extra=documented(RegisterIn))
def create(raw: RawBody, user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    return _register(raw, user, session, base)


@router.get("/{registration_id:int}/")
def read(registration_id: int, user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    return _out(session, user, registration_id, base)


@router.patch("/{registration_id:int}/", openapi_extra=documented(RegistrationPatchIn))
@router.put("/{registration_id:int}/", include_in_schema=False)
def patch(
    registration_id: int, data: RawBody, user: CurrentUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    registrations.visible_registration(session, user, registration_id)
    if "attended" in data:
        if not user.is_admin:
            raise ApiError(403, {"detail": "Only admins can set attendance."})
        value = data["attended"]
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise Invalid.field("attended", "Must be a valid boolean.")
            value = lowered in ("true", "1")
        if not isinstance(value, bool):
            raise Invalid.field("attended", "Must be a valid boolean.")
        registrations.set_attended(session, user, registration_id, value)
    return _out(session, user, registration_id, base)


@router.delete("/{registration_id:int}/", status_code=204)
@router.delete("/{registration_id:int}/unregister/", status_code=204)
def unregister(registration_id: int, user: CurrentUser, session: SessionDep) -> Response:
    registrations.unregister(session, user, registration_id)
    return Response(status_code=204)
