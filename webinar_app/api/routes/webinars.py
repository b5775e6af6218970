"""`/api/webinars/`: the catalog, scheduling and calendar files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from webinar_app.api import catalog_cache
from webinar_app.api.body import RawBody, read_upload_sync
from webinar_app.api.deps import AdminUser, BaseUrl, OptionalUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.webinars import event_detail_out, event_out
from webinar_app.core.config import get_settings
from webinar_app.services import calendar, webinars

router = APIRouter(route_class=ContractRoute, prefix="/api/webinars", tags=["webinars"])

WEBINAR_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "date": {"type": "string", "format": "date"},
                        "time": {"type": "string", "example": "10:00:00"},
                        "duration": {"type": "integer", "minimum": 1},
                        "price": {"type": "string", "example": "19.99"},
                        "capacity": {"type": ["integer", "null"], "minimum": 1},
                        "live_stream_url": {"type": ["string", "null"]},
                        "manual_status": {"type": "string", "enum": ["", "completed", "cancelled"]},
                        "organizer": {"type": "integer"},
                        "category": {"type": "string"},
                        "tags": {"type": "string"},
                        "reminder_offsets": {"type": "string", "example": "1440,15"},
                        **(
                            {"thumbnail": {"type": "string", "format": "binary"}}
                            if media.startswith("multipart")
                            else {}
                        ),
                    },
                }
            }
            for media in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
        },
    }
}


def _page_params(limit: int | None, offset: int | None) -> tuple[int | None, int]:
    return (None if limit is None else max(limit, 0)), max(offset or 0, 0)


def _listing(
    session: SessionDep,
    viewer: OptionalUser,
    base: str,
    *,
    status: str | None,
    organizer: int | None = None,
    my_only: bool = False,
    search: str | None = None,
    category: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Response:
    page_limit, page_offset = _page_params(limit, offset)
    status = status or None
    if catalog_cache.cacheable(status, my_only):
        cached = catalog_cache.listing(
            session, viewer, base, status=status, organizer=organizer, search=search,
            category=category, limit=page_limit, offset=page_offset,
        )
        if cached is not None:
            body, total = cached
            return Response(body, media_type="application/json", headers={"X-Total-Count": str(total)})
    views, total = webinars.list_webinars(
        session,
        viewer,
        status=status,
        organizer_id=organizer,
        my_only=my_only,
        search=search,
        category=category,
        limit=page_limit,
        offset=page_offset,
    )
    return JSONResponse(
        [event_out(v, base) for v in views], headers={"X-Total-Count": str(total)}
    )


@router.get("/")
def list_webinars(
    session: SessionDep,
    viewer: OptionalUser,
    base: BaseUrl,
    status: str | None = None,
    organizer: int | None = None,
    my_only: bool = False,
    search: str | None = None,
    category: str | None = None,
    limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
    offset: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    return _listing(
        session, viewer, base, status=status, organizer=organizer, my_only=my_only,
        search=search, category=category, limit=limit, offset=offset,
    )


def _by_status(status: str):  # type: ignore[no-untyped-def]
    def route(
        session: SessionDep,
        viewer: OptionalUser,
        base: BaseUrl,
        limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
        offset: Annotated[int | None, Query(ge=0)] = None,
    ) -> Response:
        return _listing(session, viewer, base, status=status, limit=limit, offset=offset)

    route.__name__ = f"list_{status}"
    return route


for _status in ("upcoming", "live", "completed"):
    router.add_api_route(f"/{_status}/", _by_status(_status), methods=["GET"])


@router.get("/categories/")
def list_categories(session: SessionDep) -> list[str]:
    return webinars.categories(session)


def _webinar_form(raw: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    data = dict(raw)
    upload = data.pop("thumbnail", None)
    if not isinstance(upload, UploadFile):
        return data, None  # a string (e.g. an echoed URL) is ignored: thumbnails are uploads
    limit = get_settings().max_avatar_bytes * 2
    return data, read_upload_sync(upload, field="thumbnail", max_bytes=limit)


@router.post("/", status_code=201, openapi_extra=WEBINAR_BODY)
def create_webinar(raw: RawBody, admin: AdminUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    data, thumbnail = _webinar_form(raw)
    webinar = webinars.create_webinar(session, admin, data, thumbnail=thumbnail)
    assert webinar.id is not None
    return event_out(webinars.get_webinar(session, admin, webinar.id), base)


@router.get("/{webinar_id:int}/")
def read_webinar(webinar_id: int, session: SessionDep, viewer: OptionalUser, base: BaseUrl) -> dict[str, Any]:
    return event_detail_out(webinars.get_webinar(session, viewer, webinar_id), base)


def _update(
    raw: dict[str, Any], webinar_id: int, admin: AdminUser, session: SessionDep, base: str, *, full: bool
) -> dict[str, Any]:
    data, thumbnail = _webinar_form(raw)
    if full:
        from webinar_app.services.validation import ErrorCollector

        errors = ErrorCollector()
        for name in ("title", "date", "time"):
            if name not in data:
                errors.add(name, "This field is required.")
        errors.raise_if_any()
    webinars.update_webinar(session, admin, webinar_id, data, thumbnail=thumbnail)
    return event_out(webinars.get_webinar(session, admin, webinar_id), base)


@router.patch("/{webinar_id:int}/", openapi_extra=WEBINAR_BODY)
def patch_webinar(
    webinar_id: int, raw: RawBody, admin: AdminUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    return _update(raw, webinar_id, admin, session, base, full=False)


@router.put("/{webinar_id:int}/", openapi_extra=WEBINAR_BODY)
def put_webinar(
    webinar_id: int, raw: RawBody, admin: AdminUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    return _update(raw, webinar_id, admin, session, base, full=True)


@router.delete("/{webinar_id:int}/", status_code=204)
def delete_webinar(webinar_id: int, admin: AdminUser, session: SessionDep) -> Response:
    webinars.delete_webinar(session, admin, webinar_id)
    return Response(status_code=204)


@router.post("/{webinar_id:int}/mark_completed/")
def mark_completed(webinar_id: int, admin: AdminUser, session: SessionDep) -> dict[str, str]:
    webinars.mark_completed(session, admin, webinar_id)
    return {"status": "Webinar marked as completed"}


@router.post("/{webinar_id:int}/cancel/")
def cancel(webinar_id: int, admin: AdminUser, session: SessionDep) -> dict[str, str]:
    webinars.cancel_webinar(session, admin, webinar_id)
    return {"status": "Webinar cancelled"}


@router.get("/{webinar_id:int}/calendar.ics", response_class=Response)
def webinar_calendar(webinar_id: int, session: SessionDep) -> Response:
    return Response(
        calendar.webinar_ics(session, webinar_id),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="webinar-{webinar_id}.ics"'},
    )
