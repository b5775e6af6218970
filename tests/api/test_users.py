"""`/api/accounts/users/...`: me, the admin list, self-or-admin records, roles, pictures."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import jwt
import pytest
from PIL import Image

from tests.conftest import auth_headers, make_user
from webinar_app.core.security import encode_token
from webinar_app.models import User

ME = "/api/accounts/users/me/"
USERS = "/api/accounts/users/"

NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
ADMIN_REQUIRED = {"detail": "You do not have permission to perform this action. Admin access required."}
NOT_FOUND = {"detail": "Not found."}
BAD_BEARER = {
    "detail": "Given token not valid for any token type",
    "code": "token_not_valid",
    "messages": [{"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid"}],
}
USER_KEYS = {
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "profile",
    "role",
    "profile_picture_url",
    "is_staff",
    "is_superuser",
}
PROFILE_KEYS = {"id", "role", "profile_picture", "profile_picture_url", "created_at", "updated_at"}
LIST_KEYS = {
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "profile_picture_url",
    "profile",
    "is_active",
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _png(size=(800, 600), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 30, 255) if mode == "RGBA" else (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def _jpeg(size=(1024, 2048)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 30)).save(out, format="JPEG")
    return out.getvalue()


# ------------------------------------------------------------------ users/me


def test_me_shape(client, student, student_headers):
    response = client.get(ME, headers=student_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= USER_KEYS
    assert set(body["profile"]) >= PROFILE_KEYS
    assert body["id"] == student.id
    assert body["profile_picture_url"] is None
    assert body["profile"]["profile_picture"] is None
    assert body["profile"]["created_at"].endswith("Z")
    assert body["profile"]["updated_at"].endswith("Z")


def test_me_admin_is_staff(client, admin_headers):
    body = client.get(ME, headers=admin_headers).json()
    assert body["role"] == "admin"
    assert body["is_staff"] is True
    assert body["is_superuser"] is True


def test_me_is_not_rate_limited(client, student_headers):
    for _ in range(60):
        assert client.get(ME, headers=student_headers).status_code == 200


def test_patch_me_flat(client, student_headers):
    response = client.patch(
        ME,
        json={"first_name": "Alice", "last_name": "Liddell", "email": "new@example.com"},
        headers=student_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["last_name"], body["email"]) == ("Alice", "Liddell", "new@example.com")
    assert client.get(ME, headers=student_headers).json()["email"] == "new@example.com"
    assert (
        client.post(
            "/api/accounts/auth/login/", json={"username": "new@example.com", "password": "correct-horse-1"}
        ).status_code
        == 200
    )


def test_patch_me_nested_under_user_info(client, student_headers):
    response = client.patch(
        ME, json={"user_info": {"first_name": "Nested", "last_name": "Name"}}, headers=student_headers
    )
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Nested", "Name")


def test_patch_me_ignores_unknown_keys_and_same_role(client, student_headers):
    current = client.get(ME, headers=student_headers).json()
    current["first_name"] = "Echo"
    current["favourite_colour"] = "green"
    current["is_staff"] = True
    current["is_superuser"] = True
    response = client.patch(ME, json=current, headers=student_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == "Echo"
    assert body["is_staff"] is False
    assert body["is_superuser"] is False
    assert body["role"] == "student"
    assert "favourite_colour" not in body


def test_patch_me_role_is_refused(client, session, student, student_headers):
    response = client.patch(ME, json={"role": "admin", "first_name": "Sneaky"}, headers=student_headers)
    assert response.status_code == 403
    assert "detail" in response.json()
    session.expire_all()
    fresh = session.get(User, student.id)
    assert fresh.role == "student"
    assert fresh.first_name == ""


def test_patch_me_role_nested_is_refused(client, student_headers):
    response = client.patch(ME, json={"user_info": {"role": "admin"}}, headers=student_headers)
    assert response.status_code == 403
    assert client.get(ME, headers=student_headers).json()["role"] == "student"


def test_patch_me_duplicate_email(client, student_headers, other_student):
    response = client.patch(ME, json={"email": "BOB@example.com"}, headers=student_headers)
    assert response.status_code == 400
    assert response.json() == {"email": ["A user with this email already exists."]}


def test_patch_me_invalid_email_and_wrong_type(client, student_headers):
    bad = client.patch(ME, json={"email": "nope"}, headers=student_headers)
    assert bad.status_code == 400
    assert bad.json() == {"email": ["Enter a valid email address."]}
    wrong_type = client.patch(ME, json={"first_name": 12}, headers=student_headers)
    assert wrong_type.status_code == 400
    assert list(wrong_type.json()) == ["first_name"]


def test_patch_me_own_email_with_other_case_is_allowed(client, student_headers):
    response = client.patch(ME, json={"email": "alice@example.com"}, headers=student_headers)
    assert response.status_code == 200


def test_patch_me_form_encoded(client, student_headers):
    response = client.patch(ME, data={"first_name": "Form"}, headers=student_headers)
    assert response.status_code == 200
    assert response.json()["first_name"] == "Form"


def test_me_requires_auth(client):
    assert client.get(ME).json() == NO_CREDENTIALS
    assert client.get(ME).status_code == 401
    assert client.patch(ME, json={"first_name": "x"}).status_code == 401


# ------------------------------------------------------------------ bearer errors


@pytest.mark.parametrize(
    "header",
    ["Bearer garbage", "Bearer ", "Bearer a.b.c", "bearer junk", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.xx"],
)
def test_bad_bearer_tokens(client, student, header):
    response = client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def _claims(user: User) -> dict[str, str]:
    return {"user_id": str(user.id), "role": user.role, "username": user.username, "email": user.email}


def test_token_of_deleted_user_is_refused(client, session, student, student_headers):
    session.delete(student)
    session.commit()
    response = client.get(ME, headers=student_headers)
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def test_token_of_deactivated_user_is_refused(client, session, student, student_headers):
    student.is_active = False
    session.add(student)
    session.commit()
    response = client.get(ME, headers=student_headers)
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def test_alg_none_token_is_refused(client, student):
    now = int(datetime.now(UTC).timestamp())
    payload = {"token_type": "access", "exp": now + 600, "iat": now, "jti": "x" * 32, **_claims(student)}
    token = jwt.encode(payload, key=None, algorithm="none")
    response = client.get(ME, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def test_token_signed_with_another_key_is_refused(client, student):
    now = int(datetime.now(UTC).timestamp())
    payload = {"token_type": "access", "exp": now + 600, "iat": now, "jti": "y" * 32, **_claims(student)}
    token = jwt.encode(payload, "another-secret-key-that-is-long-enough-too", algorithm="HS256")
    response = client.get(ME, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def test_expired_token_is_refused(client, student):
    token, _, _ = encode_token("access", _claims(student), now=datetime.now(UTC) - timedelta(hours=2))
    response = client.get(ME, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


def test_valid_handmade_token_is_accepted(client, student):
    token, _, _ = encode_token("access", _claims(student))
    assert client.get(ME, headers=_bearer(token)).status_code == 200


def test_token_with_non_numeric_user_id_is_refused(client, student):
    token, _, _ = encode_token("access", {**_claims(student), "user_id": "abc"})
    response = client.get(ME, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json() == BAD_BEARER


# ------------------------------------------------------------------ admin list / create


def test_admin_lists_users(client, admin, student, other_student, admin_headers):
    response = client.get(USERS, headers=admin_headers)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert [u["username"] for u in body] == ["root", "alice", "bob"]
    for item in body:
        assert set(item) >= LIST_KEYS
        assert item["is_active"] is True
    assert body[0]["role"] == "admin"


def test_admin_list_search(client, student, other_student, admin_headers):
    body = client.get(USERS, params={"search": "BO"}, headers=admin_headers).json()
    assert [u["username"] for u in body] == ["bob"]


def test_student_cannot_list_users(client, student_headers):
    response = client.get(USERS, headers=student_headers)
    assert response.status_code == 403
    assert response.json() == ADMIN_REQUIRED


def test_anonymous_cannot_list_users(client):
    response = client.get(USERS)
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


def test_admin_creates_user_who_can_log_in(client, admin_headers):
    response = client.post(
        USERS,
        json={
            "username": "dave",
            "email": "dave@example.com",
            "password": "dave-password",
            "first_name": "Dave",
        },
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= USER_KEYS
    assert body["username"] == "dave"
    assert body["role"] == "student"
    assert body["first_name"] == "Dave"
    assert body["is_superuser"] is False
    assert (
        client.post(
            "/api/accounts/auth/login/", json={"username": "dave", "password": "dave-password"}
        ).status_code
        == 200
    )


def test_admin_creates_admin(client, admin_headers):
    response = client.post(
        USERS,
        json={"username": "eve", "email": "eve@example.com", "password": "eve-password", "role": "admin"},
        headers=admin_headers,
    )
    assert response.status_code == 201
    assert response.json()["role"] == "admin"
    assert response.json()["is_staff"] is True


def test_admin_create_user_validation(client, student, admin_headers):
    response = client.post(
        USERS,
        json={"username": "Alice", "email": "ALICE@example.com", "password": "short", "role": "god"},
        headers=admin_headers,
    )
    assert response.status_code == 400
    assert response.json() == {
        "username": ["A user with that username already exists."],
        "email": ["A user with this email already exists."],
        "password": ["Ensure this field has at least 8 characters."],
        "role": ['"god" is not a valid choice.'],
    }


def test_admin_create_user_cannot_make_superuser(client, admin_headers):
    response = client.post(
        USERS,
        json={
            "username": "sup",
            "email": "sup@example.com",
            "password": "sup-password",
            "is_superuser": True,
        },
        headers=admin_headers,
    )
    assert response.status_code == 201
    assert response.json()["is_superuser"] is False


def test_student_cannot_create_users(client, session, student_headers):
    response = client.post(
        USERS,
        json={"username": "x", "email": "x@example.com", "password": "x-password"},
        headers=student_headers,
    )
    assert response.status_code == 403
    assert response.json() == ADMIN_REQUIRED


# ------------------------------------------------------------------ users/{id}


def test_self_can_read_own_record(client, student, student_headers):
    response = client.get(f"{USERS}{student.id}/", headers=student_headers)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_student_cannot_see_another_user(client, other_student, student_headers):
    response = client.get(f"{USERS}{other_student.id}/", headers=student_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_student_cannot_edit_another_user(client, session, other_student, student_headers):
    for method in ("patch", "put"):
        response = getattr(client, method)(
            f"{USERS}{other_student.id}/",
            json={"username": "bob", "email": "bob@example.com", "first_name": "Hacked"},
            headers=student_headers,
        )
        assert response.status_code == 404, method
        assert response.json() == NOT_FOUND
    session.expire_all()
    assert session.get(User, other_student.id).first_name == ""


def test_student_cannot_delete_another_user(client, session, other_student, student_headers):
    response = client.delete(f"{USERS}{other_student.id}/", headers=student_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    session.expire_all()
    assert session.get(User, other_student.id) is not None


def test_admin_reads_and_edits_any_user(client, session, student, admin_headers):
    assert client.get(f"{USERS}{student.id}/", headers=admin_headers).status_code == 200
    response = client.patch(f"{USERS}{student.id}/", json={"last_name": "Edited"}, headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["last_name"] == "Edited"


def test_self_patch_and_put(client, student, student_headers):
    patch = client.patch(f"{USERS}{student.id}/", json={"first_name": "Al"}, headers=student_headers)
    assert patch.status_code == 200
    assert patch.json()["first_name"] == "Al"
    put = client.put(
        f"{USERS}{student.id}/",
        json={"username": "alice2", "email": "alice2@example.com", "first_name": "A", "last_name": "L"},
        headers=student_headers,
    )
    assert put.status_code == 200
    assert (put.json()["username"], put.json()["email"]) == ("alice2", "alice2@example.com")


def test_put_requires_username_and_email(client, student, student_headers):
    response = client.put(f"{USERS}{student.id}/", json={"first_name": "A"}, headers=student_headers)
    assert response.status_code == 400
    assert response.json() == {"username": ["This field is required."], "email": ["This field is required."]}


def test_patch_username_duplicate(client, student, other_student, student_headers):
    response = client.patch(f"{USERS}{student.id}/", json={"username": "BOB"}, headers=student_headers)
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


def test_no_role_change_through_users_id(client, session, student, student_headers, admin_headers):
    own = client.patch(f"{USERS}{student.id}/", json={"role": "admin"}, headers=student_headers)
    assert own.status_code == 403
    put = client.put(
        f"{USERS}{student.id}/",
        json={"username": "alice", "email": "alice@example.com", "role": "admin"},
        headers=student_headers,
    )
    assert put.status_code == 403
    by_admin = client.patch(f"{USERS}{student.id}/", json={"role": "admin"}, headers=admin_headers)
    assert by_admin.status_code == 403
    session.expire_all()
    assert session.get(User, student.id).role == "student"


def test_self_delete(client, session, student, student_headers):
    student_id = student.id
    response = client.delete(f"{USERS}{student_id}/", headers=student_headers)
    assert response.status_code == 204
    assert response.content == b""
    session.expire_all()
    assert session.get(User, student_id) is None
    assert client.get(ME, headers=student_headers).status_code == 401


def test_admin_deletes_a_user(client, session, student, admin_headers):
    student_id = student.id
    auth_headers(client, "alice")  # leaves refresh tokens behind: the delete must cascade
    response = client.delete(f"{USERS}{student_id}/", headers=admin_headers)
    assert response.status_code == 204
    assert client.get(f"{USERS}{student_id}/", headers=admin_headers).status_code == 404


def test_admin_deletes_an_unverified_user(client, session, admin_headers, outbox):
    client.post(
        "/api/accounts/auth/register/",
        json={
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "newbie-pass",
            "password_confirm": "newbie-pass",
        },
    )
    client.post("/api/accounts/auth/password-reset/", json={"email": "newbie@example.com"})
    users = client.get(USERS, headers=admin_headers).json()
    newbie = next(u for u in users if u["username"] == "newbie")
    assert newbie["is_active"] is False
    assert client.delete(f"{USERS}{newbie['id']}/", headers=admin_headers).status_code == 204
    # The address is free again.
    again = client.post(
        "/api/accounts/auth/register/",
        json={
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "newbie-pass",
            "password_confirm": "newbie-pass",
        },
    )
    assert again.status_code == 201


def test_superuser_cannot_be_deleted(client, session, admin):
    make_user(session, "ops", role="admin")
    response = client.delete(f"{USERS}{admin.id}/", headers=auth_headers(client, "ops"))
    assert response.status_code == 403


def test_last_admin_cannot_delete_self(client, session):
    lone = make_user(session, "lone", role="admin")
    response = client.delete(f"{USERS}{lone.id}/", headers=auth_headers(client, "lone"))
    assert response.status_code == 403
    session.expire_all()
    assert session.get(User, lone.id) is not None


def test_unknown_and_non_integer_ids(client, admin_headers):
    assert client.get(f"{USERS}99999/", headers=admin_headers).json() == NOT_FOUND
    assert client.get(f"{USERS}99999/", headers=admin_headers).status_code == 404
    for path in (f"{USERS}abc/", f"{USERS}1.5/", f"{USERS}abc/update_role/"):
        response = client.get(path, headers=admin_headers)
        assert response.status_code in (404, 405), path
        assert response.status_code != 422
    non_int = client.get(f"{USERS}abc/", headers=admin_headers)
    assert non_int.status_code == 404
    assert non_int.json() == NOT_FOUND


# ------------------------------------------------------------------ update_role


def _update_role(client, user_id, role, headers, prefix=USERS):
    return client.post(f"{prefix}{user_id}/update_role/", json={"role": role}, headers=headers)


def test_update_role_success(client, student, admin_headers, student_headers):
    response = _update_role(client, student.id, "admin", admin_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Role updated from student to admin"
    assert body["user"]["role"] == "admin"
    assert body["user"]["is_staff"] is True
    # The same (old) access token now has admin powers: the role is read from the database.
    assert client.get(USERS, headers=student_headers).status_code == 200
    back = _update_role(client, student.id, "student", admin_headers)
    assert back.json()["message"] == "Role updated from admin to student"
    assert client.get(USERS, headers=student_headers).status_code == 403


def test_update_role_through_profiles_path(client, student, admin_headers):
    response = _update_role(client, student.id, "admin", admin_headers, prefix="/api/accounts/profiles/")
    assert response.status_code == 200
    assert response.json()["message"] == "Role updated from student to admin"


def test_update_role_invalid_choice(client, student, admin_headers):
    response = _update_role(client, student.id, "god", admin_headers)
    assert response.status_code == 400
    assert response.json() == {"role": ['"god" is not a valid choice.']}


def test_update_role_missing(client, student, admin_headers):
    response = client.post(f"{USERS}{student.id}/update_role/", json={}, headers=admin_headers)
    assert response.status_code == 400
    assert response.json() == {"role": ["This field is required."]}


def test_update_role_own_role_refused(client, session):
    ops = make_user(session, "ops", role="admin")
    make_user(session, "ops2", role="admin")
    response = _update_role(client, ops.id, "student", auth_headers(client, "ops"))
    assert response.status_code == 403
    assert "detail" in response.json()
    session.expire_all()
    assert session.get(User, ops.id).role == "admin"


def test_update_role_superuser_refused(client, session, admin):
    make_user(session, "ops", role="admin")
    response = _update_role(client, admin.id, "student", auth_headers(client, "ops"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Cannot change superuser role"}


def test_update_role_student_refused(client, student, other_student, student_headers):
    for target in (student.id, other_student.id):
        response = _update_role(client, target, "admin", student_headers)
        assert response.status_code == 403
        assert response.json() == ADMIN_REQUIRED
        profile = _update_role(client, target, "admin", student_headers, prefix="/api/accounts/profiles/")
        assert profile.status_code == 403
        assert profile.json() == ADMIN_REQUIRED


def test_update_role_unknown_user(client, admin_headers):
    response = _update_role(client, 99999, "admin", admin_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# ------------------------------------------------------------------ upload_profile_picture


def _upload(client, user_id, headers, content, filename="avatar.png", mime="image/png"):
    return client.post(
        f"{USERS}{user_id}/upload_profile_picture/",
        files={"profile_picture": (filename, content, mime)},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("content", "filename", "mime", "size"),
    [
        (_png((800, 600)), "a.png", "image/png", (512, 384)),
        (_jpeg((1024, 2048)), "a.jpg", "image/jpeg", (256, 512)),
        (_png((100, 50), mode="RGB"), "small.png", "image/png", (100, 50)),
    ],
)
def test_upload_profile_picture(client, student, student_headers, content, filename, mime, size):
    response = _upload(client, student.id, student_headers, content, filename, mime)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Profile picture updated"
    url = body["profile_picture_url"]
    assert url.startswith("http://testserver/media/profile_pictures/")
    fetched = client.get(urlparse(url).path)
    assert fetched.status_code == 200
    with Image.open(io.BytesIO(fetched.content)) as image:
        assert image.size == size
        assert max(image.size) <= 512
    me = client.get(ME, headers=student_headers).json()
    assert me["profile_picture_url"] == url
    assert me["profile"]["profile_picture"] == url


def test_replacing_a_picture_removes_the_old_file(client, student, student_headers):
    first = _upload(client, student.id, student_headers, _png()).json()["profile_picture_url"]
    second = _upload(client, student.id, student_headers, _jpeg()).json()["profile_picture_url"]
    assert first != second
    assert client.get(urlparse(first).path).status_code == 404
    assert client.get(urlparse(second).path).status_code == 200


def test_upload_text_file_renamed_png_is_refused(client, student, student_headers):
    response = _upload(client, student.id, student_headers, b"definitely not an image\n" * 10)
    assert response.status_code == 400
    assert list(response.json()) == ["profile_picture"]
    assert client.get(ME, headers=student_headers).json()["profile_picture_url"] is None


def test_upload_truncated_png_is_refused(client, student, student_headers):
    response = _upload(client, student.id, student_headers, _png()[:80])
    assert response.status_code == 400
    assert list(response.json()) == ["profile_picture"]


def test_upload_missing_file(client, student, student_headers):
    response = client.post(
        f"{USERS}{student.id}/upload_profile_picture/", data={"other": "x"}, headers=student_headers
    )
    assert response.status_code == 400
    assert response.json() == {"profile_picture": ["No file was submitted."]}
    empty = client.post(f"{USERS}{student.id}/upload_profile_picture/", headers=student_headers)
    assert empty.status_code == 400
    assert list(empty.json()) == ["profile_picture"]


def test_upload_for_another_user_refused(client, session, other_student, student_headers):
    response = _upload(client, other_student.id, student_headers, _png())
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to upload picture for this user"}
    session.expire_all()
    assert session.get(User, other_student.id).profile_picture is None


def test_admin_uploads_for_another_user(client, session, student, admin_headers):
    response = _upload(client, student.id, admin_headers, _png())
    assert response.status_code == 200
    session.expire_all()
    assert session.get(User, student.id).profile_picture.startswith("profile_pictures/")


def test_upload_requires_auth(client, student):
    response = _upload(client, student.id, {}, _png())
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


def test_upload_too_large(client, student, student_headers, monkeypatch):
    from webinar_app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "max_avatar_bytes", 1024)
    response = _upload(client, student.id, student_headers, _png((600, 600)) + b"\0" * 2048)
    assert response.status_code == 400
    assert list(response.json()) == ["profile_picture"]


def test_media_route_refuses_path_traversal(client):
    assert client.get("/media/profile_pictures/../../etc/passwd").status_code == 404
    assert client.get("/media/recordings/secret.mp4").status_code == 404
