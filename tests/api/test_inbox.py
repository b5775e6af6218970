"""`/api/communications/inbox/`: sending, conversation reuse, lists without N+1, paging, read marks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from tests.api.test_webinars import new_webinar
from tests.conftest import auth_headers, make_user
from webinar_app.core import db
from webinar_app.realtime import Event, subscribe

BASE = "/api/communications/inbox/"
MESSAGE_KEYS = {
    "id",
    "conversation",
    "sender",
    "sender_username",
    "sender_first_name",
    "sender_last_name",
    "content",
    "is_read",
    "created_at",
}
CONVERSATION_KEYS = {
    "id",
    "participants",
    "related_webinar",
    "related_webinar_title",
    "last_message_preview",
    "unread_count",
    "last_message_at",
    "created_at",
    "updated_at",
}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


def send(client: Any, headers: dict[str, str], to: list[int], content: str = "Hi", **extra: Any) -> Any:
    return client.post(
        BASE + "send/", json={"participant_ids": to, "content": content, **extra}, headers=headers
    )


def test_send_shape_and_reply_reuses_conversation(
    client, student, other_student, student_headers, bob_headers
):
    first = send(client, student_headers, [other_student.id], "Hi bob")
    assert first.status_code == 201, first.text
    body = first.json()
    assert set(body) == MESSAGE_KEYS
    assert body["sender"] == student.id and body["sender_username"] == "alice"
    assert body["content"] == "Hi bob" and body["is_read"] is False and body["created_at"].endswith("Z")
    reply = send(client, bob_headers, [student.id], "Hi alice").json()
    assert reply["conversation"] == body["conversation"]


def test_different_webinar_or_participants_start_new_conversations(
    client, session, admin_headers, student, other_student, student_headers
):
    carol = make_user(session, "carol")
    w = new_webinar(client, admin_headers, title="Future Talk")
    plain = send(client, student_headers, [other_student.id]).json()["conversation"]
    about = send(client, student_headers, [other_student.id], related_webinar_id=w["id"]).json()[
        "conversation"
    ]
    group = send(client, student_headers, [other_student.id, carol.id]).json()["conversation"]
    assert len({plain, about, group}) == 3
    assert send(client, student_headers, [carol.id, other_student.id]).json()["conversation"] == group
    assert (
        send(client, student_headers, [other_student.id], related_webinar_id=w["id"]).json()["conversation"]
        == about
    )


def test_send_validation(client, student_headers):
    invalid = send(client, student_headers, [999], "")
    assert invalid.status_code == 400
    assert invalid.json() == {
        "participant_ids": ["One or more participant IDs are invalid."],
        "content": ["This field may not be blank."],
    }
    empty = send(client, student_headers, [])
    assert empty.status_code == 400 and empty.json() == {"participant_ids": ["This list may not be empty."]}


def test_content_limit(client, other_student, student_headers):
    too_long = send(client, student_headers, [other_student.id], "x" * 5001)
    assert too_long.status_code == 400 and list(too_long.json()) == ["content"]
    assert send(client, student_headers, [other_student.id], "x" * 5000).status_code == 201


def test_inactive_user_cannot_be_messaged(client, session, student_headers):
    dormant = make_user(session, "dormant")
    dormant.is_active = False
    session.add(dormant)
    session.commit()
    response = send(client, student_headers, [dormant.id])
    assert response.status_code == 400 and "participant_ids" in response.json()


def test_form_encoded_send(client, other_student, student_headers):
    response = client.post(
        BASE + "send/",
        data={"participant_ids": str(other_student.id), "content": "form"},
        headers=student_headers,
    )
    assert response.status_code == 201 and response.json()["content"] == "form"


def test_recipient_gets_notification_and_push(client, student, other_student, student_headers, bob_headers):
    events: list[Event] = []
    unsubscribe = subscribe(f"user:{other_student.id}", lambda _t, e: events.append(e))
    try:
        sent = send(client, student_headers, [other_student.id]).json()
    finally:
        unsubscribe()
    kinds = [e.kind for e in events]
    assert "inbox_message" in kinds and "notification" in kinds
    pushed = next(e for e in events if e.kind == "inbox_message")
    assert pushed.data["message"] == sent and pushed.data["conversation_id"] == sent["conversation"]
    notes = client.get("/api/communications/notifications/", headers=bob_headers).json()
    assert [(n["notification_type"], n["content"]) for n in notes] == [
        ("new_message", "alice sent you a message")
    ]
    assert client.get("/api/communications/notifications/", headers=student_headers).json() == []


def test_conversation_list_shape(client, admin_headers, student, other_student, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, title="Future Talk")
    send(client, student_headers, [other_student.id], "Hi bob", related_webinar_id=w["id"])
    send(client, bob_headers, [student.id], "y" * 150, related_webinar_id=w["id"])
    listed = client.get(BASE + "conversations/", headers=student_headers)
    assert listed.status_code == 200
    (conv,) = listed.json()
    assert set(conv) == CONVERSATION_KEYS
    assert [p["username"] for p in conv["participants"]] == ["alice", "bob"]
    assert set(conv["participants"][0]) == {"id", "username", "first_name", "last_name", "email"}
    assert conv["related_webinar"] == w["id"] and conv["related_webinar_title"] == "Future Talk"
    assert conv["last_message_preview"]["content"] == "y" * 100
    assert conv["last_message_preview"]["sender_username"] == "bob"
    assert conv["unread_count"] == 1 and conv["last_message_at"] == conv["last_message_preview"]["created_at"]
    bob_view = client.get(BASE + "conversations/", headers=bob_headers).json()[0]
    assert bob_view["unread_count"] == 1


def test_conversation_list_has_no_n_plus_one(client, session, student, student_headers):
    def count_queries(n: int) -> int:
        for i in range(n):
            peer = make_user(session, f"peer{n}_{i}")
            send(client, student_headers, [peer.id], f"hello {i}")
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(BASE + "conversations/", headers=student_headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    assert count_queries(2) == count_queries(6)


def test_messages_paging_and_visibility(
    client, session, student, other_student, student_headers, bob_headers
):
    first = send(client, student_headers, [other_student.id], "Hi admin").json()
    send(client, bob_headers, [student.id], "Hi bob")
    conv = first["conversation"]
    page = client.get(f"{BASE}messages/{conv}/", params={"page": 1, "page_size": 1}, headers=student_headers)
    assert page.status_code == 200
    assert page.json()["total"] == 2 and page.json()["page"] == 1 and page.json()["page_size"] == 1
    assert page.json()["has_more"] is True and [m["content"] for m in page.json()["messages"]] == ["Hi admin"]
    last = client.get(f"{BASE}messages/{conv}/", params={"page": 2, "page_size": 1}, headers=student_headers)
    assert last.json()["has_more"] is False and last.json()["messages"][0]["content"] == "Hi bob"
    whole = client.get(f"{BASE}messages/{conv}/", headers=student_headers).json()
    assert [m["content"] for m in whole["messages"]] == ["Hi admin", "Hi bob"]
    make_user(session, "carol")
    carol = auth_headers(client, "carol")
    refused = client.get(f"{BASE}messages/{conv}/", headers=carol)
    assert refused.status_code == 403 and refused.json() == {
        "error": "You are not a participant in this conversation"
    }
    missing = client.get(f"{BASE}messages/999999/", headers=student_headers)
    assert missing.status_code == 404 and missing.json() == {"error": "Conversation not found"}


def test_mark_read(client, session, student, other_student, student_headers, bob_headers):
    conv = send(client, student_headers, [other_student.id], "one").json()["conversation"]
    send(client, student_headers, [other_student.id], "two")
    response = client.post(f"{BASE}mark-read/{conv}/", headers=bob_headers)
    assert response.status_code == 200 and response.json() == {
        "status": "Messages marked as read",
        "count": 2,
    }
    assert client.post(f"{BASE}mark-read/{conv}/", headers=bob_headers).json()["count"] == 0
    assert client.get(BASE + "conversations/", headers=bob_headers).json()[0]["unread_count"] == 0
    mine = client.get(f"{BASE}messages/{conv}/", headers=student_headers).json()["messages"]
    assert all(m["is_read"] for m in mine)  # the sender sees them read by the recipient
    assert client.get(BASE + "unread_count/", headers=bob_headers).json() == {"count": 0}
    # The sender has nothing addressed to them; a non-participant is refused.
    assert client.post(f"{BASE}mark-read/{conv}/", headers=student_headers).json()["count"] == 0
    make_user(session, "carol")
    refused = client.post(f"{BASE}mark-read/{conv}/", headers=auth_headers(client, "carol"))
    assert refused.status_code == 403 and set(refused.json()) == {"error"}


def test_anonymous_is_401(client):
    assert client.get(BASE + "conversations/").status_code == 401
