"""`GET /api/webinars/{id}/registrants.csv`: hosts get the list, nobody else does."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.api.test_webinars import NO_CREDS, NOT_FOUND, new_webinar, register
from tests.conftest import auth_headers, make_user


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "registrants.csv" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_admin_exports_confirmed_then_waitlist(client, admin_headers, student_headers, other_student):
    w = new_webinar(client, admin_headers, title="CSV talk", capacity=1)
    register(client, student_headers, w["id"])
    register(client, auth_headers(client, "bob"), w["id"])

    rows = rows_of(client.get(f"/api/webinars/{w['id']}/registrants.csv", headers=admin_headers))

    assert [(r["username"], r["status"]) for r in rows] == [("alice", "confirmed"), ("bob", "waitlisted")]
    assert rows[0]["email"] == "alice@example.com"
    assert rows[0]["attended"] == "no"
    assert rows[0]["registered_on"].endswith("+00:00")
    assert list(rows[0]) == ["username", "email", "name", "status", "registered_on", "attended"]


def test_empty_webinar_exports_header_only(client, admin_headers):
    w = new_webinar(client, admin_headers)
    response = client.get(f"/api/webinars/{w['id']}/registrants.csv", headers=admin_headers)
    assert rows_of(response) == []
    assert response.text.startswith("username,email,name,status,registered_on,attended")


def test_organizer_who_is_not_admin_may_export(client, session, admin_headers):
    host = make_user(session, "host")
    w = new_webinar(client, admin_headers, organizer=host.id)
    response = client.get(f"/api/webinars/{w['id']}/registrants.csv", headers=auth_headers(client, "host"))
    assert rows_of(response) == []


def test_student_is_refused(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers)
    register(client, student_headers, w["id"])
    response = client.get(f"/api/webinars/{w['id']}/registrants.csv", headers=student_headers)
    assert response.status_code == 403
    assert "registrants" in response.json()["detail"]


def test_anonymous_is_refused(client, admin_headers):
    w = new_webinar(client, admin_headers)
    response = client.get(f"/api/webinars/{w['id']}/registrants.csv")
    assert response.status_code == 401
    assert response.json() == NO_CREDS


def test_unknown_webinar_is_404(client, admin_headers):
    response = client.get("/api/webinars/999999/registrants.csv", headers=admin_headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_formula_like_names_are_neutralised(client, session, admin_headers):
    from webinar_app.services import accounts

    evil = make_user(session, "evil")
    accounts.update_profile(session, evil, evil.id, first_name="=HYPERLINK(1)")
    w = new_webinar(client, admin_headers)
    register(client, auth_headers(client, "evil"), w["id"])
    [row] = rows_of(client.get(f"/api/webinars/{w['id']}/registrants.csv", headers=admin_headers))
    assert row["name"].startswith("'=")
