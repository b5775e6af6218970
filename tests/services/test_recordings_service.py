"""services.uploads and services.recordings without HTTP: sniffing, the streaming writer,
signatures, the visibility rule (waitlisted is not registered), view accounting, cleanup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.api.test_recordings import mp4_bytes, stored_files
from tests.conftest import make_user
from tests.state.test_webinar_states import seed
from webinar_app.core.config import get_settings
from webinar_app.core.security import utcnow
from webinar_app.models import Notification, Recording, RecordingView
from webinar_app.services import recordings, registrations, uploads
from webinar_app.services.errors import Invalid, NotFound, PermissionDenied, TooLarge
from webinar_app.services.uploads import RecordingUpload, sniff_video


@pytest.fixture(autouse=True)
def _empty_recordings_dir() -> None:
    root = get_settings().recordings_dir
    for name in stored_files():
        (root / name).unlink()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
        (b"\x00\x00\x00\x08moov" + b"\x00" * 8, "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x80theora", "video/ogg"),
        (b"".join(b"\x47" + b"\x00" * 187 for _ in range(5)), "video/mp2t"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis", None),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", None),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, None),
        (b"\x47" + b"\x00" * 200, None),  # one sync byte is not a transport stream
        (b"", None),
    ],
)
def test_sniff_video_by_magic_bytes(head: bytes, expected: str | None) -> None:
    kind = sniff_video(head)
    assert (kind.content_type if kind else None) == expected


def test_writer_refuses_early_and_cleans_up() -> None:
    upload = RecordingUpload(max_bytes=10_000)
    upload.write(mp4_bytes(8_000))
    assert len(stored_files()) == 1 and stored_files()[0].endswith(uploads.TEMP_SUFFIX)
    with pytest.raises(TooLarge):
        upload.write(b"\x00" * 5_000)  # refused on the chunk that crosses the limit
    assert stored_files() == []

    text = RecordingUpload()
    with pytest.raises(Invalid) as wrong:
        text.write(b"not a video " * 1000)  # refused once the sniff window is full, mid-stream
    assert wrong.value.errors == {"file": [uploads.NOT_VIDEO]}
    assert stored_files() == []


def test_writer_context_manager_removes_the_temp_file_on_any_error() -> None:
    with pytest.raises(RuntimeError), RecordingUpload() as upload:
        upload.write(mp4_bytes())
        raise RuntimeError("client went away")
    assert stored_files() == []


def test_finished_file_is_placed_atomically_under_a_random_name(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    talk = seed(session, admin)
    upload = RecordingUpload()
    upload.write(mp4_bytes())
    done = upload.finish()
    assert stored_files() == [done.temp_path.name]
    recording = recordings.create_recording(session, admin, {"event": talk.id}, stored=done)
    assert stored_files() == [recording.file_name]
    assert uploads.resolve_stored(recording.file_name) is not None
    assert uploads.resolve_stored("../webinar.db") is None and uploads.resolve_stored("/etc/passwd") is None


def test_create_failure_discards_the_upload(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    student = make_user(session, "alice")
    talk = seed(session, admin)
    for actor, data in ((admin, {"event": 424242}), (student, {"event": talk.id})):
        upload = RecordingUpload()
        upload.write(mp4_bytes())
        with pytest.raises((Invalid, PermissionDenied)):
            recordings.create_recording(session, actor, data, stored=upload.finish())
        assert stored_files() == []


def test_waitlisted_user_does_not_see_private_recordings(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    alice, carol = make_user(session, "alice"), make_user(session, "carol")
    talk = seed(session, admin, capacity=1)
    registrations.register(session, alice, talk.id)
    registrations.register(session, carol, talk.id)
    private = recordings.create_recording(
        session, admin, {"event": talk.id, "recording_link": "https://v.example/p", "is_public": False}
    )
    assert recordings.can_view(session, alice, private)
    assert not recordings.can_view(session, carol, private)
    with pytest.raises(NotFound):
        recordings.get_recording(session, carol, private.id)  # type: ignore[arg-type]
    # Alice leaves: carol is promoted and now sees it.
    mine = registrations.my_status_for(session, alice, talk.id)
    assert mine is not None and mine.id is not None
    registrations.unregister(session, alice, mine.id)
    assert recordings.can_view(session, carol, private) and not recordings.can_view(session, alice, private)


def test_signed_url_checks(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    alice = make_user(session, "alice")
    talk = seed(session, admin)
    upload = RecordingUpload()
    upload.write(mp4_bytes())
    rec = recordings.create_recording(session, admin, {"event": talk.id}, stored=upload.finish())
    assert rec.id is not None
    params = recordings.sign_stream(rec, alice)
    target = recordings.open_stream(session, rec.id, **params)
    assert target.content_type == "video/mp4" and target.path.name == rec.file_name
    assert int(params["expires"]) % recordings.EXPIRY_GRID_SECONDS == 0
    # Same URL when re-rendered a moment later (the <video> does not reload).
    assert recordings.sign_stream(rec, alice) == params

    with pytest.raises(PermissionDenied, match="Invalid signature"):
        recordings.open_stream(session, rec.id, **(params | {"user": "0"}))
    with pytest.raises(PermissionDenied, match="expired"):
        recordings.open_stream(session, rec.id, **params, now=utcnow() + timedelta(days=1))
    alice.is_active = False
    session.add(alice)
    session.commit()
    with pytest.raises(PermissionDenied, match="no longer valid"):
        recordings.open_stream(session, rec.id, **params)


def test_views_only_grow_and_stay_within_the_open_time(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    talk = seed(session, admin)
    rec = recordings.create_recording(
        session, admin, {"event": talk.id, "recording_link": "https://v.example/1"}
    )
    assert rec.id is not None
    view = recordings.start_view(session, alice, rec.id)
    assert view.id is not None
    recordings.record_progress(session, alice, view.id, 4)
    recordings.record_progress(session, alice, view.id, 2)  # never shrinks
    assert session.get(RecordingView, view.id).seconds_watched == 4  # type: ignore[union-attr]
    view.started_at = utcnow() - timedelta(minutes=30)
    session.add(view)
    session.commit()
    recordings.record_progress(session, alice, view.id, 10 * 3600)
    assert 1790 <= session.get(RecordingView, view.id).seconds_watched <= 1815  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        recordings.record_progress(session, bob, view.id, 5)  # someone else's view
    recordings.start_view(session, None, rec.id)
    stats = recordings.view_stats(session, admin, rec.id)
    assert stats.views == 2 and stats.viewers == 1 and stats.seconds >= 1790
    with pytest.raises(PermissionDenied):
        recordings.view_stats(session, alice, rec.id)


def test_delete_clears_notification_links(session: Session) -> None:
    admin = make_user(session, "root", role="admin")
    alice = make_user(session, "alice")
    talk = seed(session, admin)
    registrations.register(session, alice, talk.id)
    rec = recordings.create_recording(
        session, admin, {"event": talk.id, "recording_link": "https://v.example/1"}
    )
    [note] = session.exec(select(Notification).where(Notification.notification_type == "new_recording")).all()
    assert note.user_id == alice.id and note.recording_id == rec.id
    assert note.title == f"New Recording: Recording: {talk.title}"
    recordings.delete_recording(session, admin, rec.id)  # type: ignore[arg-type]
    session.refresh(note)
    assert note.recording_id is None and session.exec(select(Recording)).all() == []
