"""Live-room engagement states (Q&A, polls, reactions, hands) against a real database.

What matters: each handler acts as the user the stored token names, never a state var; a
pushed event is redacted for the tab that receives it (hidden questions and anonymous
authors, draft polls and hosts-only counts never show to an attendee); refusals reach the
page as toasts and change nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import make_user
from tests.state.test_auth_state import run, signed_in_tree, sub
from tests.state.test_live_room_states import live_url, seed
from tests.state.test_webinar_states import at, toasts
from webinar_app.models import Poll, Question, RaisedHand
from webinar_app.realtime import Event, subscribe
from webinar_app.services import live, registrations
from webinar_app.services.engagement import access, polls, questions
from webinar_app.state.auth import AuthState
from webinar_app.state.engagement_polls import PollFormState, PollsState
from webinar_app.state.engagement_questions import QuestionsState
from webinar_app.state.engagement_reactions import HandsState, ReactionsState


class Room:
    """A live webinar with an admin host and one registrant, each in their own state tree."""

    def __init__(self, session: Session) -> None:
        self.host_user = make_user(session, "root", role="admin")
        self.webinar = seed(session, self.host_user)
        live.start(session, self.host_user, self.webinar.id)
        self.host, _ = signed_in_tree(session, "admin2", role="admin")
        self.alice_root, self.alice = signed_in_tree(session, "alice")
        self.bob_root, self.bob = signed_in_tree(session, "bob")
        for person in (self.alice, self.bob):
            registrations.register(session, person, self.webinar.id)
        for root in (self.host, self.alice_root, self.bob_root):
            at(root, live_url(self.webinar))


@pytest.fixture
def room(session: Session) -> Room:
    return Room(session)


class Published(list[tuple[str, Event]]):
    """Every event the services publish on a room's engagement topics (as the hub would get them)."""

    def __init__(self) -> None:
        super().__init__()
        self.stops: list[Any] = []

    def start(self, webinar_id: int) -> None:
        for topic in (
            access.qa_topic(webinar_id),
            access.polls_topic(webinar_id),
            access.hosts_topic(webinar_id),
        ):
            self.stops.append(subscribe(topic, lambda t, e: self.append((t, e))))


@pytest.fixture
def published() -> Iterator[Published]:
    seen = Published()
    yield seen
    for stop in seen.stops:
        stop()


def push(state: Any, topic: str, event: Event) -> None:
    asyncio.run(state._on_realtime(topic, event))


def deliver(events: list[tuple[str, Event]], *states: Any, kind: str | None = None) -> None:
    """Hand what was published to each tab, as the hub would."""
    for topic, event in events:
        if kind is None or event.kind == kind:
            for state in states:
                push(state, topic, event)


def q_open(root: Any) -> QuestionsState:
    state = sub(root, QuestionsState)
    run(QuestionsState.open_questions.fn(state))
    return state


def p_open(root: Any) -> PollsState:
    state = sub(root, PollsState)
    run(PollsState.open_polls.fn(state))
    return state


# ---------------------------------------------------------------- Q&A


def test_ask_vote_and_pushed_changes_reach_both_tabs(room: Room, published: Any, session: Session) -> None:
    published.start(room.webinar.id)
    alice, bob, host = q_open(room.alice_root), q_open(room.bob_root), q_open(room.host)
    assert alice.loaded and alice.allowed and alice.questions == [] and host.is_host and not alice.is_host

    events = run(QuestionsState.ask.fn(alice, {"text": "  Will <b>this</b> be recorded?  ", "anonymous": ""}))
    assert "Question sent" in toasts(events)
    deliver(published, alice, bob, host)
    published.clear()
    for state in (alice, bob, host):
        assert [q.text for q in state.questions] == ["Will <b>this</b> be recorded?"]
    assert alice.questions[0].mine and not bob.questions[0].mine
    assert bob.questions[0].author_name == "alice"
    qid = bob.questions[0].id

    # Bob upvotes: his tab shows it voted at once; the throttled recount updates every tab.
    run(QuestionsState.toggle_vote.fn(bob, qid))
    assert bob.questions[0].voted and bob.questions[0].votes == 1
    questions.flush_votes(room.webinar.id)
    deliver(published, alice, host, kind="question_votes")
    assert alice.questions[0].votes == 1 and not alice.questions[0].voted
    # Toggling again takes the vote back.
    run(QuestionsState.toggle_vote.fn(bob, qid))
    assert not bob.questions[0].voted and bob.questions[0].votes == 0

    # A second question sorts below until it gets more votes.
    published.clear()
    run(QuestionsState.ask.fn(bob, {"text": "Slides?"}))
    deliver(published, alice, bob, host)
    second = next(q.id for q in alice.questions if q.text == "Slides?")
    assert [q.text for q in alice.questions] == ["Will <b>this</b> be recorded?", "Slides?"]
    published.clear()
    push(alice, access.qa_topic(room.webinar.id), Event("question_votes", {"counts": {str(second): 3}}))
    assert [q.id for q in alice.questions] == [second, qid]


