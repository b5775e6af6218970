"""Personal data: the export holds what we store about me (no secrets); deletion anonymises."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from tests.conftest import auth_headers, make_user
from webinar_app.core.security import utcnow
from webinar_app.models import ChatMessage, Notification, Registration, User, Webinar
from webinar_app.services import notifications, registrations


def _webinar(session: Session, organizer: User) -> Webinar:
    start = utcnow() + timedelta(days=2)
    w = Webinar(title="Privacy", start_at=start, end_at=start + timedelta(hours=1), organizer_id=organizer.id)  # type: ignore[arg-type]
    session.add(w)
    session.commit()
    return w


def test_export_contains_my_data_and_no_secrets(client, session: Session, student, admin) -> None:
    webinar = _webinar(session, admin)
    registrations.register(session, student, webinar.id)
    headers = auth_headers(client, "alice")
    response = client.get("/api/accounts/users/me/export/", headers=headers)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["username"] == "alice"
    assert data["account"]["email"] == "alice@example.com"
    assert [r["webinar_id"] for r in data["registrations"]] == [webinar.id]
    assert len(data["notifications"]) == 1  # the registration confirmation
    text = response.text
    assert "password_hash" not in text and "$argon2" not in text


def test_export_needs_a_signed_in_user(client) -> None:
    assert client.get("/api/accounts/users/me/export/").status_code == 401


def test_delete_anonymises_and_keeps_aggregates(client, session: Session, student, admin) -> None:
    webinar = _webinar(session, admin)
    registrations.register(session, student, webinar.id)
    session.add(ChatMessage(webinar_id=webinar.id, user_id=student.id, message="my phone is 555"))  # type: ignore[arg-type]
    session.commit()
    notifications.notify(session, [student.id], "system", "hello")
    headers = auth_headers(client, "alice")

    wrong = client.post("/api/accounts/users/me/delete/", json={"password": "nope"}, headers=headers)
    assert wrong.status_code == 400 and wrong.json() == {"password": ["Wrong password."]}

    ok = client.post("/api/accounts/users/me/delete/", json={"password": "correct-horse-1"}, headers=headers)
    assert ok.status_code == 200
    session.expire_all()
    user = session.get(User, student.id)
    assert user is not None
    assert user.username == f"deleted-{student.id}" and user.email.endswith("@invalid")
    assert user.first_name == "" and not user.is_active and user.password_hash == ""
    # aggregates stay: the registration still counts; what was personal is gone or blanked
    assert (
        session.exec(
            select(func.count()).select_from(Registration).where(Registration.webinar_id == webinar.id)
        ).one()
        == 1
    )
    assert (
        session.exec(
            select(func.count()).select_from(Notification).where(Notification.user_id == student.id)
        ).one()
        == 0
    )
    message = session.exec(select(ChatMessage).where(ChatMessage.user_id == student.id)).one()
    assert message.message == "[deleted]" and message.deleted_at is not None
    # the old credentials and tokens no longer work
    assert client.get("/api/accounts/users/me/", headers=headers).status_code == 401
    login = client.post(
        "/api/accounts/auth/login/", json={"username": "alice", "password": "correct-horse-1"}
    )
    assert login.status_code == 401


def test_the_last_admin_cannot_delete_themselves(client, session: Session) -> None:
    make_user(session, "boss", role="admin")
    headers = auth_headers(client, "boss")
    response = client.post(
        "/api/accounts/users/me/delete/", json={"password": "correct-horse-1"}, headers=headers
    )
    assert response.status_code == 403
    assert session.get(User, 1) is not None
