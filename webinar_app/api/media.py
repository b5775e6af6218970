"""Serving public media (avatars, thumbnails) from MEDIA_DIR.

Recordings are not public media: they get their own signed, access-checked route.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from webinar_app.api.errors import NOT_FOUND, ApiError
from webinar_app.api.routing import ContractRoute
from webinar_app.services.media import resolve_media

router = APIRouter(route_class=ContractRoute, tags=["media"])
PUBLIC_FOLDERS = ("profile_pictures/", "webinar_thumbnails/")


@router.get("/media/{path:path}", include_in_schema=False)
def media(path: str) -> FileResponse:
    if not path.startswith(PUBLIC_FOLDERS):
        raise ApiError(404, NOT_FOUND)
    file = resolve_media(path)
    if file is None:
        raise ApiError(404, NOT_FOUND)
    return FileResponse(file, headers={"Cache-Control": "public, max-age=86400"})