def test_hidden_question_leaves_attendees_but_stays_greyed_for_hosts(room: Room, published: Any) -> None:
    published.start(room.webinar.id)
    alice, bob, host = q_open(room.alice_root), q_open(room.bob_root), q_open(room.host)
    run(QuestionsState.ask.fn(alice, {"text": "Off-topic rant"}))
    deliver(published, alice, bob, host)
    published.clear()
    qid = host.questions[0].id

    events = run(QuestionsState.moderate.fn(host, qid, "hide"))
    assert "Hidden from attendees" in toasts(events)
    deliver(published, alice, bob, host)
    assert bob.questions == [] and alice.questions == []
    assert [q.id for q in host.questions] == [qid] and host.questions[0].hidden

    # A fresh load agrees with the pushes.
    assert q_open(room.bob_root).questions == [] and len(q_open(room.host).questions) == 1

    published.clear()
    run(QuestionsState.moderate.fn(host, qid, "unhide"))
    run(QuestionsState.moderate.fn(host, qid, "answer"))
    run(QuestionsState.moderate.fn(host, qid, "pin"))
    deliver(published, bob, host)
    assert [q.id for q in bob.questions] == [qid]
    assert bob.questions[0].answered and bob.questions[0].pinned and not bob.questions[0].hidden


def test_anonymous_author_is_redacted_except_for_asker_and_hosts(room: Room, published: Any) -> None:
    published.start(room.webinar.id)
    alice, bob, host = q_open(room.alice_root), q_open(room.bob_root), q_open(room.host)
    # Form data as the browser sends it: the checkbox by name ("on") and by id (a bool).
    run(
        QuestionsState.ask.fn(
            alice, {"text": "Salary ranges?", "anonymous": "on", "question-anonymous": True}
        )
    )
    # The pushed event carries the author; each tab redacts it for its viewer.
    assert published[0][1].data["question"]["author_name"] == "alice"
    deliver(published, alice, bob, host)
    assert bob.questions[0].author_name == "Anonymous" and bob.questions[0].anonymous
    assert alice.questions[0].author_name == "alice" and alice.questions[0].mine
    assert host.questions[0].author_name == "alice"
    # Bob's tab pretending to host (a client may set public vars) does not unmask it.
    bob.is_host = True
    deliver(published, bob)
    assert bob.questions[0].author_name == "Anonymous"
    assert q_open(room.bob_root).questions[0].author_name == "Anonymous"


def test_non_host_moderation_is_refused_and_changes_nothing(room: Room, session: Session) -> None:
    alice, bob = q_open(room.alice_root), q_open(room.bob_root)
    run(QuestionsState.ask.fn(alice, {"text": "Question one"}))
    qid = session.exec(select(Question.id)).one()
    bob.is_host = True
    sub(room.bob_root, AuthState).user_id = room.host_user.id  # a forged var, not a token
    events = run(QuestionsState.moderate.fn(bob, qid, "hide"))
    assert access.NOT_HOST in toasts(events)
    events = run(QuestionsState.delete_question.fn(bob, qid))
    assert "only withdraw your own" in toasts(events)
    events = run(QuestionsState.moderate.fn(bob, qid, "explode"))
    assert "Invalid request" in toasts(events)
    session.expire_all()
    question = session.get(Question, qid)
    assert question is not None and question.hidden_at is None
    # Own upvote is refused; empty text too.
    alice_view = q_open(room.alice_root)
    assert "cannot upvote your own" in toasts(run(QuestionsState.toggle_vote.fn(alice_view, qid)))
    assert "blank" in toasts(run(QuestionsState.ask.fn(alice, {"text": "   "})))


