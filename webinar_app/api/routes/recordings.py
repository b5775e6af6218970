"""`/api/recordings/`: the visibility matrix, admin writes (links or streamed uploads), playback.

Uploads (`POST /` multipart with `file`) are parsed from the request stream in this async
route (see `api/streaming_form.py`); only the database part runs in a worker thread.
Stored files are served by `GET {id}/stream/` to whoever holds a valid signed URL, with
HTTP Range support (Starlette's `FileResponse`: 206, 416, `Accept-Ranges: bytes`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from webinar_app.api.body import RawBody, read_body
from webinar_app.api.deps import AdminUser, BaseUrl, CurrentUser, OptionalUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.recordings import recording_out
from webinar_app.api.streaming_form import read_streaming_form
from webinar_app.models import User
from webinar_app.services import recordings, uploads
from webinar_app.services.recordings import RecordingItem
from webinar_app.services.uploads import StoredFile

router = APIRouter(route_class=ContractRoute, prefix="/api/recordings", tags=["recordings"])

_FIELDS = {
    "event": {"type": "integer"},
    "recording_link": {"type": "string", "format": "uri"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "duration_minutes": {"type": ["integer", "null"], "minimum": 0},
    "is_public": {"type": "boolean", "default": True},
}
RECORDING_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "properties": _FIELDS}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": _FIELDS}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {**_FIELDS, "file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


def _list(items: tuple[list[RecordingItem], int], viewer: User | None, base: str) -> JSONResponse:
    found, total = items
    return JSONResponse(
        [recording_out(i, viewer, base) for i in found], headers={"X-Total-Count": str(total)}
    )


@router.get("/")
def list_recordings(
    session: SessionDep,
    viewer: OptionalUser,
    base: BaseUrl,
    event: int | None = None,
    search: str | None = None,
    limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
    offset: Annotated[int | None, Query(ge=0)] = None,
) -> JSONResponse:
    found = recordings.list_recordings(
        session, viewer, webinar_id=event, search=search, limit=limit, offset=offset or 0
    )
    return _list(found, viewer, base)


@router.get("/public/")
def public_recordings(
    session: SessionDep, viewer: OptionalUser, base: BaseUrl, event: int | None = None
) -> JSONResponse:
    found = recordings.list_recordings(session, viewer, webinar_id=event, public_only=True)
    return _list(found, viewer, base)


@router.get("/event_recordings/")
def event_recordings(
    session: SessionDep, viewer: CurrentUser, base: BaseUrl, event: int | None = None
) -> JSONResponse:
    found = recordings.list_recordings(session, viewer, webinar_id=event, mine_only=True)
    return _list(found, viewer, base)


def _create(
    session: SessionDep, admin: User, data: dict[str, Any], stored: StoredFile | None, base: str
) -> dict[str, Any]:
    recording = recordings.create_recording(session, admin, data, stored=stored)
    assert recording.id is not None
    return recording_out(recordings.get_recording(session, admin, recording.id), admin, base)


@router.post("/", status_code=201, openapi_extra=RECORDING_BODY)
async def create_recording(
    request: Request, admin: AdminUser, session: SessionDep, base: BaseUrl
) -> JSONResponse:
    """A link (any encoding), or a file streamed to disk: never the whole body in memory."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    stored: StoredFile | None = None
    if content_type == "multipart/form-data":
        uploads.check_declared_length(request.headers.get("content-length"))
        data: dict[str, Any]
        data, stored = await read_streaming_form(request, uploads.FIELD)
    else:
        data = await read_body(request)
    try:
        out = await run_in_threadpool(_create, session, admin, data, stored, base)
    except BaseException:
        if stored is not None:
            stored.discard()
        raise
    return JSONResponse(out, status_code=201)


@router.get("/{recording_id:int}/")
def read_recording(
    recording_id: int, session: SessionDep, viewer: OptionalUser, base: BaseUrl
) -> dict[str, Any]:
    return recording_out(recordings.get_recording(session, viewer, recording_id), viewer, base)


def _update(
    recording_id: int, data: dict[str, Any], admin: User, session: SessionDep, base: str, *, full: bool
) -> dict[str, Any]:
    recordings.update_recording(session, admin, recording_id, data, full=full)
    return recording_out(recordings.get_recording(session, admin, recording_id), admin, base)


@router.patch("/{recording_id:int}/", openapi_extra=RECORDING_BODY)
def patch_recording(
    recording_id: int, raw: RawBody, admin: AdminUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    return _update(recording_id, raw, admin, session, base, full=False)


@router.put("/{recording_id:int}/", openapi_extra=RECORDING_BODY)
def put_recording(
    recording_id: int, raw: RawBody, admin: AdminUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    return _update(recording_id, raw, admin, session, base, full=True)


@router.delete("/{recording_id:int}/", status_code=204)
def delete_recording(recording_id: int, admin: AdminUser, session: SessionDep) -> Response:
    recordings.delete_recording(session, admin, recording_id)
    return Response(status_code=204)


@router.head("/{recording_id:int}/stream/", include_in_schema=False)
@router.get("/{recording_id:int}/stream/")
def stream_recording(
    recording_id: int,
    session: SessionDep,
    expires: str | None = None,
    user: str | None = None,
    sig: str | None = None,
) -> FileResponse:
    """No bearer header here (a <video> cannot send one): the signed query is the credential."""
    target = recordings.open_stream(session, recording_id, expires=expires, user=user, sig=sig)
    session.close()  # the file may stream for an hour; the pool connection goes back now
    return FileResponse(
        target.path,
        media_type=target.content_type,
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
        },
    )
