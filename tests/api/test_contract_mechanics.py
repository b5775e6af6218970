"""Contract conventions: JSON errors everywhere, slashes, encodings, timestamps, JWT claims, docs."""

from __future__ import annotations

import jwt
import pytest

from webinar_app.core.config import get_settings

LOGIN = "/api/accounts/auth/login/"
ME = "/api/accounts/users/me/"
NOT_FOUND = {"detail": "Not found."}


def _login(client, **kwargs):
    return client.post(LOGIN, **kwargs)


# ------------------------------------------------------------------ unknown paths and methods


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/api/nope", "/api/accounts/nothing/here/", "/api/accounts/users/1/nope/"]
)
def test_unknown_api_path_is_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == NOT_FOUND


def test_unknown_api_path_any_method(client):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, "/api/nope/")
        assert response.status_code == 404, method
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", LOGIN),
        ("GET", LOGIN),
        ("PUT", "/api/accounts/auth/refresh/"),
        ("DELETE", ME),
        ("POST", ME),
        ("DELETE", "/api/accounts/profiles/me/"),
        ("GET", "/api/accounts/users/1/update_role/"),
    ],
)
def test_wrong_method_is_405(client, student_headers, method, path):
    response = client.request(method, path, headers=student_headers)
    assert response.status_code == 405, response.text
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}


def test_no_trailing_slash_is_served(client, student):
    response = client.post(
        LOGIN.rstrip("/"), json={"username": "alice", "password": "correct-horse-1"}, follow_redirects=False
    )
    assert response.status_code == 200
    access = response.json()["access"]
    me = client.get(ME.rstrip("/"), headers={"Authorization": f"Bearer {access}"}, follow_redirects=False)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_non_integer_id_is_404(client, admin_headers):
    for path in ("/api/accounts/users/abc/", "/api/accounts/profiles/x1/", "/api/accounts/users/-/"):
        response = client.get(path, headers=admin_headers)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND
    post = client.post("/api/accounts/users/abc/update_role/", json={"role": "admin"}, headers=admin_headers)
    assert post.status_code == 404


# ------------------------------------------------------------------ bodies and 422


def test_fastapi_422_never_appears(client, student, student_headers, admin_headers):
    cases = [
        (LOGIN, {"username": 1, "password": ["x"]}, {}),
        (LOGIN, {"username": None, "password": None}, {}),
        ("/api/accounts/auth/refresh/", {"refresh": {"a": 1}}, {}),
        ("/api/accounts/auth/register/", {"username": [], "email": 5, "password": True}, {}),
        ("/api/accounts/auth/verify-email/", {"email": 1, "otp": 123456}, {}),
        ("/api/accounts/auth/resend-otp/", {"email": False}, {}),
        ("/api/accounts/auth/change-password/", {"old_password": 1}, student_headers),
        (f"/api/accounts/users/{student.id}/update_role/", {"role": 7}, admin_headers),
        ("/api/accounts/users/", {"username": 1, "email": 2, "password": 3}, admin_headers),
    ]
    for path, body, headers in cases:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert isinstance(response.json(), dict)
    patch = client.patch(ME, json={"first_name": {"x": 1}, "email": 3}, headers=student_headers)
    assert patch.status_code == 400
    assert set(patch.json()) == {"first_name", "email"}


def test_login_with_wrong_types_gives_field_errors(client):
    response = client.post(LOGIN, json={"username": 5, "password": ["a"]})
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_login_json_form_and_multipart(client, student):
    as_json = _login(client, json={"username": "alice", "password": "correct-horse-1"})
    as_form = _login(client, data={"username": "alice", "password": "correct-horse-1"})
    as_multipart = _login(
        client,
        data={"username": "alice", "password": "correct-horse-1"},
        files={"unused": ("x.txt", b"x", "text/plain")},
    )
    for response in (as_json, as_form, as_multipart):
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == "alice"
    assert as_form.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert as_multipart.request.headers["content-type"].startswith("multipart/form-data")


def test_malformed_json_is_400_json(client):
    response = client.post(
        LOGIN, content=b'{"username": "alice", ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


def test_json_array_body_is_400(client):
    response = client.post(LOGIN, json=["alice", "pw"])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_non_utf8_body_is_400(client):
    response = client.post(LOGIN, content=b"\xff\xfe\xfa", headers={"Content-Type": "application/json"})
    assert response.status_code == 400


# ------------------------------------------------------------------ values


def test_timestamps_end_in_z(client, student_headers, admin_headers):
    me = client.get(ME, headers=student_headers).json()
    for value in (me["profile"]["created_at"], me["profile"]["updated_at"]):
        assert value.endswith("Z")
        assert "+00:00" not in value
    for item in client.get("/api/accounts/users/", headers=admin_headers).json():
        assert item["profile"]["created_at"].endswith("Z")


# ------------------------------------------------------------------ JWT


def test_jwt_claims_and_lifetimes(client, student):
    body = _login(client, json={"username": "alice", "password": "correct-horse-1"}).json()
    key = get_settings().resolved_secret_key()
    for name, token_type, lifetime in (("access", "access", 3600), ("refresh", "refresh", 604800)):
        token = body[name]
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        claims = jwt.decode(token, key, algorithms=["HS256"])
        assert set(claims) >= {"token_type", "exp", "iat", "jti", "user_id", "role", "username", "email"}
        assert claims["token_type"] == token_type
        assert claims["user_id"] == str(student.id)
        assert isinstance(claims["user_id"], str)
        assert claims["role"] == "student"
        assert claims["username"] == "alice"
        assert claims["email"] == "alice@example.com"
        assert claims["exp"] - claims["iat"] == lifetime
        assert len(claims["jti"]) >= 16
    access_claims = jwt.decode(body["access"], key, algorithms=["HS256"])
    refresh_claims = jwt.decode(body["refresh"], key, algorithms=["HS256"])
    assert access_claims["jti"] != refresh_claims["jti"]


def test_refreshed_tokens_have_the_same_claims(client, student):
    refresh = _login(client, json={"username": "alice", "password": "correct-horse-1"}).json()["refresh"]
    body = client.post("/api/accounts/auth/refresh/", json={"refresh": refresh}).json()
    key = get_settings().resolved_secret_key()
    access = jwt.decode(body["access"], key, algorithms=["HS256"])
    new_refresh = jwt.decode(body["refresh"], key, algorithms=["HS256"])
    assert access["token_type"] == "access" and new_refresh["token_type"] == "refresh"
    assert access["exp"] - access["iat"] == 3600
    assert new_refresh["exp"] - new_refresh["iat"] == 604800
    assert access["user_id"] == new_refresh["user_id"] == str(student.id)


# ------------------------------------------------------------------ docs


def test_openapi_and_docs(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (LOGIN, "/api/accounts/auth/register/", ME, "/api/accounts/users/{user_id}/update_role/"):
        assert path in paths
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    assert "swagger" in docs.text.lower()


def test_redoc_is_served(client):
    response = client.get("/api/redoc")
    assert response.status_code == 200
    assert "redoc" in response.text.lower()


def test_out_of_range_id_is_404_not_500(client, admin_headers):
    for path in ("/api/accounts/users/99999999999999999999/", "/api/accounts/profiles/2147483648/"):
        response = client.get(path, headers=admin_headers)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == NOT_FOUND