# ---------------------------------------------------------------- polls


def make_poll(state: PollFormState, question: str, options: list[str], **kw: Any) -> list[Any]:
    state.options = options
    if kw.get("multiple"):
        PollFormState.set_multiple.fn(state, "multiple")
    if kw.get("visibility"):
        PollFormState.set_visibility.fn(state, kw["visibility"])
    return run(PollFormState.create.fn(state, {"question": question}))


def test_draft_is_invisible_to_attendees_until_opened_then_votes_update_bars(
    room: Room, published: Any, session: Session
) -> None:
    published.start(room.webinar.id)
    alice, bob, host = p_open(room.alice_root), p_open(room.bob_root), p_open(room.host)
    form = sub(room.host, PollFormState)
    events = make_poll(form, "Favourite language?", ["Python", "Rust", "Go"])
    assert "Draft poll created" in toasts(events) and form.options == ["", ""]
    deliver(published, alice, bob, host)
    published.clear()
    assert alice.polls == [] and bob.polls == []
    assert [p.status for p in host.polls] == ["draft"] and len(host.polls[0].options) == 3
    assert p_open(room.alice_root).polls == []
    pid = host.polls[0].id

    run(PollsState.open_poll.fn(host, pid))
    deliver(published, alice, bob, host)
    published.clear()
    assert [p.status for p in alice.polls] == ["open"] and alice.polls[0].show_results
    python = alice.polls[0].options[0].id

    events = run(PollsState.vote.fn(alice, pid, [python]))
    assert "Thanks for voting" in toasts(events)
    assert alice.polls[0].voted and alice.polls[0].my_choices == [python]
    polls.flush_results(pid, room.webinar.id)
    deliver(published, alice, bob, host)
    published.clear()
    for state in (alice, bob, host):
        poll = state.polls[0]
        assert poll.total_votes == 1 and [o.votes for o in poll.options] == [1, 0, 0]
        assert [o.percent for o in poll.options] == [100, 0, 0]
    # Bob's ballot is still his own to cast; a pushed change keeps Alice's.
    assert not bob.polls[0].voted and alice.polls[0].voted
    assert "already voted" in toasts(run(PollsState.vote.fn(alice, pid, [python])))
    run(PollsState.vote.fn(bob, pid, [alice.polls[0].options[1].id]))
    polls.flush_results(pid, room.webinar.id)
    deliver(published, alice, kind="poll_results")
    assert alice.polls[0].total_votes == 2 and [o.percent for o in alice.polls[0].options] == [50, 50, 0]

    run(PollsState.close_poll.fn(host, pid))
    deliver(published, alice, kind="poll_changed")
    assert alice.polls[0].status == "closed" and alice.polls[0].voted and alice.polls[0].total_votes == 2
    assert alice.open_count == 0


