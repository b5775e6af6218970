"""Request bodies in any of the contract's encodings (JSON, form-urlencoded, multipart).

FastAPI binds one encoding per route; existing clients send all three, so routes declare a
pydantic model and this module reads whatever arrived and validates it into that model.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from webinar_app.api.errors import ApiError, field_errors

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 1024 * 1024


async def read_body(request: Request) -> dict[str, Any]:
    """The body as a dict; uploaded files stay `UploadFile` values."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart
            raise ApiError(400, {"detail": f"Malformed form data: {exc}"}) from exc
        data: dict[str, Any] = {}
        for key, value in form.multi_items():
            if key in data:
                existing = data[key]
                data[key] = (existing if isinstance(existing, list) else [existing]) + [value]
            else:
                data[key] = value
        return data
    raw = await request.body()
    if not raw.strip():
        return {}
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError(413, {"detail": "Request body is too large."})
    try:
        parsed = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, {"detail": f"JSON parse error - {exc}"}) from exc
    if not isinstance(parsed, dict):
        raise ApiError(
            400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
        )
    return parsed


RawBody = Annotated[dict[str, Any], Depends(read_body)]
"""The body as a dict, read asynchronously before a (sync, threadpooled) route runs."""


def parse_into(model: type[M], data: dict[str, Any]) -> M:
    clean = {k: v for k, v in data.items() if not isinstance(v, UploadFile)}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise ApiError(400, field_errors(list(exc.errors()))) from exc


def body_of(model: type[M]) -> Any:
    """Dependency: the request body validated into `model` (400 field errors otherwise)."""

    async def dependency(request: Request) -> M:
        return parse_into(model, await read_body(request))

    return Depends(dependency)


def documented(model: type[BaseModel], *, multipart_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """`openapi_extra` so the docs (and schemathesis) know the body these routes read."""
    schema = model.model_json_schema()
    content: dict[str, Any] = {
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
    }
    if multipart_fields:
        multipart = json.loads(json.dumps(schema))
        for name in multipart_fields:
            multipart.setdefault("properties", {})[name] = {"type": "string", "format": "binary"}
        content["multipart/form-data"] = {"schema": multipart}
    return {"requestBody": {"required": True, "content": content}}


def read_upload_sync(upload: Any, *, field: str, max_bytes: int) -> bytes:
    """`read_upload` for sync routes (they run in a worker thread, so blocking reads are fine)."""
    if not isinstance(upload, UploadFile):
        raise ApiError(400, {field: ["No file was submitted."]})
    upload.file.seek(0)
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(400, {field: [f"The file is too large (max {max_bytes // (1024 * 1024)} MB)."]})
    return data
