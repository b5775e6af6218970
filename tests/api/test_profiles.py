"""`/api/accounts/profiles/...`: the admin list, my profile, self-or-admin records."""

from __future__ import annotations

import io
from urllib.parse import urlparse

from PIL import Image

from webinar_app.models import User

PROFILES = "/api/accounts/profiles/"
NOT_FOUND = {"detail": "Not found."}
ADMIN_REQUIRED = {"detail": "You do not have permission to perform this action. Admin access required."}
PROFILE_KEYS = {"id", "role", "profile_picture", "profile_picture_url", "created_at", "updated_at"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 300), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


def test_admin_lists_profiles(client, admin, student, other_student, admin_headers):
    response = client.get(PROFILES, headers=admin_headers)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert sorted(p["id"] for p in body) == sorted([admin.id, student.id, other_student.id])
    for profile in body:
        assert set(profile) >= PROFILE_KEYS
        assert profile["created_at"].endswith("Z")
    assert {p["id"]: p["role"] for p in body}[admin.id] == "admin"


def test_student_cannot_list_profiles(client, student_headers):
    response = client.get(PROFILES, headers=student_headers)
    assert response.status_code == 403
    assert response.json() == ADMIN_REQUIRED


def test_anonymous_cannot_list_profiles(client):
    response = client.get(PROFILES)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_my_profile(client, student, student_headers):
    response = client.get(f"{PROFILES}me/", headers=student_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= PROFILE_KEYS
    assert body["id"] == student.id
    assert body["role"] == "student"
    assert body["profile_picture"] is None
    assert client.get(f"{PROFILES}me/").status_code == 401


def test_read_own_profile_by_id(client, student, student_headers):
    response = client.get(f"{PROFILES}{student.id}/", headers=student_headers)
    assert response.status_code == 200
    assert response.json()["id"] == student.id


def test_other_profile_is_not_visible(client, other_student, student_headers):
    response = client.get(f"{PROFILES}{other_student.id}/", headers=student_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    patch = client.patch(
        f"{PROFILES}{other_student.id}/", json={"timezone": "Europe/Paris"}, headers=student_headers
    )
    assert patch.status_code == 404
    assert patch.json() == NOT_FOUND


def test_admin_reads_any_profile(client, student, admin_headers):
    response = client.get(f"{PROFILES}{student.id}/", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["role"] == "student"


def test_unknown_and_non_integer_profile(client, admin_headers):
    assert client.get(f"{PROFILES}424242/", headers=admin_headers).json() == NOT_FOUND
    response = client.get(f"{PROFILES}abc/", headers=admin_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_student_cannot_raise_own_role_via_profile(client, session, student, student_headers):
    response = client.patch(f"{PROFILES}{student.id}/", json={"role": "admin"}, headers=student_headers)
    assert response.status_code == 403
    put = client.put(f"{PROFILES}{student.id}/", json={"role": "admin"}, headers=student_headers)
    assert put.status_code == 403
    form = client.patch(f"{PROFILES}{student.id}/", data={"role": "admin"}, headers=student_headers)
    assert form.status_code == 403
    session.expire_all()
    assert session.get(User, student.id).role == "student"
    assert client.get("/api/accounts/users/", headers=student_headers).status_code == 403


def test_admin_cannot_change_role_via_profile_patch(client, session, student, admin_headers):
    response = client.patch(f"{PROFILES}{student.id}/", json={"role": "admin"}, headers=admin_headers)
    assert response.status_code == 403
    session.expire_all()
    assert session.get(User, student.id).role == "student"


def test_patch_profile_with_same_role_and_unknown_keys(client, student, student_headers):
    response = client.patch(
        f"{PROFILES}{student.id}/", json={"role": "student", "whatever": 1}, headers=student_headers
    )
    assert response.status_code == 200
    assert response.json()["role"] == "student"


def test_patch_profile_timezone(client, student, student_headers):
    response = client.patch(
        f"{PROFILES}{student.id}/", json={"timezone": "Europe/Paris"}, headers=student_headers
    )
    assert response.status_code == 200
    me = client.get("/api/accounts/users/me/", headers=student_headers).json()
    assert me["timezone"] == "Europe/Paris"
    bad = client.patch(f"{PROFILES}{student.id}/", json={"timezone": "Mars/Olympus"}, headers=student_headers)
    assert bad.status_code == 400
    assert list(bad.json()) == ["timezone"]


def test_patch_profile_picture_multipart(client, student, student_headers):
    response = client.patch(
        f"{PROFILES}{student.id}/",
        files={"profile_picture": ("me.png", _png(), "image/png")},
        headers=student_headers,
    )
    assert response.status_code == 200, response.text
    url = response.json()["profile_picture_url"]
    assert url.startswith("http://testserver/media/profile_pictures/")
    assert response.json()["profile_picture"] == url
    assert client.get(urlparse(url).path).status_code == 200


def test_patch_profile_picture_not_an_image(client, student, student_headers):
    response = client.patch(
        f"{PROFILES}{student.id}/",
        files={"profile_picture": ("me.png", b"hello world", "image/png")},
        headers=student_headers,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["profile_picture"]