def test_multiple_choice_form_and_hosts_only_results(room: Room, published: Any) -> None:
    published.start(room.webinar.id)
    alice, host = p_open(room.alice_root), p_open(room.host)
    make_poll(
        sub(room.host, PollFormState), "Which topics?", ["A", "B", "C"], multiple=True, visibility="hosts"
    )
    deliver(published, host)
    pid = host.polls[0].id
    published.clear()
    run(PollsState.open_poll.fn(host, pid))
    deliver(published, alice, host)
    published.clear()
    poll = alice.polls[0]
    assert poll.multiple and not poll.show_results and poll.total_votes == 0
    a, _b, c = (o.id for o in poll.options)

    form = {f"choice-{a}": "on", f"choice-{c}": "on"}
    assert "Thanks for voting" in toasts(run(PollsState.vote_form.fn(alice, pid, form)))
    assert sorted(alice.polls[0].my_choices) == sorted([a, c])
    polls.flush_results(pid, room.webinar.id)
    # Host-only results go to the hosts' topic; an attendee's tab ignores counts it may not show.
    assert {t for t, e in published if e.kind == "poll_results"} == {access.hosts_topic(room.webinar.id)}
    deliver(published, host)
    assert [o.votes for o in host.polls[0].options] == [1, 0, 1] and host.polls[0].total_votes == 1
    topic, event = next((t, e) for t, e in published if e.kind == "poll_results")
    push(alice, access.polls_topic(room.webinar.id), event)
    assert alice.polls[0].total_votes == 0 and all(o.votes == 0 for o in alice.polls[0].options)


def test_non_host_cannot_create_open_or_delete_polls(room: Room, session: Session) -> None:
    alice = p_open(room.alice_root)
    alice.is_host = True
    events = make_poll(sub(room.alice_root, PollFormState), "Mine?", ["Yes", "No"])
    assert access.NOT_HOST in toasts(events)
    assert session.exec(select(Poll)).all() == []

    host = p_open(room.host)
    make_poll(sub(room.host, PollFormState), "Real?", ["Yes", "No"])
    pid = session.exec(select(Poll.id)).one()
    for handler in (PollsState.open_poll, PollsState.delete_poll):
        assert access.NOT_HOST in toasts(run(handler.fn(alice, pid)))
    # Voting on a draft: not found for an attendee.
    assert "not found" in toasts(run(PollsState.vote.fn(alice, pid, [1]))).lower()
    assert "Invalid request" in toasts(run(PollsState.vote.fn(alice, pid, ["x"])))
    session.expire_all()
    assert session.get(Poll, pid).status == "draft"  # type: ignore[union-attr]
    assert host.is_host


def test_poll_form_rows_stay_between_two_and_ten(room: Room) -> None:
    form = sub(room.host, PollFormState)
    PollFormState.remove_option.fn(form, 0)
    assert form.options == ["", ""]
    for _ in range(12):
        PollFormState.add_option.fn(form)
    assert len(form.options) == 10 and not form.can_add
    PollFormState.set_option.fn(form, 3, "x" * 500)
    assert len(form.options[3]) == polls.MAX_OPTION
    PollFormState.remove_option.fn(form, 3)
    assert len(form.options) == 9 and form.options[3] == ""


# ---------------------------------------------------------------- reactions and hands


def test_reactions_become_bursts_and_bad_names_are_ignored(room: Room) -> None:
    state = sub(room.alice_root, ReactionsState)
    run(ReactionsState.open_reactions.fn(state))
    assert run(ReactionsState.react.fn(state, "clap")) == []
    assert run(ReactionsState.react.fn(state, "<script>")) == []
    topic = access.reactions_topic(room.webinar.id)
    push(state, topic, Event("reactions", {"counts": {"clap": 12, "heart": 2, "bogus": 5}}))
    assert [(b.emoji, b.count) for b in state.bursts] == [("👏", 12), ("❤️", 2)]
    push(state, "reactions:999", Event("reactions", {"counts": {"clap": 1}}))
    assert len(state.bursts) == 2
    # Too fast: refused with a message (the limiter is per user and room).
    events: list[Any] = []
    for _ in range(12):
        events += run(ReactionsState.react.fn(state, "party"))
    assert "too many reactions" in toasts(events)


