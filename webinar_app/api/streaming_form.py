"""A multipart body parsed as it arrives, one file part streamed into a `RecordingUpload`.

Starlette's `request.form()` spools every file to a temp file of its own (in /tmp, with no
size limit) before the route sees a byte; for recordings we parse `request.stream()` with
python-multipart ourselves, so the size limit and the content check act on the first
chunks and the file is written once, straight into RECORDINGS_DIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.to_thread
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from webinar_app.api.errors import ApiError
from webinar_app.services.uploads import RecordingUpload, StoredFile

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS_BYTES = 1024 * 1024


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    is_file: bool = False
    filename: str = ""
    text: bytearray = field(default_factory=bytearray)


class _Collector:
    """python-multipart callbacks: text fields into memory (capped), file bytes queued for disk."""

    def __init__(self, file_field: str) -> None:
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.pending: list[bytes] = []  # file bytes parsed from the current network chunk
        self.file_seen = False
        self.file_named = False
        self.text_bytes = 0
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()

    def on_part_begin(self) -> None:
        self._part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._part.headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise ApiError(400, {"detail": "Malformed form data: a part without a field name."})
        part = self._part
        part.name = options[b"name"].decode("utf-8", "replace")
        part.is_file = b"filename" in options
        # Only shown in errors and never used as a path: the stored name is random.
        part.filename = options.get(b"filename", b"").decode("utf-8", "replace")
        if part.is_file and part.name == self.file_field:
            if self.file_seen:
                raise ApiError(400, {self.file_field: ["Send one file per recording."]})
            self.file_seen = True
            self.file_named = bool(part.filename)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.is_file:
            if part.name == self.file_field:
                self.pending.append(data[start:end])
            return  # other file parts are ignored
        self.text_bytes += end - start
        if len(part.text) + end - start > MAX_FIELD_BYTES or self.text_bytes > MAX_FIELDS_BYTES:
            raise ApiError(400, {part.name: ["This field is too long."]})
        part.text += data[start:end]

    def on_part_end(self) -> None:
        part = self._part
        if not part.is_file and part.name:
            self.fields[part.name] = part.text.decode("utf-8", "replace")


async def read_streaming_form(
    request: Request, file_field: str, *, max_bytes: int | None = None
) -> tuple[dict[str, str], StoredFile | None]:
    """Text fields and the checked file (still under its temp name), or an error with no file left."""
    content_type = request.headers.get("content-type", "")
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, {"detail": "Malformed form data: missing boundary."})
    collector = _Collector(file_field)
    parser = MultipartParser(boundary, callbacks=_callbacks(collector))  # type: ignore[arg-type]
    upload: RecordingUpload | None = None
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except MultipartParseError as exc:
                raise ApiError(400, {"detail": f"Malformed form data: {exc}"}) from exc
            if collector.pending:
                if upload is None:
                    upload = await anyio.to_thread.run_sync(RecordingUpload, max_bytes)
                data = b"".join(collector.pending)
                collector.pending.clear()
                await anyio.to_thread.run_sync(upload.write, data)
        parser.finalize()
        if upload is None:
            if collector.file_seen and collector.file_named:
                # A file part with a name but no bytes: say so, rather than "link required".
                upload = await anyio.to_thread.run_sync(RecordingUpload, max_bytes)
            else:
                return collector.fields, None
        stored = await anyio.to_thread.run_sync(upload.finish)
    except BaseException:
        if upload is not None:
            upload.abort()
        raise
    return collector.fields, stored


def _callbacks(collector: _Collector) -> dict[str, object]:
    return {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
