"""Recordings in the UI: the library, one recording's player (with view tracking), the
recordings section of a webinar page, and the admin's upload / add-by-link form.

Every handler asks `services.recordings` as the user the stored token says: the same
visibility matrix as the REST API, so a private replay never reaches a page it may not.
Uploads arrive through `rx.upload_files_chunk` (a background handler getting the bytes as
they stream in) and go to the same `services.uploads.RecordingUpload` writer as REST, with
the same server-side size limit and content check; nothing is kept under `/_upload`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.models.base import as_utc
from webinar_app.services import recordings, webinars
from webinar_app.services.errors import DomainError, Invalid, NotFound
from webinar_app.services.recordings import RecordingItem
from webinar_app.services.uploads import RecordingUpload, StoredFile
from webinar_app.state.auth import backend_base_url, login_redirect, user_for
from webinar_app.state.forms import field_errors, message_of

RECORDING_UPLOAD_ID = "recording_upload"
ALL = "all"
MINE = "mine"
FORM_FIELDS = ("event", "title", "description", "duration_minutes", "recording_link", "is_public")
EMPTY_FORM = {name: "" for name in FORM_FIELDS} | {"is_public": "true"}


@dataclasses.dataclass
class RecordingCard:
    id: int = 0
    title: str = ""
    webinar_title: str = ""
    webinar_id: int = 0
    duration: str = ""
    uploaded: str = ""
    is_public: bool = True
    source: str = "link"
    href: str = ""


@dataclasses.dataclass
class Choice:
    value: str = ""
    label: str = ""


def duration_label(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def card_of(item: RecordingItem) -> RecordingCard:
    r = item.recording
    uploaded = as_utc(r.uploaded_at)
    return RecordingCard(
        id=item.id,
        title=item.display_title,
        webinar_title=item.event.webinar.title,
        webinar_id=r.webinar_id,
        duration=duration_label(r.duration_minutes),
        uploaded=uploaded.strftime("%Y-%m-%d") if uploaded else "",
        is_public=r.is_public,
        source="file" if item.is_file else "link",
        href=routes.recording_url(item.id),
    )


class RecordingLibraryState(rx.State):
    """`/recordings`: search, filter by webinar, everything I may see or "from my webinars"."""

    items: list[RecordingCard] = []
    webinar_choices: list[Choice] = []
    search: str = ""
    webinar_filter: str = ALL
    view: str = ALL
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        await self._refresh()

    async def _refresh(self) -> None:
        webinar_id = int(self.webinar_filter) if self.webinar_filter.isdigit() else None
        with session_scope() as session:
            viewer = await user_for(self, session)
            if viewer is None and self.view == MINE:
                self.view = ALL
            found, _ = recordings.list_recordings(
                session,
                viewer,
                webinar_id=webinar_id,
                mine_only=self.view == MINE,
                search=self.search,
                limit=200,
            )
            self.items = [card_of(i) for i in found]
            self.webinar_choices = [
                Choice(str(wid), title) for wid, title in recordings.webinar_choices(session, viewer)
            ]
        self.loaded = True

    @rx.event
    async def set_search(self, value: Any) -> None:
        self.search = value[:200] if isinstance(value, str) else ""
        await self._refresh()

    @rx.event
    async def set_webinar_filter(self, value: Any) -> None:
        self.webinar_filter = value if isinstance(value, str) and (value == ALL or value.isdigit()) else ALL
        await self._refresh()

    @rx.event
    async def set_view(self, value: Any) -> Any:
        self.view = MINE if value == MINE else ALL
        with session_scope() as session:
            signed_in = await user_for(self, session) is not None
        if self.view == MINE and not signed_in:
            self.view = ALL
            return login_redirect(self)
        await self._refresh()
        return None


@dataclasses.dataclass
class RecordingDetail:
    id: int = 0
    title: str = ""
    description: str = ""
    webinar_title: str = ""
    webinar_href: str = ""
    duration: str = ""
    uploaded: str = ""
    uploaded_by: str = ""
    is_public: bool = True
    kind: str = "link"  # video | embed | link
    src: str = ""


class RecordingPlayerState(rx.State):
    """`/recordings/<id>`: the player, and this visit recorded as a view (who, when, how long)."""

    recording: RecordingDetail = RecordingDetail()
    loaded: bool = False
    not_found: bool = False
    stats: str = ""
    # Backend-only (underscore): a client can neither read nor set which view it reports on.
    _view_id: int = 0

    @rx.event
    async def load(self) -> None:
        self.loaded = False
        self.not_found = False
        self.stats = ""
        self._view_id = 0
        recording_id = routes.recording_id_from_path(self.router.url.path)
        with session_scope() as session:
            viewer = await user_for(self, session)
            try:
                if recording_id is None:
                    raise NotFound()
                item = recordings.get_recording(session, viewer, recording_id)
            except NotFound:
                self.not_found = True
                self.loaded = True
                return
            kind, src = recordings.player_source(item, viewer, backend_base_url())
            r = item.recording
            uploaded = as_utc(r.uploaded_at)
            self.recording = RecordingDetail(
                id=item.id,
                title=item.display_title,
                description=r.description,
                webinar_title=item.event.webinar.title,
                webinar_href=routes.webinar_url(r.webinar_id),
                duration=duration_label(r.duration_minutes),
                uploaded=uploaded.strftime("%Y-%m-%d") if uploaded else "",
                uploaded_by=item.uploader.username if item.uploader else "",
                is_public=r.is_public,
                kind=kind,
                src=src,
            )
            view = recordings.start_view(session, viewer, item.id)
            self._view_id = view.id or 0
            if viewer is not None and viewer.is_admin:
                self.stats = _stats_line(recordings.view_stats(session, viewer, item.id))
        self.loaded = True

    @rx.event
    async def progress(self, seconds: Any) -> None:
        """From the <video>: seconds actually played (pause, end, and every 15 s while playing)."""
        if not self._view_id:
            return
        with session_scope() as session:
            viewer = await user_for(self, session)
            try:
                recordings.record_progress(session, viewer, self._view_id, seconds)
            except DomainError:
                return


def _stats_line(stats: recordings.ViewStats) -> str:
    minutes = round(stats.seconds / 60)
    return f"{stats.views} views · {stats.viewers} signed-in viewers · {minutes} min watched"


class WebinarRecordingsState(rx.State):
    """The "Recordings" section of a webinar page (only what the viewer may see)."""

    items: list[RecordingCard] = []

    @rx.event
    async def load(self) -> None:
        webinar_id = routes.webinar_id_from_path(self.router.url.path)
        if webinar_id is None:
            self.items = []
            return
        with session_scope() as session:
            viewer = await user_for(self, session)
            found, _ = recordings.list_recordings(session, viewer, webinar_id=webinar_id)
            self.items = [card_of(i) for i in found]


class RecordingAdminState(rx.State):
    """The admin's "add a recording" form: upload a file (with progress) or add a link."""

    allowed: bool = False
    webinar_choices: list[Choice] = []
    form: dict[str, str] = EMPTY_FORM
    form_errors: dict[str, str] = {}
    upload_progress: int = 0
    uploading: bool = False
    saving: bool = False

    @rx.event
    async def load(self) -> None:
        self.form_errors = {}
        self.upload_progress = 0
        self.uploading = False
        with session_scope() as session:
            actor = await user_for(self, session)
            self.allowed = actor is not None and actor.is_admin
            if not self.allowed:
                self.webinar_choices = []
                return
            views, _ = webinars.list_webinars(session, actor, limit=500)
            self.webinar_choices = [Choice(str(v.webinar.id), v.webinar.title) for v in views]

    @rx.event
    def set_field(self, name: Any, value: Any) -> None:
        if name in FORM_FIELDS:
            self.form = self.form | {name: value if isinstance(value, str) else ""}
            self.form_errors = {k: v for k, v in self.form_errors.items() if k != name}

    def _data(self, *, with_link: bool) -> dict[str, Any]:
        fields = [n for n in FORM_FIELDS if with_link or n != "recording_link"]
        return {name: self.form.get(name, "") for name in fields}

    async def _admin(self, session: Any) -> User | None:
        actor = await user_for(self, session)
        return actor if actor is not None and actor.is_admin else None

    @rx.event
    async def add_link(self) -> AsyncIterator[Any]:
        self.saving = True
        yield
        with session_scope() as session:
            actor = await self._admin(session)
            if actor is None:
                self.saving = False
                yield login_redirect(self)
                return
            try:
                recordings.create_recording(session, actor, self._data(with_link=True))
            except Invalid as exc:
                self.form_errors = field_errors(exc)
                self.saving = False
                yield rx.toast.error("Please fix the highlighted fields.")
                return
            except DomainError as exc:
                self.saving = False
                yield rx.toast.error(message_of(exc))
                return
        self.saving = False
        self.form = EMPTY_FORM | {"event": self.form.get("event", "")}
        yield [rx.toast.success("Recording added."), RecordingLibraryState.load]

    @rx.event
    def upload_progressed(self, progress: dict[str, Any]) -> None:
        """Drives the progress bar only; the server judges the bytes as they arrive."""
        fraction = progress.get("progress", 0) if isinstance(progress, dict) else 0
        if isinstance(fraction, int | float):
            self.upload_progress = max(0, min(100, round(fraction * 100)))

    @rx.event(background=True)
    async def upload_video(self, chunk_iter: rx.UploadChunkIterator) -> AsyncIterator[Any]:
        """Stream the chosen file to RECORDINGS_DIR chunk by chunk, then create the recording."""
        async with self:
            self.uploading = True
            self.form_errors = {}
            data = self._data(with_link=False)
        with session_scope() as session:
            async with self:
                actor = await self._admin(session)
            if actor is None:
                async with self:
                    self.uploading = False
                yield rx.toast.error("Only admins may upload recordings.")
                return
            try:
                stored = await _receive(chunk_iter)
                await anyio.to_thread.run_sync(_create, session, actor, data, stored)
            except Invalid as exc:
                async with self:
                    self.form_errors = field_errors(exc)
                    self.uploading = False
                yield rx.toast.error(" ".join(field_errors(exc).values()))
                return
            except DomainError as exc:
                async with self:
                    self.uploading = False
                yield rx.toast.error(message_of(exc))
                return
        async with self:
            self.uploading = False
            self.upload_progress = 100
            self.form = EMPTY_FORM | {"event": self.form.get("event", "")}
        yield [
            rx.clear_selected_files(RECORDING_UPLOAD_ID),
            rx.toast.success("Recording uploaded."),
            RecordingLibraryState.load,
        ]


async def _receive(chunk_iter: rx.UploadChunkIterator) -> StoredFile:
    """The first file of the upload, written as it streams; any error removes it again."""
    upload: RecordingUpload | None = None
    filename: str | None = None
    try:
        async for chunk in chunk_iter:
            if filename is None:
                filename = chunk.filename  # for the one-file check only, never a path
                upload = await anyio.to_thread.run_sync(RecordingUpload)
            elif chunk.filename != filename:
                raise Invalid.field("file", "Upload one file at a time.")
            assert upload is not None
            await anyio.to_thread.run_sync(upload.write, chunk.data)
        if upload is None:
            raise Invalid.field("file", "Choose a video file first.")
        return await anyio.to_thread.run_sync(upload.finish)
    except BaseException:
        if upload is not None:
            upload.abort()
        raise


def _create(session: Any, actor: User, data: dict[str, Any], stored: StoredFile) -> None:
    recordings.create_recording(session, actor, data, stored=stored)
