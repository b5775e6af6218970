"""Admin REST: the audit log (and the dashboard numbers)."""

from __future__ import annotations


def test_audit_log_lists_entries_for_admins(client, admin_headers, student):
    r = client.post(
        f"/api/accounts/users/{student.id}/update_role/", json={"role": "admin"}, headers=admin_headers
    )
    assert r.status_code == 200, r.text
    r = client.get("/api/admin/audit/?action=user.role", headers=admin_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 1
    [entry] = body["results"]
    assert entry["actor"] == "root" and entry["target_id"] == student.id
    assert entry["before"] == {"role": "student"} and entry["after"] == {"role": "admin"}
    assert entry["created_at"].endswith("Z")


def test_audit_log_is_admin_only(client, student_headers):
    assert client.get("/api/admin/audit/", headers=student_headers).status_code == 403
    assert client.get("/api/admin/audit/").status_code == 401


def test_audit_log_rejects_bad_dates(client, admin_headers):
    r = client.get("/api/admin/audit/?since=yesterday", headers=admin_headers)
    assert r.status_code == 400


def test_dashboard_numbers_over_rest(client, admin_headers, student):
    r = client.get("/api/admin/dashboard/", headers=admin_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["users"] == 2 and body["registrations"] == 0
    assert set(body["webinars_by_status"]) == {"upcoming", "live", "completed", "cancelled"}
    assert len(body["registrations_per_day"]) == 30 and body["top_webinars"] == []


def test_dashboard_is_admin_only(client, student_headers):
    assert client.get("/api/admin/dashboard/", headers=student_headers).status_code == 403


def test_email_log_and_retry_over_rest(client, admin_headers, session):
    from webinar_app.models import EmailLog

    row = EmailLog(
        kind="account",
        template="t",
        to_address="x@example.com",
        subject="Hi",
        status="failed",
        last_error="boom",
    )
    session.add(row)
    session.commit()
    r = client.get("/api/admin/emails/?status=failed", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1 and r.json()["results"][0]["last_error"] == "boom"
    r = client.post(f"/api/admin/emails/{row.id}/retry/", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"
    assert client.post(f"/api/admin/emails/{row.id}/retry/", headers=admin_headers).status_code == 400
    assert client.get("/api/admin/audit/?action=email.retry", headers=admin_headers).json()["count"] == 1
