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
