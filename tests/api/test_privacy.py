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


# ------------------------------------------------------------------ live-room engagement


def _engagement(session: Session, webinar: Webinar, asker: User, voter: User, host: User) -> dict[str, int]:
    """A question by `asker` upvoted by `voter`, hidden by `host`; a poll by `host` both voted in."""
    from webinar_app.models import Poll, PollBallot, PollOption, PollVote, Question, QuestionVote, RaisedHand

    question = Question(webinar_id=webinar.id, user_id=asker.id, text="my question", hidden_by_id=host.id)  # type: ignore[arg-type]
    poll = Poll(webinar_id=webinar.id, question="Pick", status="closed", created_by_id=host.id)  # type: ignore[arg-type]
    session.add_all([question, poll])
    session.flush()
    options = [PollOption(poll_id=poll.id, text=t, position=i) for i, t in enumerate(["Yes", "No"])]  # type: ignore[arg-type]
    session.add_all(options)
    session.add(QuestionVote(question_id=question.id, user_id=voter.id))  # type: ignore[arg-type]
    session.add(RaisedHand(webinar_id=webinar.id, user_id=asker.id))  # type: ignore[arg-type]
    session.flush()
    for user, option in ((asker, options[0]), (voter, options[1])):
        ballot = PollBallot(poll_id=poll.id, user_id=user.id)  # type: ignore[arg-type]
        session.add(ballot)
        session.flush()
        session.add(PollVote(ballot_id=ballot.id, poll_id=poll.id, option_id=option.id))  # type: ignore[arg-type]
    session.commit()
    return {"question": question.id, "poll": poll.id}  # type: ignore[dict-item]


def test_export_includes_my_questions_upvotes_and_ballots(client, session: Session, student, admin) -> None:
    webinar = _webinar(session, admin)
    bob = make_user(session, "bob")
    ids = _engagement(session, webinar, student, bob, admin)
    data = client.get("/api/accounts/users/me/export/", headers=auth_headers(client, "alice")).json()
    [question] = data["questions"]
    assert question["text"] == "my question" and question["webinar_id"] == webinar.id
    assert question["created_at"]
    assert data["question_upvotes"] == []  # alice upvoted nothing
    [ballot] = data["poll_ballots"]
    assert ballot["poll_id"] == ids["poll"] and ballot["question"] == "Pick" and ballot["choices"] == ["Yes"]
    theirs = client.get("/api/accounts/users/me/export/", headers=auth_headers(client, "bob")).json()
    assert [v["question_id"] for v in theirs["question_upvotes"]] == [ids["question"]]
    assert theirs["questions"] == [] and theirs["poll_ballots"][0]["choices"] == ["No"]


def test_delete_account_blanks_questions_and_keeps_results(client, session: Session, student, admin) -> None:
    from webinar_app.models import PollBallot, Question, QuestionVote, RaisedHand

    webinar = _webinar(session, admin)
    bob = make_user(session, "bob")
    ids = _engagement(session, webinar, student, bob, admin)
    headers = auth_headers(client, "alice")
    ok = client.post("/api/accounts/users/me/delete/", json={"password": "correct-horse-1"}, headers=headers)
    assert ok.status_code == 200, ok.text
    session.expire_all()
    question = session.get(Question, ids["question"])
    assert question is not None and question.text == "[deleted]"
    assert session.exec(select(func.count()).select_from(QuestionVote)).one() == 1
    assert session.exec(select(func.count()).select_from(PollBallot)).one() == 2  # results unchanged
    assert session.exec(select(func.count()).select_from(RaisedHand)).one() == 0


def test_hard_deleting_users_with_engagement_rows(client, session: Session, admin) -> None:
    from webinar_app.models import Poll, PollBallot, PollVote, Question, QuestionVote, RaisedHand

    host = make_user(session, "host", role="admin")
    asker, voter = make_user(session, "asker"), make_user(session, "voter")
    webinar = _webinar(session, admin)
    ids = _engagement(session, webinar, asker, voter, host)
    headers = auth_headers(client, "root")
    for user in (voter, host, asker):
        gone = client.delete(f"/api/accounts/users/{user.id}/", headers=headers)
        assert gone.status_code == 204, gone.text
        session.expire_all()
        if user is voter:  # their upvote and ballot go; the question stays
            assert session.exec(select(func.count()).select_from(QuestionVote)).one() == 0
            assert session.exec(select(func.count()).select_from(PollBallot)).one() == 1
        if user is host:  # what they moderated or created loses its pointer, not its row
            poll, question = session.get(Poll, ids["poll"]), session.get(Question, ids["question"])
            assert poll is not None and poll.created_by_id is None
            assert question is not None and question.hidden_by_id is None
    for table in (Question, PollBallot, PollVote, RaisedHand):
        assert session.exec(select(func.count()).select_from(table)).one() == 0
    assert session.get(Poll, ids["poll"]) is not None
