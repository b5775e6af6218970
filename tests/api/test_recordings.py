"""`/api/recordings/`: the visibility matrix, admin writes, streamed uploads, signed Range playback."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlmodel import Session, select

from tests.api.test_webinars import ADMIN_BODY, NO_CREDS, NOT_FOUND, new_webinar, png_bytes, register
from tests.conftest import auth_headers, make_user
from webinar_app.core.config import get_settings
from webinar_app.core.security import utcnow
from webinar_app.models import Notification, Recording, User
from webinar_app.services import recordings, uploads

RECORDING_KEYS = {
    "id",
    "event",
    "event_details",
    "recording_link",
    "title",
    "display_title",
    "description",
    "duration_minutes",
    "uploaded_by",
    "uploaded_by_username",
    "uploaded_at",
    "is_public",
}
STORED = re.compile(r"^[0-9a-f]{32}\.(mp4|mov|webm|mkv|ogv|ts)$")


def mp4_bytes(size: int = 20_000) -> bytes:
    """A minimal ISO-BMFF header (`ftyp` box, brand isom) and a byte pattern to check ranges."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + bytes(i % 251 for i in range(size - len(head)))


def recordings_dir() -> Path:
    return get_settings().recordings_dir


def stored_files() -> list[str]:
    """Everything in RECORDINGS_DIR, temp files and subfolders included."""
    root = recordings_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.fixture(autouse=True)
def _empty_recordings_dir() -> None:
    for path in stored_files():
        (recordings_dir() / path).unlink()