def test_raised_hand_reaches_the_host_queue_and_a_host_lowers_it(room: Room, session: Session) -> None:
    alice = sub(room.alice_root, HandsState)
    host = sub(room.host, HandsState)
    run(HandsState.open_hands.fn(alice))
    run(HandsState.open_hands.fn(host))
    assert alice.allowed and not alice.is_host and not alice.raised and host.is_host

    run(HandsState.toggle_hand.fn(alice))
    assert alice.raised
    assert session.exec(select(RaisedHand.user_id)).all() == [room.alice.id]
    run(HandsState.open_hands.fn(host))
    assert [h.username for h in host.queue] == ["alice"] and host.queue_count == 1

    # Bob cannot clear anyone's hand, whatever his tab says.
    bob = sub(room.bob_root, HandsState)
    run(HandsState.open_hands.fn(bob))
    bob.is_host = True
    assert access.NOT_HOST in toasts(run(HandsState.clear_all.fn(bob)))
    assert session.exec(select(RaisedHand)).all() != []

    run(HandsState.clear_hand.fn(host, room.alice.id))
    assert host.queue == []
    session.expire_all()
    assert session.exec(select(RaisedHand)).all() == []
    push(alice, access.hand_topic(room.webinar.id, room.alice.id), Event("hand", {"raised": False}))
    assert not alice.raised
    push(
        host,
        access.hosts_topic(room.webinar.id),
        Event(
            "hands", {"queue": [{"user": room.bob.id, "username": "bob", "name": "Bob B", "raised_at": ""}]}
        ),
    )
    assert [h.name for h in host.queue] == ["Bob B"]


# ---------------------------------------------------------------- host analytics


def test_admin_registrants_panel_sums_up_q_and_a_and_polls(room: Room, session: Session) -> None:
    from webinar_app.state.webinar_admin import WebinarAdminState

    alice, host = q_open(room.alice_root), q_open(room.host)
    run(QuestionsState.ask.fn(alice, {"text": "One"}))
    run(QuestionsState.ask.fn(alice, {"text": "Two"}))
    qid = session.exec(select(Question.id).where(Question.text == "One")).one()
    run(QuestionsState.moderate.fn(host, qid, "answer"))
    make_poll(sub(room.host, PollFormState), "Q?", ["Yes", "No"])
    pid = session.exec(select(Poll.id)).one()
    attendee_polls, host_polls = p_open(room.alice_root), p_open(room.host)
    run(PollsState.open_poll.fn(host_polls, pid))
    option = polls.get(session, room.alice, pid)["options"][0]["id"]
    run(PollsState.vote.fn(attendee_polls, pid, [option]))

    page = sub(room.host, WebinarAdminState)
    run(WebinarAdminState.load.fn(page))
    run(WebinarAdminState.show_registrants.fn(page, room.webinar.id))
    assert page.engagement.endswith("· 2 questions (1 answered) · 1 polls, 1 votes")


def test_a_ban_pushed_to_the_chat_empties_the_banned_tabs_questions_and_polls(
    session: Session, room: Room
) -> None:
    from webinar_app.services import chat, moderation
    from webinar_app.state.chat import ChatState

    questions.ask(session, room.bob, {"event": room.webinar.id, "text": "Visible to registrants?"})
    qa = sub(room.alice_root, QuestionsState)
    run(QuestionsState.open_questions.fn(qa))
    chat_state = sub(room.alice_root, ChatState)
    run(ChatState.open_room.fn(chat_state))
    assert len(qa.questions) == 1 and chat_state.allowed

    moderation.ban(session, room.host_user, room.webinar.id, room.alice.id)
    push(chat_state, chat.room_topic(room.webinar.id), Event("chat_banned", {"user_id": room.alice.id}))

    assert not chat_state.allowed
    assert qa.questions == [] and qa._room == 0  # no longer listening to the room's Q&A


def test_a_late_debounced_keystroke_does_not_put_the_sent_text_back(session: Session, room: Room) -> None:
    from webinar_app.state.chat import ChatState

    chat_state = sub(room.alice_root, ChatState)
    run(ChatState.open_room.fn(chat_state))
    ChatState.set_draft.fn(chat_state, "Hello there")
    run(ChatState.send.fn(chat_state, {"message": "Hello there"}))
    assert chat_state.draft == ""
    ChatState.set_draft.fn(chat_state, "Hello there")  # the debounce fires after the send
    assert chat_state.draft == ""
    ChatState.set_draft.fn(chat_state, "Next one")
    assert chat_state.draft == "Next one"
