"""`/api/engagement/`: Q&A, polls, reactions, raised hands and the summary, with chat's access rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.test_webinars import new_webinar, register
from tests.conftest import auth_headers, make_user
from webinar_app.services.engagement import reactions

BASE = "/api/engagement/"
Q = BASE + "questions/"
P = BASE + "polls/"
H = BASE + "hands/"
LIVE_NOW = timedelta(minutes=-5)
NO_ACCESS_KEYS = {"error"}


@pytest.fixture
def bob_headers(client: Any, other_student: Any) -> dict[str, str]:
    return auth_headers(client, "bob")


@pytest.fixture
def carol(session: Any) -> Any:
    return make_user(session, "carol")


@pytest.fixture
def carol_headers(client: Any, carol: Any) -> dict[str, str]:
    return auth_headers(client, "carol")


@pytest.fixture
def room(client, admin_headers, student_headers, bob_headers) -> dict[str, Any]:
    """A webinar live right now, alice and bob registered; the admin hosts it."""
    w = new_webinar(client, admin_headers, title="Live", when=LIVE_NOW, duration=60)
    register(client, student_headers, w["id"])
    register(client, bob_headers, w["id"])
    return w


def ask(client: Any, headers: dict[str, str], event: int, text: str = "Why?", **extra: Any) -> Any:
    return client.post(Q, json={"event": event, "text": text, **extra}, headers=headers)


def make_poll(client: Any, headers: dict[str, str], event: int, **extra: Any) -> dict[str, Any]:
    body = {"event": event, "question": "Best?", "options": ["A", "B", "C"], **extra}
    response = client.post(P, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def open_poll(client: Any, headers: dict[str, str], poll_id: int) -> dict[str, Any]:
    response = client.post(f"{P}{poll_id}/open/", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------ access


def test_anonymous_is_401_everywhere(client, room):
    for method, path in [
        ("get", f"{Q}?event={room['id']}"),
        ("post", Q),
        ("get", f"{P}?event={room['id']}"),
        ("post", P),
        ("post", BASE + "reactions/"),
        ("get", f"{H}?event={room['id']}"),
        ("post", H),
        ("get", f"{BASE}summary/?event={room['id']}"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, (method, path, response.text)


def test_non_registrant_is_403_with_error_body(client, room, carol_headers):
    for response in (
        client.get(Q, params={"event": room["id"]}, headers=carol_headers),
        ask(client, carol_headers, room["id"]),
        client.get(P, params={"event": room["id"]}, headers=carol_headers),
        client.post(BASE + "reactions/", json={"event": room["id"], "emoji": "clap"}, headers=carol_headers),
        client.post(H, json={"event": room["id"]}, headers=carol_headers),
        client.get(H, params={"event": room["id"]}, headers=carol_headers),
    ):
        assert response.status_code == 403, response.text
        assert set(response.json()) == NO_ACCESS_KEYS


def test_waitlisted_user_is_403(client, admin_headers, student_headers, bob_headers):
    w = new_webinar(client, admin_headers, title="Full", when=LIVE_NOW, duration=60, capacity=1)
    register(client, student_headers, w["id"])
    assert register(client, bob_headers, w["id"])["status"] == "waitlisted"
    assert client.get(Q, params={"event": w["id"]}, headers=bob_headers).status_code == 403
    assert ask(client, bob_headers, w["id"]).status_code == 403
    assert ask(client, student_headers, w["id"]).status_code == 201


def test_banned_user_is_403(client, room, student, student_headers, admin_headers):
    banned = client.post(
        "/api/communications/chat/ban/", json={"event": room["id"], "user": student.id}, headers=admin_headers
    )
    assert banned.status_code == 200, banned.text
    refused = client.get(Q, params={"event": room["id"]}, headers=student_headers)
    assert refused.status_code == 403 and refused.json() == {"error": "You are banned from this chat"}
    assert ask(client, student_headers, room["id"]).status_code == 403
    assert client.post(H, json={"event": room["id"]}, headers=student_headers).status_code == 403


def test_room_not_live_refuses_questions_but_lists(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, title="Later", when=timedelta(days=2))
    register(client, student_headers, w["id"])
    refused = ask(client, student_headers, w["id"])
    assert refused.status_code == 403 and "live" in refused.json()["error"]
    assert client.get(Q, params={"event": w["id"]}, headers=student_headers).json() == []


def test_missing_or_bad_event_param(client, room, student_headers):
    for path in (Q, P, H, BASE + "summary/"):
        missing = client.get(path, headers=student_headers)
        assert missing.status_code == 400 and "event" in missing.json(), (path, missing.text)
        bad = client.get(path, params={"event": "abc"}, headers=student_headers)
        assert bad.status_code == 400 and "event" in bad.json(), (path, bad.text)
        huge = client.get(path, params={"event": "99999999999999999999"}, headers=student_headers)
        assert huge.status_code == 404, (path, huge.text)
    assert client.delete(H, headers=student_headers).status_code == 400
    unknown = client.get(Q, params={"event": 987654}, headers=student_headers)
    assert unknown.status_code == 404 and unknown.json() == {"error": "Webinar not found"}


@pytest.mark.parametrize(
    "body",
    [
        "just a string",
        ["a", "list"],
        True,
        12,
        None,
        {"event": True},
        {"event": [1]},
        {"event": 10**30},
        {"event": "x"},
        {"event": {"a": 1}},
    ],
)
def test_odd_bodies_are_400_never_500(client, room, student_headers, admin_headers, body):
    q = ask(client, student_headers, room["id"]).json()
    poll = make_poll(client, admin_headers, room["id"])
    open_poll(client, admin_headers, poll["id"])
    kwargs = {"json": body} if body is not None else {"content": b"{not json"}
    for method, path, headers in [
        ("post", Q, student_headers),
        ("patch", f"{Q}{q['id']}/", admin_headers),
        ("post", P, admin_headers),
        ("patch", f"{P}{poll['id']}/", admin_headers),
        ("post", f"{P}{poll['id']}/vote/", student_headers),
        ("post", BASE + "reactions/", student_headers),
        ("post", H, student_headers),
        ("post", H + "clear/", admin_headers),
    ]:
        response = client.request(method.upper(), path, headers=headers, **kwargs)
        status = response.status_code
        assert status < 500 and status != 422, (method, path, body, status, response.text)
        if not isinstance(body, dict):
            assert status == 400, (method, path, body, status, response.text)


@pytest.mark.parametrize(
    "field,value",
    [
        ("text", ["x"]),
        ("text", {"a": 1}),
        ("text", ""),
        ("text", "x" * 501),
        ("anonymous", "maybe"),
        ("anonymous", [1]),
        ("event", 2**31),
    ],
)
def test_question_field_errors(client, room, student_headers, field, value):
    body = {"event": room["id"], "text": "ok", field: value}
    response = client.post(Q, json=body, headers=student_headers)
    assert response.status_code == 400 and field in response.json(), response.text


def test_huge_and_unknown_path_ids_are_404(client, room, student_headers):
    for path in (
        f"{Q}99999999999999999999/",
        f"{P}99999999999999999999/",
        f"{P}2147483648/results/",
        f"{Q}424242/",
        f"{P}424242/",
    ):
        response = client.get(path, headers=student_headers)
        assert response.status_code == 404, (path, response.text)
    for path in (f"{Q}99999999999999999999/vote/", f"{P}99999999999999999999/vote/", f"{P}2147483648/open/"):
        assert client.post(path, json={}, headers=student_headers).status_code == 404


def test_openapi_documents_engagement(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/engagement/questions/",
        "/api/engagement/polls/{poll_id}/vote/",
        "/api/engagement/reactions/",
        "/api/engagement/hands/clear/",
        "/api/engagement/summary/",
    ):
        assert path in paths
    body = paths["/api/engagement/polls/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"event", "question", "options"} <= set(body["properties"])


# ------------------------------------------------------------------ questions


def test_ask_list_get_and_sort_by_votes(client, room, student, student_headers, bob_headers, admin_headers):
    first = ask(client, student_headers, room["id"], "first")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["event"] == room["id"] and body["user"] == student.id and body["mine"] is True
    assert body["votes"] == 0 and body["answered"] is False and body["created_at"].endswith("Z")
    second = ask(client, bob_headers, room["id"], "second").json()
    vote = client.post(f"{Q}{second['id']}/vote/", headers=student_headers)
    assert vote.status_code == 201 and vote.json() == {"id": second["id"], "event": room["id"], "votes": 1}
    listed = client.get(Q, params={"event": room["id"]}, headers=bob_headers).json()
    assert [q["text"] for q in listed] == ["second", "first"]
    assert listed[0]["votes"] == 1 and listed[0]["voted"] is False
    mine = client.get(f"{Q}{second['id']}/", headers=student_headers).json()
    assert mine["voted"] is True and mine["votes"] == 1
    # pinned first, answered after unanswered
    client.patch(f"{Q}{body['id']}/", json={"pinned": True}, headers=admin_headers)
    assert [q["text"] for q in client.get(Q, params={"event": room["id"]}, headers=bob_headers).json()] == [
        "first",
        "second",
    ]


def test_form_encoded_question(client, room, student_headers):
    response = client.post(
        Q, data={"event": str(room["id"]), "text": "via form", "anonymous": "true"}, headers=student_headers
    )
    assert response.status_code == 201 and response.json()["anonymous"] is True


def test_anonymous_question_hides_author_from_other_attendees_only(
    client, room, student, student_headers, bob_headers, admin_headers
):
    q = ask(client, student_headers, room["id"], "secret", anonymous=True).json()
    assert q["user"] == student.id  # the asker sees themself
    other = client.get(f"{Q}{q['id']}/", headers=bob_headers).json()
    assert other["user"] is None and other["user_username"] is None and other["author_name"] == "Anonymous"
    listed = client.get(Q, params={"event": room["id"]}, headers=bob_headers).json()
    assert listed[0]["user"] is None and listed[0]["mine"] is False
    host = client.get(f"{Q}{q['id']}/", headers=admin_headers).json()
    assert host["user"] == student.id and host["user_username"] == "alice"


def test_own_question_cannot_be_upvoted_and_second_upvote_is_400(client, room, student_headers, bob_headers):
    q = ask(client, student_headers, room["id"]).json()
    own = client.post(f"{Q}{q['id']}/vote/", headers=student_headers)
    assert own.status_code == 403 and own.json() == {"error": "You cannot upvote your own question"}
    assert client.post(f"{Q}{q['id']}/vote/", headers=bob_headers).status_code == 201
    again = client.post(f"{Q}{q['id']}/vote/", headers=bob_headers)
    assert again.status_code == 400 and again.json() == {"error": "You have already upvoted this question"}
    back = client.delete(f"{Q}{q['id']}/vote/", headers=bob_headers)
    assert back.status_code == 200 and back.json()["votes"] == 0
    assert client.delete(f"{Q}{q['id']}/vote/", headers=bob_headers).status_code == 404
    assert client.post(f"{Q}{q['id']}/vote/", headers=bob_headers).status_code == 201


def test_hidden_question_is_404_to_attendees_but_visible_to_hosts(
    client, room, student_headers, bob_headers, admin_headers
):
    q = ask(client, student_headers, room["id"]).json()
    hidden = client.patch(f"{Q}{q['id']}/", json={"hidden": True}, headers=admin_headers)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    for headers in (student_headers, bob_headers):
        assert client.get(f"{Q}{q['id']}/", headers=headers).status_code == 404
        assert client.post(f"{Q}{q['id']}/vote/", headers=headers).status_code == 404
        assert client.get(Q, params={"event": room["id"]}, headers=headers).json() == []
    assert client.get(f"{Q}{q['id']}/", headers=admin_headers).json()["hidden"] is True
    assert [x["id"] for x in client.get(Q, params={"event": room["id"]}, headers=admin_headers).json()] == [
        q["id"]
    ]
    shown = client.patch(f"{Q}{q['id']}/", json={"hidden": False}, headers=admin_headers)
    assert shown.json()["hidden"] is False
    assert client.get(f"{Q}{q['id']}/", headers=bob_headers).status_code == 200


def test_moderation_is_for_hosts_only(client, room, student_headers, bob_headers, admin_headers):
    q = ask(client, student_headers, room["id"]).json()
    for headers in (student_headers, bob_headers):
        refused = client.patch(f"{Q}{q['id']}/", json={"answered": True}, headers=headers)
        assert refused.status_code == 403 and set(refused.json()) == NO_ACCESS_KEYS
    done = client.patch(f"{Q}{q['id']}/", json={"answered": True, "pinned": "true"}, headers=admin_headers)
    assert done.status_code == 200, done.text
    assert done.json()["answered"] is True and done.json()["pinned"] is True
    assert done.json()["answered_at"].endswith("Z")
    empty = client.patch(f"{Q}{q['id']}/", json={}, headers=admin_headers)
    assert empty.status_code == 400 and "non_field_errors" in empty.json()
    bad = client.patch(f"{Q}{q['id']}/", json={"pinned": "maybe"}, headers=admin_headers)
    assert bad.status_code == 400 and "pinned" in bad.json()


def test_delete_by_author_or_host(client, room, student_headers, bob_headers, admin_headers):
    mine = ask(client, student_headers, room["id"]).json()
    assert client.delete(f"{Q}{mine['id']}/", headers=bob_headers).status_code == 403
    gone = client.delete(f"{Q}{mine['id']}/", headers=student_headers)
    assert gone.status_code == 204 and gone.content == b""
    assert client.get(f"{Q}{mine['id']}/", headers=student_headers).status_code == 404
    other = ask(client, bob_headers, room["id"]).json()
    client.post(f"{Q}{other['id']}/vote/", headers=student_headers)
    assert client.delete(f"{Q}{other['id']}/", headers=admin_headers).status_code == 204
    assert client.get(Q, params={"event": room["id"]}, headers=admin_headers).json() == []


def test_student_organizer_has_host_powers(client, admin_headers, carol, carol_headers, student_headers):
    w = new_webinar(client, admin_headers, title="Carol's", when=LIVE_NOW, duration=60, organizer=carol.id)
    register(client, student_headers, w["id"])
    q = ask(client, student_headers, w["id"], "anon", anonymous=True).json()
    assert client.get(f"{Q}{q['id']}/", headers=carol_headers).json()["user_username"] == "alice"
    assert client.patch(f"{Q}{q['id']}/", json={"hidden": True}, headers=carol_headers).status_code == 200
    poll = make_poll(client, carol_headers, w["id"])
    assert open_poll(client, carol_headers, poll["id"])["status"] == "open"
    assert client.get(f"{BASE}summary/", params={"event": w["id"]}, headers=carol_headers).status_code == 200
    assert "queue" in client.get(H, params={"event": w["id"]}, headers=carol_headers).json()


# ------------------------------------------------------------------ polls


def test_attendee_cannot_create_or_run_polls(client, room, student_headers, admin_headers):
    refused = client.post(
        P, json={"event": room["id"], "question": "Q?", "options": ["a", "b"]}, headers=student_headers
    )
    assert refused.status_code == 403 and refused.json() == {
        "error": "Only the webinar organizer or an admin can do this"
    }
    poll = make_poll(client, admin_headers, room["id"])
    for method, path in (
        ("post", f"{P}{poll['id']}/open/"),
        ("post", f"{P}{poll['id']}/close/"),
        ("patch", f"{P}{poll['id']}/"),
        ("delete", f"{P}{poll['id']}/"),
    ):
        kwargs = {"json": {"question": "x"}} if method == "patch" else {}
        assert getattr(client, method)(path, headers=student_headers, **kwargs).status_code == 403


def test_poll_validation(client, room, admin_headers):
    def create(**body: Any) -> Any:
        return client.post(
            P,
            json={"event": room["id"], "question": "Q?", "options": ["a", "b"], **body},
            headers=admin_headers,
        )

    assert "options" in create(options=["only"]).json()
    assert "options" in create(options=["a", "A"]).json()
    assert "options" in create(options="a,b").json()
    assert "options" in create(options=[None, "b"]).json()
    assert "options" in create(options=[str(i) for i in range(11)]).json()
    assert "results_visibility" in create(results_visibility="nobody").json()
    assert "question" in create(question="").json()
    assert "multiple" in create(multiple="perhaps").json()
    assert create(event=424242).json() == {"event": ['Invalid pk "424242" - object does not exist.']}


def test_poll_lifecycle_draft_hidden_from_attendees(client, room, student_headers, admin_headers):
    poll = make_poll(client, admin_headers, room["id"])
    assert poll["status"] == "draft" and [o["text"] for o in poll["options"]] == ["A", "B", "C"]
    assert client.get(P, params={"event": room["id"]}, headers=student_headers).json() == []
    assert client.get(f"{P}{poll['id']}/", headers=student_headers).status_code == 404
    edited = client.patch(
        f"{P}{poll['id']}/", json={"question": "Better?", "options": ["X", "Y"]}, headers=admin_headers
    )
    assert edited.status_code == 200 and [o["text"] for o in edited.json()["options"]] == ["X", "Y"]
    opened = open_poll(client, admin_headers, poll["id"])
    assert opened["opened_at"].endswith("Z")
    assert client.post(f"{P}{poll['id']}/open/", headers=admin_headers).status_code == 400
    assert [p["id"] for p in client.get(P, params={"event": room["id"]}, headers=student_headers).json()] == [
        poll["id"]
    ]
    locked = client.patch(f"{P}{poll['id']}/", json={"question": "Changed"}, headers=admin_headers)
    assert locked.status_code == 400 and "non_field_errors" in locked.json()
    hosts_only = client.patch(
        f"{P}{poll['id']}/", json={"results_visibility": "hosts"}, headers=admin_headers
    )
    assert hosts_only.status_code == 200 and hosts_only.json()["results_visibility"] == "hosts"
    closed = client.post(f"{P}{poll['id']}/close/", headers=admin_headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert client.post(f"{P}{poll['id']}/close/", headers=admin_headers).status_code == 400
    assert client.delete(f"{P}{poll['id']}/", headers=admin_headers).status_code == 204
    assert client.get(f"{P}{poll['id']}/", headers=admin_headers).status_code == 404


def test_single_choice_vote_and_results(client, room, student_headers, bob_headers, admin_headers):
    poll = open_poll(client, admin_headers, make_poll(client, admin_headers, room["id"])["id"])
    a, b, _c = (o["id"] for o in poll["options"])
    two = client.post(f"{P}{poll['id']}/vote/", json={"options": [a, b]}, headers=student_headers)
    assert two.status_code == 400 and "options" in two.json()
    foreign = client.post(f"{P}{poll['id']}/vote/", json={"option": 424242}, headers=student_headers)
    assert foreign.status_code == 400 and "options" in foreign.json()
    none = client.post(f"{P}{poll['id']}/vote/", json={}, headers=student_headers)
    assert none.status_code == 400 and "options" in none.json()
    ok = client.post(f"{P}{poll['id']}/vote/", json={"option": a}, headers=student_headers)
    assert ok.status_code == 201 and ok.json() == {"poll": poll["id"], "options": [a], "total_votes": 1}
    again = client.post(f"{P}{poll['id']}/vote/", json={"option": b}, headers=student_headers)
    assert again.status_code == 400 and again.json() == {"error": "You have already voted in this poll"}
    client.post(f"{P}{poll['id']}/vote/", json={"options": [b]}, headers=bob_headers)
    results = client.get(f"{P}{poll['id']}/results/", headers=student_headers).json()
    assert {o["id"]: o["votes"] for o in results["options"]} == {a: 1, b: 1, _c: 0}
    assert results["total_votes"] == 2 and results["my_choices"] == [a] and results["voted"] is True
    assert results == client.get(f"{P}{poll['id']}/", headers=student_headers).json()


def test_multiple_choice_counts_ballots_and_options(
    client, room, student_headers, bob_headers, admin_headers
):
    poll = make_poll(client, admin_headers, room["id"], multiple=True)
    poll = open_poll(client, admin_headers, poll["id"])
    a, b, c = (o["id"] for o in poll["options"])
    assert (
        client.post(f"{P}{poll['id']}/vote/", json={"options": [a, c]}, headers=student_headers).status_code
        == 201
    )
    assert (
        client.post(f"{P}{poll['id']}/vote/", json={"options": [a]}, headers=bob_headers).status_code == 201
    )
    dup = client.post(f"{P}{poll['id']}/vote/", json={"options": [b, b]}, headers=admin_headers)
    assert dup.status_code == 400
    results = client.get(f"{P}{poll['id']}/results/", headers=admin_headers).json()
    assert {o["id"]: o["votes"] for o in results["options"]} == {a: 2, b: 0, c: 1}
    assert results["total_votes"] == 2


def test_closed_poll_refuses_votes_and_draft_is_hidden(
    client, room, student_headers, bob_headers, admin_headers
):
    poll = make_poll(client, admin_headers, room["id"])
    option = poll["options"][0]["id"]
    draft = client.post(f"{P}{poll['id']}/vote/", json={"option": option}, headers=student_headers)
    assert draft.status_code == 404
    open_poll(client, admin_headers, poll["id"])
    client.post(f"{P}{poll['id']}/vote/", json={"option": option}, headers=student_headers)
    client.post(f"{P}{poll['id']}/close/", headers=admin_headers)
    refused = client.post(f"{P}{poll['id']}/vote/", json={"option": option}, headers=bob_headers)
    assert refused.status_code == 403 and refused.json() == {"error": "This poll is not open for votes"}
    # closed results are kept (analytics) and still readable
    assert client.get(f"{P}{poll['id']}/results/", headers=bob_headers).json()["total_votes"] == 1
    reopened = open_poll(client, admin_headers, poll["id"])
    assert reopened["closed_at"] is None
    assert (
        client.post(f"{P}{poll['id']}/vote/", json={"option": option}, headers=bob_headers).status_code == 201
    )


def test_hosts_only_results_are_null_for_attendees(client, room, student_headers, admin_headers):
    poll = make_poll(client, admin_headers, room["id"], results_visibility="hosts")
    open_poll(client, admin_headers, poll["id"])
    option = poll["options"][1]["id"]
    voted = client.post(f"{P}{poll['id']}/vote/", json={"option": option}, headers=student_headers)
    assert voted.status_code == 201 and voted.json()["total_votes"] is None
    seen = client.get(f"{P}{poll['id']}/results/", headers=student_headers).json()
    assert seen["total_votes"] is None and all(o["votes"] is None for o in seen["options"])
    assert seen["my_choices"] == [option]
    host = client.get(f"{P}{poll['id']}/results/", headers=admin_headers).json()
    assert host["total_votes"] == 1 and {o["id"]: o["votes"] for o in host["options"]}[option] == 1


# ------------------------------------------------------------------ reactions


def test_reaction_accepted_and_rate_limited(client, room, student_headers, bob_headers):
    url = BASE + "reactions/"
    first = client.post(url, json={"event": room["id"], "emoji": "clap"}, headers=student_headers)
    assert first.status_code == 202 and first.json() == {"status": "ok"}
    for _ in range(reactions.PER_USER_LIMIT - 1):
        assert (
            client.post(
                url, json={"event": room["id"], "emoji": "heart"}, headers=student_headers
            ).status_code
            == 202
        )
    limited = client.post(url, json={"event": room["id"], "emoji": "clap"}, headers=student_headers)
    assert limited.status_code == 429 and "error" in limited.json()
    assert int(limited.headers["Retry-After"]) >= 1
    # per user: bob still may
    assert (
        client.post(url, json={"event": room["id"], "emoji": "wow"}, headers=bob_headers).status_code == 202
    )
    bad = client.post(url, json={"event": room["id"], "emoji": "poop"}, headers=bob_headers)
    assert bad.status_code == 400 and "emoji" in bad.json()
    missing = client.post(url, json={"emoji": "clap"}, headers=bob_headers)
    assert missing.status_code == 400 and "event" in missing.json()


def test_reactions_refused_when_room_closed(client, admin_headers, student_headers):
    w = new_webinar(client, admin_headers, title="Later", when=timedelta(days=2))
    register(client, student_headers, w["id"])
    refused = client.post(
        BASE + "reactions/", json={"event": w["id"], "emoji": "clap"}, headers=student_headers
    )
    assert refused.status_code == 403


# ------------------------------------------------------------------ hands


def test_raise_lower_and_host_queue(
    client, room, student, other_student, student_headers, bob_headers, admin_headers
):
    event = room["id"]
    up = client.post(H, json={"event": event}, headers=student_headers)
    assert up.status_code == 201 and up.json() == {"event": event, "raised": True}
    again = client.post(H, json={"event": event}, headers=student_headers)
    assert again.status_code == 200 and again.json()["raised"] is True
    assert client.post(H, json={"event": event}, headers=bob_headers).status_code == 201
    assert client.get(H, params={"event": event}, headers=student_headers).json() == {
        "event": event,
        "raised": True,
    }
    queue = client.get(H, params={"event": event}, headers=admin_headers).json()["queue"]
    assert [h["user"] for h in queue] == [student.id, other_student.id]
    assert queue[0]["username"] == "alice" and queue[0]["raised_at"].endswith("Z")
    down = client.delete(H, params={"event": event}, headers=student_headers)
    assert down.status_code == 200 and down.json() == {"event": event, "raised": False, "lowered": True}
    assert client.delete(H, params={"event": event}, headers=student_headers).json()["lowered"] is False
    refused = client.post(H + "clear/", json={"event": event}, headers=student_headers)
    assert refused.status_code == 403
    client.post(H, json={"event": event}, headers=student_headers)
    one = client.post(H + "clear/", json={"event": event, "user": other_student.id}, headers=admin_headers)
    assert one.status_code == 200 and one.json() == {"event": event, "cleared": 1}
    assert [
        h["user"] for h in client.get(H, params={"event": event}, headers=admin_headers).json()["queue"]
    ] == [student.id]
    everyone = client.post(H + "clear/", json={"event": event}, headers=admin_headers)
    assert everyone.json()["cleared"] == 1
    assert client.get(H, params={"event": event}, headers=admin_headers).json()["queue"] == []
    bad_user = client.post(H + "clear/", json={"event": event, "user": "abc"}, headers=admin_headers)
    assert bad_user.status_code == 400 and "user" in bad_user.json()


# ------------------------------------------------------------------ summary


def test_summary_figures_for_hosts_only(client, room, student_headers, bob_headers, admin_headers):
    event = room["id"]
    q1 = ask(client, student_headers, event, "one").json()
    q2 = ask(client, student_headers, event, "two").json()
    ask(client, bob_headers, event, "three")
    client.post(f"{Q}{q1['id']}/vote/", headers=bob_headers)
    client.post(f"{Q}{q2['id']}/vote/", headers=bob_headers)
    client.patch(f"{Q}{q1['id']}/", json={"answered": True}, headers=admin_headers)
    client.patch(f"{Q}{q2['id']}/", json={"hidden": True}, headers=admin_headers)
    poll = open_poll(
        client, admin_headers, make_poll(client, admin_headers, event, results_visibility="hosts")["id"]
    )
    a = poll["options"][0]["id"]
    client.post(f"{P}{poll['id']}/vote/", json={"option": a}, headers=student_headers)
    client.post(f"{P}{poll['id']}/vote/", json={"option": a}, headers=bob_headers)
    refused = client.get(f"{BASE}summary/", params={"event": event}, headers=student_headers)
    assert refused.status_code == 403
    body = client.get(f"{BASE}summary/", params={"event": event}, headers=admin_headers).json()
    assert body["event"] == event
    assert body["questions"] == {"asked": 3, "answered": 1, "hidden": 1, "askers": 2, "upvotes": 2}
    [p] = body["polls"]
    assert p["id"] == poll["id"] and p["total_votes"] == 2 and p["status"] == "open"
    assert p["options"] == [{"text": "A", "votes": 2}, {"text": "B", "votes": 0}, {"text": "C", "votes": 0}]
    assert isinstance(body["reactions"], dict)