@pytest.fixture
def world(client: Any, session: Session, admin: Any, admin_headers: dict[str, str]) -> dict[str, Any]:
    """A full webinar (capacity 1): alice confirmed, carol waitlisted, bob not registered;
    a second webinar nobody registered for; public and private recordings of both."""
    make_user(session, "alice")
    make_user(session, "bob")
    make_user(session, "carol")
    heads = {name: auth_headers(client, name) for name in ("alice", "bob", "carol")}
    full = new_webinar(client, admin_headers, title="Full Talk", capacity=1, when=timedelta(days=1))
    other = new_webinar(client, admin_headers, title="Other Talk", when=timedelta(days=2))
    register(client, heads["alice"], full["id"])
    assert register(client, heads["carol"], full["id"])["status"] == "waitlisted"

    def add(event: int, public: bool, title: str) -> int:
        body = {
            "event": event,
            "recording_link": f"https://v.example/{title}",
            "title": title,
            "is_public": public,
        }
        response = client.post("/api/recordings/", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    ids = {
        "full_public": add(full["id"], True, "full-public"),
        "full_private": add(full["id"], False, "full-private"),
        "other_public": add(other["id"], True, "other-public"),
        "other_private": add(other["id"], False, "other-private"),
    }
    return {
        "headers": {**heads, "admin": admin_headers, "anon": {}},
        "full": full,
        "other": other,
        "ids": ids,
    }


def upload(
    client: Any,
    headers: dict[str, str],
    event: int,
    content: bytes,
    *,
    filename: str = "talk.mp4",
    content_type: str = "video/mp4",
    **fields: Any,
) -> Any:
    data = {"event": str(event), **{k: str(v) for k, v in fields.items()}}
    return client.post(
        "/api/recordings/", data=data, files={"file": (filename, content, content_type)}, headers=headers
    )


# ------------------------------------------------------------------ visibility matrix

VISIBLE = {
    "anon": {"full_public", "other_public"},
    "alice": {"full_public", "full_private", "other_public"},  # confirmed registrant of "full"
    "carol": {"full_public", "other_public"},  # waitlisted: not a registrant
    "bob": {"full_public", "other_public"},
    "admin": {"full_public", "full_private", "other_public", "other_private"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_visibility_matrix_over_list_and_detail(client: Any, world: dict[str, Any], who: str) -> None:
    headers, ids = world["headers"][who], world["ids"]
    listed = client.get("/api/recordings/", headers=headers)
    assert listed.status_code == 200
    assert {item["id"] for item in listed.json()} == {ids[k] for k in VISIBLE[who]}
    assert listed.headers["X-Total-Count"] == str(len(VISIBLE[who]))
    for key, recording_id in ids.items():
        detail = client.get(f"/api/recordings/{recording_id}/", headers=headers)
        if key in VISIBLE[who]:
            assert detail.status_code == 200 and detail.json()["id"] == recording_id
        else:
            assert detail.status_code == 404 and detail.json() == NOT_FOUND


def test_public_and_event_recordings_lists(client: Any, world: dict[str, Any]) -> None:
    ids, heads = world["ids"], world["headers"]
    public = {r["id"] for r in client.get("/api/recordings/public/").json()}
    assert public == {ids["full_public"], ids["other_public"]}
    assert {r["id"] for r in client.get("/api/recordings/public/", headers=heads["admin"]).json()} == public

    mine = client.get("/api/recordings/event_recordings/", headers=heads["alice"])
    assert {r["id"] for r in mine.json()} == {ids["full_public"], ids["full_private"]}
    assert client.get("/api/recordings/event_recordings/", headers=heads["carol"]).json() == []
    assert client.get("/api/recordings/event_recordings/", headers=heads["bob"]).json() == []
    anon = client.get("/api/recordings/event_recordings/")
    assert anon.status_code == 401 and anon.json() == NO_CREDS


def test_filter_by_event_and_search(client: Any, world: dict[str, Any]) -> None:
    ids, admin = world["ids"], world["headers"]["admin"]
    by_event = client.get(f"/api/recordings/?event={world['other']['id']}", headers=admin).json()
    assert {r["id"] for r in by_event} == {ids["other_public"], ids["other_private"]}
    found = client.get("/api/recordings/?search=FULL-PRIV", headers=admin).json()
    assert [r["id"] for r in found] == [ids["full_private"]]
    # the webinar's title matches too, and `%` is literal
    assert len(client.get("/api/recordings/?search=other talk", headers=admin).json()) == 2
    assert client.get("/api/recordings/?search=%25", headers=admin).json() == []


def test_organizer_sees_private_recordings_of_own_webinar(
    client: Any, session: Session, admin_headers: dict[str, str]
) -> None:
    host = make_user(session, "hosty")
    talk = new_webinar(client, admin_headers, title="Hosted", organizer=host.id)
    body = {"event": talk["id"], "recording_link": "https://v.example/h", "is_public": False}
    created = client.post("/api/recordings/", json=body, headers=admin_headers).json()
    heads = auth_headers(client, "hosty")
    assert client.get(f"/api/recordings/{created['id']}/", headers=heads).status_code == 200


# ------------------------------------------------------------------ shapes and admin writes


def test_create_link_recording_shape(client: Any, admin: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers, title="Past Talk 2")
    response = client.post(
        "/api/recordings/",
        json={"event": talk["id"], "recording_link": "https://v.example/1"},
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= RECORDING_KEYS and isinstance(body["id"], int)
    assert body["event"] == talk["id"] and body["event_details"]["id"] == talk["id"]
    assert body["recording_link"] == "https://v.example/1"
    assert body["title"] == "" and body["display_title"] == "Recording: Past Talk 2"
    assert body["description"] == "" and body["duration_minutes"] is None and body["is_public"] is True
    assert body["uploaded_by"] == admin.id and body["uploaded_by_username"] == "root"
    assert body["uploaded_at"].endswith("Z") and body["source"] == "link"


def test_create_validation_and_permissions(
    client: Any, admin_headers: dict[str, str], student_headers: dict[str, str]
) -> None:
    talk = new_webinar(client, admin_headers)
    ok = {"event": talk["id"], "recording_link": "https://v.example/1"}
    assert client.post("/api/recordings/", json=ok, headers=student_headers).json() == ADMIN_BODY
    assert client.post("/api/recordings/", json=ok).status_code == 401
    for bad in ("not a url", "javascript:alert(1)", "ftp://x.example/v.mp4", "https://"):
        response = client.post("/api/recordings/", json={**ok, "recording_link": bad}, headers=admin_headers)
        assert response.status_code == 400 and response.json() == {"recording_link": ["Enter a valid URL."]}
    missing = client.post("/api/recordings/", json={}, headers=admin_headers)
    assert missing.status_code == 400
    assert missing.json() == {
        "event": ["This field is required."],
        "recording_link": ["This field is required."],
    }
    unknown = client.post("/api/recordings/", json={**ok, "event": 99999}, headers=admin_headers)
    assert unknown.json() == {"event": ['Invalid pk "99999" - object does not exist.']}
    bad_minutes = client.post("/api/recordings/", json={**ok, "duration_minutes": -3}, headers=admin_headers)
    assert bad_minutes.json() == {"duration_minutes": ["Ensure this value is greater than or equal to 0."]}
    form = client.post(
        "/api/recordings/",
        data={**ok, "is_public": "false", "duration_minutes": "42"},
        headers=admin_headers,
    )
    assert (
        form.status_code == 201
        and form.json()["is_public"] is False
        and form.json()["duration_minutes"] == 42
    )


def test_update_and_delete_are_admin_only(client: Any, world: dict[str, Any]) -> None:
    heads, rid = world["headers"], world["ids"]["full_public"]
    assert (
        client.patch(f"/api/recordings/{rid}/", json={"title": "x"}, headers=heads["alice"]).status_code
        == 403
    )
    assert client.delete(f"/api/recordings/{rid}/", headers=heads["alice"]).status_code == 403
    patched = client.patch(
        f"/api/recordings/{rid}/", json={"title": "Renamed", "is_public": False}, headers=heads["admin"]
    )
    assert patched.status_code == 200 and patched.json()["display_title"] == "Renamed"
    assert client.get(f"/api/recordings/{rid}/", headers=heads["bob"]).status_code == 404
    put = client.put(f"/api/recordings/{rid}/", json={"title": "Only title"}, headers=heads["admin"])
    assert put.status_code == 400 and "event" in put.json()
    assert client.delete(f"/api/recordings/{rid}/", headers=heads["admin"]).status_code == 204
    assert client.get(f"/api/recordings/{rid}/", headers=heads["admin"]).status_code == 404


def test_new_recording_notifies_confirmed_registrants_only(
    client: Any, session: Session, world: dict[str, Any]
) -> None:
    rows = list(session.exec(select(Notification).where(Notification.notification_type == "new_recording")))
    by_user = {(n.user_id, n.recording_id) for n in rows}
    alice = auth_headers(client, "alice")
    alice_id = client.get("/api/accounts/users/me/", headers=alice).json()["id"]
    full_ids = {world["ids"]["full_public"], world["ids"]["full_private"]}
    assert by_user == {(alice_id, rid) for rid in full_ids}  # not carol (waitlisted), bob or the admin
    listed = [
        n
        for n in client.get("/api/communications/notifications/", headers=alice).json()
        if n["notification_type"] == "new_recording"
    ]
    assert {n["recording"] for n in listed} == full_ids
    assert all(n["notification_type_display"] == "New Recording" for n in listed)
    assert all(n["title"].startswith("New Recording: ") for n in listed)


# ------------------------------------------------------------------ uploads


def test_upload_valid_mp4_is_stored_under_a_random_name_and_streams(
    client: Any, admin_headers: dict[str, str]
) -> None:
    talk = new_webinar(client, admin_headers)
    content = mp4_bytes()
    response = upload(client, admin_headers, talk["id"], content, title="Replay", duration_minutes=55)
    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body["id"], int) and body["source"] == "file"
    assert body["content_type"] == "video/mp4" and body["file_size"] == len(content)
    assert body["duration_minutes"] == 55
    [name] = stored_files()
    assert STORED.match(name)
    assert (recordings_dir() / name).read_bytes() == content
    link = urlsplit(body["recording_link"])
    assert link.path == f"/api/recordings/{body['id']}/stream/"
    streamed = client.get(body["recording_link"])
    assert streamed.status_code == 200 and streamed.content == content
    assert streamed.headers["accept-ranges"] == "bytes" and streamed.headers["content-type"] == "video/mp4"


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("video.mp4", None),  # a PNG renamed
        ("notes.mp4", b"just some text, not a video at all\n" * 200),
        ("tiny.mp4", b"hi"),
        ("audio.ogg", b"OggS" + b"\x00" * 24 + b"\x01vorbis" + b"\x00" * 5000),
        ("photo.mp4", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 5000),
    ],
)
def test_upload_that_is_not_video_is_refused_and_leaves_nothing(
    client: Any, admin_headers: dict[str, str], filename: str, content: bytes | None
) -> None:
    talk = new_webinar(client, admin_headers)
    response = upload(client, admin_headers, talk["id"], content or png_bytes((300, 300)), filename=filename)
    assert response.status_code == 400
    assert response.json() == {"file": [uploads.NOT_VIDEO]}
    assert stored_files() == []
    assert client.get("/api/recordings/", headers=admin_headers).json() == []


def test_empty_file_is_refused(client: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers)
    response = upload(client, admin_headers, talk["id"], b"")
    assert response.status_code == 400 and response.json() == {"file": [uploads.EMPTY]}
    assert stored_files() == []


def test_oversize_upload_is_refused_while_streaming_and_leaves_nothing(
    client: Any, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    talk = new_webinar(client, admin_headers)
    monkeypatch.setattr(get_settings(), "max_recording_bytes", 10_000)
    response = upload(client, admin_headers, talk["id"], mp4_bytes(50_000))
    assert response.status_code == 413
    assert response.json() == {"file": ["The file is too large (max 9.8 KiB)."]}
    assert stored_files() == []
    # Exactly at the limit is fine.
    assert upload(client, admin_headers, talk["id"], mp4_bytes(10_000)).status_code == 201


def test_declared_content_length_over_the_limit_is_refused_before_reading(
    client: Any, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    talk = new_webinar(client, admin_headers)
    monkeypatch.setattr(get_settings(), "max_recording_bytes", 1024)
    response = upload(client, admin_headers, talk["id"], mp4_bytes(3 * 1024 * 1024))
    assert response.status_code == 413 and response.json() == {"file": ["The file is too large (max 1 KiB)."]}
    assert stored_files() == []


@pytest.mark.parametrize("filename", ["../../evil.mp4", "/etc/passwd", "..\\..\\evil.mp4", "a/../../b.mp4"])
def test_path_tricks_in_the_filename_never_reach_the_disk(
    client: Any, admin_headers: dict[str, str], filename: str
) -> None:
    talk = new_webinar(client, admin_headers)
    response = upload(client, admin_headers, talk["id"], mp4_bytes(), filename=filename)
    assert response.status_code == 201, response.text
    [name] = stored_files()
    assert STORED.match(name)
    root = recordings_dir()
    assert not (root.parent / "evil.mp4").exists() and not (root.parent.parent / "evil.mp4").exists()
    assert not (root.parent / "b.mp4").exists()


def test_upload_with_invalid_fields_or_by_a_student_leaves_nothing(
    client: Any, admin_headers: dict[str, str], student_headers: dict[str, str]
) -> None:
    talk = new_webinar(client, admin_headers)
    bad_event = upload(client, admin_headers, 99999, mp4_bytes())
    assert bad_event.status_code == 400 and "event" in bad_event.json()
    assert stored_files() == []
    both = upload(client, admin_headers, talk["id"], mp4_bytes(), recording_link="https://v.example/x")
    assert both.status_code == 400 and "recording_link" in both.json()
    assert stored_files() == []
    student = upload(client, student_headers, talk["id"], mp4_bytes())
    assert student.status_code == 403 and student.json() == ADMIN_BODY
    assert stored_files() == []


def test_webm_and_mpeg_ts_are_recognised(client: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers)
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 6000
    ts = b"".join(b"\x47" + bytes([i % 256]) * 187 for i in range(40))
    assert (
        upload(client, admin_headers, talk["id"], webm, filename="a.bin").json()["content_type"]
        == "video/webm"
    )
    assert upload(client, admin_headers, talk["id"], ts, filename="b").json()["content_type"] == "video/mp2t"
    assert sorted(Path(n).suffix for n in stored_files()) == [".ts", ".webm"]


def test_deleting_a_file_recording_removes_the_file(client: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers)
    created = upload(client, admin_headers, talk["id"], mp4_bytes()).json()
    assert len(stored_files()) == 1
    assert client.delete(f"/api/recordings/{created['id']}/", headers=admin_headers).status_code == 204
    assert stored_files() == []


def test_put_echoing_the_signed_link_keeps_the_file(client: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers)
    created = upload(client, admin_headers, talk["id"], mp4_bytes()).json()
    echoed = {k: created[k] for k in ("event", "recording_link", "title", "description", "is_public")}
    put = client.put(
        f"/api/recordings/{created['id']}/", json={**echoed, "title": "New"}, headers=admin_headers
    )
    assert put.status_code == 200 and put.json()["source"] == "file" and put.json()["title"] == "New"
    assert len(stored_files()) == 1
    relinked = client.patch(
        f"/api/recordings/{created['id']}/",
        json={"recording_link": "https://v.example/yt"},
        headers=admin_headers,
    )
    assert relinked.json()["source"] == "link" and stored_files() == []


# ------------------------------------------------------------------ signed stream route


@pytest.fixture
def private_file(client: Any, world: dict[str, Any]) -> dict[str, Any]:
    content = mp4_bytes(30_000)
    created = upload(client, world["headers"]["admin"], world["full"]["id"], content, is_public="false")
    assert created.status_code == 201, created.text
    return {"id": created.json()["id"], "content": content}


def link_for(client: Any, headers: dict[str, str], recording_id: int) -> str:
    response = client.get(f"/api/recordings/{recording_id}/", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["recording_link"])


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(query)}"


def test_file_route_visibility_and_signatures(
    client: Any, session: Session, world: dict[str, Any], private_file: dict[str, Any]
) -> None:
    heads, rid = world["headers"], private_file["id"]
    alice_link = link_for(client, heads["alice"], rid)
    assert client.get(alice_link).content == private_file["content"]
    admin_link = link_for(client, heads["admin"], rid)
    assert client.get(admin_link).status_code == 200
    for who in ("bob", "carol", "anon"):
        assert client.get(f"/api/recordings/{rid}/", headers=heads[who]).status_code == 404

    bob_id = client.get("/api/accounts/users/me/", headers=heads["bob"]).json()["id"]
    for label, url in {
        "another user": with_query(alice_link, user=str(bob_id)),
        "anonymous": with_query(alice_link, user="0"),
        "altered sig": with_query(alice_link, sig="0" * 64),
        "altered expiry": with_query(
            alice_link, expires=str(int(parse_qs(urlsplit(alice_link).query)["expires"][0]) + 300)
        ),
        "no sig": urlsplit(alice_link).path,
    }.items():
        refused = client.get(url)
        assert refused.status_code == 403, label
        assert refused.json() == {"detail": "Invalid signature."}, label

    recording = session.get(Recording, rid)
    assert recording is not None
    past = utcnow() - timedelta(seconds=get_settings().signed_url_seconds + 3600)
    alice = client.get("/api/accounts/users/me/", headers=heads["alice"]).json()
    alice_user = session.get(User, alice["id"])
    expired = recordings.signed_stream_url(recording, alice_user, "http://testserver", now=past)
    response = client.get(expired)
    assert response.status_code == 403 and response.json() == {"detail": "This link has expired."}


def test_signed_url_stops_working_when_access_is_lost(
    client: Any, world: dict[str, Any], private_file: dict[str, Any]
) -> None:
    heads, rid = world["headers"], private_file["id"]
    alice_link = link_for(client, heads["alice"], rid)
    [mine] = client.get("/api/registrations/my_registrations/", headers=heads["alice"]).json()
    assert (
        client.delete(f"/api/registrations/{mine['id']}/unregister/", headers=heads["alice"]).status_code
        == 204
    )
    refused = client.get(alice_link)
    assert refused.status_code == 403 and refused.json() == {"detail": "You may not watch this recording."}


def test_public_file_plays_for_anonymous_viewers(client: Any, admin_headers: dict[str, str]) -> None:
    talk = new_webinar(client, admin_headers)
    content = mp4_bytes()
    rid = upload(client, admin_headers, talk["id"], content).json()["id"]
    link = link_for(client, {}, rid)
    assert parse_qs(urlsplit(link).query)["user"] == ["0"]
    assert client.get(link).content == content
    assert client.head(link).status_code == 200


def test_range_requests(client: Any, world: dict[str, Any], private_file: dict[str, Any]) -> None:
    link = link_for(client, world["headers"]["alice"], private_file["id"])
    content: bytes = private_file["content"]
    size = len(content)

    def get_range(value: str) -> Any:
        return client.get(link, headers={"Range": value})

    first = get_range("bytes=0-99")
    assert first.status_code == 206 and first.content == content[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{size}" and first.headers["content-length"] == "100"
    middle = get_range("bytes=1000-1999")
    assert middle.status_code == 206 and middle.content == content[1000:2000]
    assert middle.headers["content-range"] == f"bytes 1000-1999/{size}"
    suffix = get_range("bytes=-100")
    assert suffix.status_code == 206 and suffix.content == content[-100:]
    assert suffix.headers["content-range"] == f"bytes {size - 100}-{size - 1}/{size}"
    open_ended = get_range(f"bytes={size - 10}-")
    assert open_ended.status_code == 206 and open_ended.content == content[-10:]
    beyond = get_range(f"bytes={size}-{size + 100}")
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    assert get_range(f"bytes={size + 5}-").status_code == 416
