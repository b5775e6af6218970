"""Recording UI states against a real database: the same visibility as REST, identity from
the stored token only, views recorded server-side, uploads streamed through the shared writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from reflex_components_core.core._upload import UploadChunk
from sqlmodel import Session, select

from tests.api.test_recordings import mp4_bytes, stored_files
from tests.conftest import make_user
from tests.state.test_auth_state import run, signed_in_tree, sub, tree
from tests.state.test_webinar_states import at, seed
from webinar_app import routes
from webinar_app.core.config import get_settings
from webinar_app.models import Recording, RecordingView, User
from webinar_app.services import recordings, registrations
from webinar_app.services.errors import Invalid
from webinar_app.services.uploads import RecordingUpload
from webinar_app.state.auth import AuthState
from webinar_app.state.recordings import (
    MINE,
    RecordingAdminState,
    RecordingLibraryState,
    RecordingPlayerState,
    WebinarRecordingsState,
    _receive,
)


@pytest.fixture(autouse=True)
def _empty_recordings_dir() -> None:
    root = get_settings().recordings_dir
    for name in stored_files():
        (root / name).unlink()


def link(session: Session, admin: User, webinar_id: int, title: str, *, public: bool) -> Recording:
    data = {"event": webinar_id, "recording_link": f"https://v.example/{title}", "title": title}
    return recordings.create_recording(session, admin, data | {"is_public": public})


def stored(session: Session, admin: User, webinar_id: int, *, public: bool = False) -> Recording:
    upload = RecordingUpload()
    upload.write(mp4_bytes())
    data = {"event": webinar_id, "title": "Stored", "is_public": public, "duration_minutes": 75}
    return recordings.create_recording(session, admin, data, stored=upload.finish())


@pytest.fixture
def setup(session: Session) -> dict[str, Any]:
    admin = make_user(session, "root", role="admin")
    talk = seed(session, admin, "Talk A")
    other = seed(session, admin, "Talk B")
    return {
        "admin": admin,
        "talk": talk,
        "other": other,
        "public": link(session, admin, talk.id, "open-one", public=True),
        "private": link(session, admin, talk.id, "secret-one", public=False),
        "other_private": link(session, admin, other.id, "other-secret", public=False),
    }


def titles(state: RecordingLibraryState) -> set[str]:
    return {c.title for c in state.items}


def test_library_shows_what_the_viewer_may_see(session: Session, setup: dict[str, Any]) -> None:
    anon = sub(tree(), RecordingLibraryState)
    run(RecordingLibraryState.load.fn(anon))
    assert titles(anon) == {"open-one"}

    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, setup["talk"].id)
    library = sub(root, RecordingLibraryState)
    run(RecordingLibraryState.load.fn(library))
    assert titles(library) == {"open-one", "secret-one"}
    # A client may set any var; the user still comes from the token.
    sub(root, AuthState).user_id = setup["admin"].id
    sub(root, AuthState).is_admin = True
    run(RecordingLibraryState.set_search.fn(library, "SECRET"))
    assert titles(library) == {"secret-one"}
    run(RecordingLibraryState.set_search.fn(library, ""))
    run(RecordingLibraryState.set_webinar_filter.fn(library, str(setup["other"].id)))
    assert titles(library) == set()
    run(RecordingLibraryState.set_webinar_filter.fn(library, "'; drop table"))
    assert library.webinar_filter == "all" and titles(library) == {"open-one", "secret-one"}
    assert {c.label for c in library.webinar_choices} == {"Talk A"}


def test_from_my_webinars_view(session: Session, setup: dict[str, Any]) -> None:
    root, alice = signed_in_tree(session, "alice")
    library = sub(root, RecordingLibraryState)
    run(RecordingLibraryState.set_view.fn(library, MINE))
    assert library.view == MINE and titles(library) == set()
    registrations.register(session, alice, setup["talk"].id)
    run(RecordingLibraryState.load.fn(library))
    assert titles(library) == {"open-one", "secret-one"}

    anon = sub(tree(), RecordingLibraryState)
    events = run(RecordingLibraryState.set_view.fn(anon, MINE))
    assert anon.view == "all" and events != [None]


def test_player_uses_a_signed_url_and_records_the_view(session: Session, setup: dict[str, Any]) -> None:
    recording = stored(session, setup["admin"], setup["talk"].id)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, setup["talk"].id)
    at(root, routes.recording_url(recording.id))
    player = sub(root, RecordingPlayerState)
    run(RecordingPlayerState.load.fn(player))

    assert player.loaded and not player.not_found
    rec = player.recording
    assert rec.kind == "video" and rec.duration == "1 h 15 min" and rec.title == "Stored"
    parts = urlsplit(rec.src)
    assert parts.path == recordings.stream_path(recording.id)
    assert parse_qs(parts.query)["user"] == [str(alice.id)]
    assert player.stats == ""  # students see no funnel figures

    [view] = session.exec(select(RecordingView)).all()
    assert view.user_id == alice.id and view.recording_id == recording.id
    run(RecordingPlayerState.progress.fn(player, 3))
    run(RecordingPlayerState.progress.fn(player, 99_999))  # capped by the time the page was open
    run(RecordingPlayerState.progress.fn(player, "nonsense"))
    session.refresh(view)
    assert 3 <= view.seconds_watched <= recordings.VIEW_SLACK_SECONDS + 5


def test_player_refuses_private_recording_to_outsiders(session: Session, setup: dict[str, Any]) -> None:
    root, _ = signed_in_tree(session, "bob")
    at(root, routes.recording_url(setup["private"].id))
    player = sub(root, RecordingPlayerState)
    run(RecordingPlayerState.load.fn(player))
    assert player.not_found and player.recording.src == ""
    assert session.exec(select(RecordingView)).all() == []


def test_youtube_links_embed_and_others_are_plain_links(session: Session, setup: dict[str, Any]) -> None:
    admin = setup["admin"]
    yt = recordings.create_recording(
        session, admin, {"event": setup["talk"].id, "recording_link": "https://youtu.be/dQw4w9WgXcQ"}
    )
    root = tree()
    player = sub(root, RecordingPlayerState)
    at(root, routes.recording_url(yt.id))
    run(RecordingPlayerState.load.fn(player))
    assert player.recording.kind == "embed"
    assert player.recording.src == "https://www.youtube.com/embed/dQw4w9WgXcQ"
    at(root, routes.recording_url(setup["public"].id))
    run(RecordingPlayerState.load.fn(player))
    assert player.recording.kind == "link" and player.recording.src == "https://v.example/open-one"


def test_webinar_page_section_lists_visible_recordings(session: Session, setup: dict[str, Any]) -> None:
    root = tree()
    at(root, routes.webinar_url(setup["talk"].id))
    section = sub(root, WebinarRecordingsState)
    run(WebinarRecordingsState.load.fn(section))
    assert [c.title for c in section.items] == ["open-one"]
    assert section.items[0].href == routes.recording_url(setup["public"].id)


def test_add_link_is_for_admins_only(session: Session, setup: dict[str, Any]) -> None:
    root, _ = signed_in_tree(session, "alice")
    form = sub(root, RecordingAdminState)
    run(RecordingAdminState.load.fn(form))
    assert form.allowed is False and form.webinar_choices == []
    form.allowed = True  # a client flipping the flag gains nothing
    form.form = form.form | {"event": str(setup["talk"].id), "recording_link": "https://v.example/x"}
    run(RecordingAdminState.add_link.fn(form))
    assert len(session.exec(select(Recording)).all()) == 3


def test_admin_adds_a_link_with_inline_errors_first(session: Session) -> None:
    root, admin = signed_in_tree(session, "root", role="admin")
    talk = seed(session, admin, "Talk A")
    form = sub(root, RecordingAdminState)
    run(RecordingAdminState.load.fn(form))
    assert [c.label for c in form.webinar_choices] == ["Talk A"]
    RecordingAdminState.set_field.fn(form, "event", str(talk.id))
    RecordingAdminState.set_field.fn(form, "recording_link", "javascript:alert(1)")
    RecordingAdminState.set_field.fn(form, "nonsense", "x")
    run(RecordingAdminState.add_link.fn(form))
    assert form.form_errors == {"recording_link": "Enter a valid URL."}
    RecordingAdminState.set_field.fn(form, "recording_link", "https://vimeo.com/123456")
    RecordingAdminState.set_field.fn(form, "is_public", "false")
    run(RecordingAdminState.add_link.fn(form))
    [rec] = session.exec(select(Recording)).all()
    assert rec.recording_link == "https://vimeo.com/123456" and rec.is_public is False
    assert form.form["recording_link"] == "" and form.form["event"] == str(talk.id)


async def _chunks(data: bytes, filename: str = "../../x.mp4", size: int = 4000) -> AsyncIterator[UploadChunk]:
    for offset in range(0, len(data), size):
        yield UploadChunk(
            filename=filename, offset=offset, content_type="video/mp4", data=data[offset : offset + size]
        )


def test_ui_upload_streams_through_the_shared_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    result = asyncio.run(_receive(_chunks(mp4_bytes(30_000))))  # type: ignore[arg-type]
    assert result.size == 30_000 and result.content_type == "video/mp4"
    result.discard()
    assert stored_files() == []

    monkeypatch.setattr(get_settings(), "max_recording_bytes", 10_000)
    with pytest.raises(Invalid) as too_big:
        asyncio.run(_receive(_chunks(mp4_bytes(30_000))))  # type: ignore[arg-type]
    assert "too large" in too_big.value.errors["file"][0]
    assert stored_files() == []
    with pytest.raises(Invalid):
        asyncio.run(_receive(_chunks(b"plain text " * 800)))  # type: ignore[arg-type]
    assert stored_files() == []
