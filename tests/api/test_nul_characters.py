"""NUL characters in any input are a 400, never a 500 (PostgreSQL cannot store them)."""

from __future__ import annotations

from typing import Any

import pytest


def test_nul_in_a_login_body_is_a_clear_400(client: Any) -> None:
    response = client.post("/api/accounts/auth/login/", json={"username": "\x00ab", "password": "x" * 10})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Null characters are not allowed."]}


def test_nul_in_a_query_string_is_a_400(client: Any) -> None:
    response = client.get("/api/webinars/", params={"search": "a\x00b"})
    assert response.status_code == 400


def test_nul_in_a_profile_update_changes_nothing(client: Any, student: Any, student_headers: Any) -> None:
    me = "/api/accounts/users/me/"
    response = client.patch(me, json={"first_name": "Al\x00ice"}, headers=student_headers)
    assert response.status_code == 400
    assert client.get(me, headers=student_headers).json()["first_name"] != "Al\x00ice"


def test_an_id_past_the_integer_range_is_a_400_not_a_500(client: Any, admin_headers: Any) -> None:
    response = client.post(
        "/api/webinars/",
        data={"title": "T", "date": "2030-01-01", "time": "10:00", "organizer": str(2**31)},
        headers=admin_headers,
    )
    assert response.status_code == 400


@pytest.mark.parametrize("value", [2**31, 2**63, 2**80])
def test_an_id_past_64_bits_is_a_400_or_404_on_every_database(
    client: Any, admin_headers: Any, value: int
) -> None:
    # PostgreSQL refuses past 32 bits with a DataError; SQLite's driver raises OverflowError
    # (not a DBAPI error) past 64 bits: both are the caller's input, never a 500.
    response = client.patch(f"/api/recordings/{value}/", json={}, headers=admin_headers)
    assert response.status_code in (400, 404), response.text
    response = client.post(
        "/api/webinars/",
        data={"title": "T", "date": "2030-01-01", "time": "10:00", "organizer": str(value)},
        headers=admin_headers,
    )
    assert response.status_code == 400
