"""Live room, announcements and inbox states against a real database.

What matters: every handler acts as the user the stored token names (never a state var),
the services' refusals reach the page as messages, and pushed events change only the small
piece of state they are about.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import make_user
from tests.state.test_auth_state import redirect_targets, run, signed_in_tree, sub, tree
from tests.state.test_webinar_states import at, toasts
from webinar_app import routes
from webinar_app.core.security import utcnow
from webinar_app.models import LiveParticipant, Message, MessageRecipient, Notification, Registration, Webinar
from webinar_app.realtime import Event
from webinar_app.services import chat, embeds, inbox, live, registrations, webinars
from webinar_app.services.errors import DomainError
from webinar_app.state.announcements import AnnouncementsState
from webinar_app.state.auth import AuthState
from webinar_app.state.chat import ChatState
from webinar_app.state.inbox import InboxState
from webinar_app.state.live import NO_ACCESS, NO_STREAM, LiveState


def seed(session: Session, host: Any, **fields: Any) -> Webinar:
    start = utcnow() + timedelta(hours=2)
    data = {"title": "Live talk", "date": start.date().isoformat(), "time": start.strftime("%H:%M"), **fields}
    return webinars.create_webinar(session, host, data)


def live_url(webinar: Webinar) -> str:
    return routes.LIVE_PREFIX + str(webinar.id)


# ---------------------------------------------------------------- live page


def test_registrant_joins_a_running_session_and_sees_the_player(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host, live_stream_url="https://youtu.be/dQw4w9WgXcQ")
    live.start(session, host, webinar.id)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    at(root, live_url(webinar))
    page = sub(root, LiveState)

    events = run(LiveState.load.fn(page))

    assert page.loaded and page.error == "" and page.is_live and page.joined
    assert page.embed_src == "https://www.youtube.com/embed/dQw4w9WgXcQ" and page.provider == "YouTube"
    assert page.attendee_count == 1 and not page.is_host
    # Joining marked the attendance; a pagehide hook records the leave when the tab closes.
    session.expire_all()
    reg = session.exec(select(Registration).where(Registration.user_id == alice.id)).one()
    assert reg.attended and reg.joined_at is not None
    assert "pagehide" in toasts(events)


def test_unsafe_stream_link_is_refused_with_a_message(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    webinar.live_stream_url = "javascript:alert(1)"  # as if stored before validation existed
    session.add(webinar)
    session.commit()
    root, _ = signed_in_tree(session, "root2", role="admin")
    at(root, live_url(webinar))
    page = sub(root, LiveState)
    run(LiveState.load.fn(page))
    assert page.embed_src == "" and page.stream_note == embeds.REFUSED and page.is_host

    webinar.live_stream_url = None
    session.add(webinar)
    session.commit()
    run(LiveState.load.fn(page))
    assert page.stream_note == NO_STREAM


def test_non_registrant_is_refused_and_signed_out_goes_to_login(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    live.start(session, host, webinar.id)
    root, _ = signed_in_tree(session, "mallory")
    at(root, live_url(webinar))
    page = sub(root, LiveState)
    run(LiveState.load.fn(page))
    assert page.error == NO_ACCESS and not page.joined
    assert session.exec(select(LiveParticipant)).all() == []

    anonymous = tree()
    at(anonymous, live_url(webinar))
    events = run(LiveState.load.fn(sub(anonymous, LiveState)))
    assert redirect_targets(events) == [routes.login_url(live_url(webinar))]


def test_only_hosts_start_and_end_and_identity_comes_from_the_token(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    at(root, live_url(webinar))
    page = sub(root, LiveState)
    run(LiveState.load.fn(page))
    # A client may set vars: pretending to be the host changes nothing.
    page.is_host = True
    sub(root, AuthState).user_id = host.id
    events = run(LiveState.start_live.fn(page))
    assert "Only the webinar organizer" in toasts(events)
    assert live.status(session, webinar.id) is None

    host_root, _ = signed_in_tree(session, "admin2", role="admin")
    at(host_root, live_url(webinar))
    host_page = sub(host_root, LiveState)
    run(LiveState.load.fn(host_page))
    run(LiveState.start_live.fn(host_page))
    assert host_page.is_live and host_page.joined and host_page.attendee_count == 1
    run(LiveState.end_live.fn(host_page))
    assert not host_page.is_live and not host_page.joined
    session.expire_all()
    assert live.status(session, webinar.id) is None


def test_pushed_room_events_update_count_and_status(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    at(root, live_url(webinar))
    page = sub(root, LiveState)
    run(LiveState.load.fn(page))
    topic = chat.room_topic(webinar.id)

    asyncio.run(page._on_realtime(topic, Event("live_started", {"webinar_id": webinar.id})))
    asyncio.run(page._on_realtime(topic, Event("attendee_count", {"count": 7})))
    asyncio.run(page._on_realtime("room:999", Event("attendee_count", {"count": 99})))
    assert page.is_live and page.attendee_count == 7
    asyncio.run(page._on_realtime(topic, Event("live_ended", {"webinar_id": webinar.id})))
    assert not page.is_live and page.attendee_count == 0


def test_leaving_records_the_leave_and_a_remount_cancels_it(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    live.start(session, host, webinar.id)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    at(root, live_url(webinar))
    page = sub(root, LiveState)
    run(LiveState.load.fn(page))
    run(ChatState.open_room.fn(sub(root, ChatState)))
    LiveState.mounted.fn(page)

    # React remounted in place: the pending leave sees a newer mount and does nothing.
    seen = page._mounts
    LiveState.mounted.fn(page)
    assert page._mounts != seen and page.joined

    asyncio.run(page._leave_now())
    assert not page.joined and page._room == 0 and sub(root, ChatState)._room == 0
    session.expire_all()
    row = session.exec(select(LiveParticipant).where(LiveParticipant.user_id == alice.id)).one()
    assert row.left_at is not None


def test_chat_draft_is_capped_and_cleared_after_send(session: Session) -> None:
    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    live.start(session, host, webinar.id)
    root, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    at(root, live_url(webinar))
    state = sub(root, ChatState)
    run(ChatState.open_room.fn(state))
    ChatState.set_draft.fn(state, "x" * 1500)
    assert len(state.draft) == chat.MAX_LENGTH
    ChatState.set_draft.fn(state, {"not": "text"})
    assert state.draft == ""
    ChatState.set_draft.fn(state, "hello")
    run(ChatState.send.fn(state, {"message": "hello"}))
    assert state.draft == ""
    assert [v.message.message for v in chat.history(session, alice, webinar.id)] == ["hello"]


def test_a_tab_joining_a_current_feed_reads_one_message_and_a_lagging_feed_is_rebuilt(
    session: Session,
) -> None:
    from webinar_app.models import ChatMessage
    from webinar_app.state.chat import _history_to_send
    from webinar_app.state.chat_feed import feeds

    host = make_user(session, "root", role="admin")
    webinar = seed(session, host)
    live.start(session, host, webinar.id)
    root_a, alice = signed_in_tree(session, "alice")
    registrations.register(session, alice, webinar.id)
    for n in range(3):
        chat.post(session, alice, {"event": webinar.id, "message": f"m{n}"})
    assert feeds.feed(webinar.id) is None
    assert [i.text for i in _history_to_send(session, alice, webinar.id) or []] == ["m0", "m1", "m2"]
    at(root_a, live_url(webinar))
    run(ChatState.open_room.fn(sub(root_a, ChatState)))
    feed = feeds.feed(webinar.id)
    assert feed is not None and feed.count == 3
    # The feed holds the newest message: the next tab is sent the feed, no history read.
    root_b, bob = signed_in_tree(session, "bob")
    registrations.register(session, bob, webinar.id)
    assert _history_to_send(session, bob, webinar.id) is None
    # Access is still checked with a current feed.
    with pytest.raises(DomainError):
        _history_to_send(session, make_user(session, "mallory"), webinar.id)
    # A message this process never heard of (its event lost): the feed lags and is rebuilt.
    session.add(ChatMessage(webinar_id=webinar.id, user_id=alice.id, message="missed"))
    session.commit()
    history = _history_to_send(session, bob, webinar.id)
    assert history is not None and [i.text for i in history][-1] == "missed"
    at(root_b, live_url(webinar))
    run(ChatState.open_room.fn(sub(root_b, ChatState)))
    rebuilt = feeds.feed(webinar.id)
    assert rebuilt is not None and rebuilt is not feed and rebuilt.count == 4


# ---------------------------------------------------------------- announcements


def test_announcements_admin_creates_students_are_refused(session: Session) -> None:
    make_user(session, "carol")
    root, _ = signed_in_tree(session, "alice")
    state = sub(root, AnnouncementsState)
    run(AnnouncementsState.load_admin.fn(state))
    assert state.forbidden
    events = run(AnnouncementsState.create.fn(state, {"title": "Hi", "content": "All"}))
    assert "Admin access required" in toasts(events)

    admin_root, _ = signed_in_tree(session, "root", role="admin")
    admin = sub(admin_root, AnnouncementsState)
    run(AnnouncementsState.load_admin.fn(admin))
    assert not admin.forbidden
    run(AnnouncementsState.create.fn(admin, {"title": "", "content": "x"}))
    assert "title" in admin.errors
    events = run(AnnouncementsState.create.fn(admin, {"title": "Welcome", "content": "Glad you came"}))
    assert "sent" in toasts(events).lower() and admin.errors == {}
    assert [a.title for a in admin.items] == ["Welcome"] and admin.items[0].sender == "root"
    # Everyone else got a notification.
    assert len(session.exec(select(Notification)).all()) == 2

    run(AnnouncementsState.load.fn(state))
    assert [a.title for a in state.items] == ["Welcome"]


def test_announcements_list_needs_a_signed_in_user(session: Session) -> None:
    root = tree()
    at(root, routes.ANNOUNCEMENTS)
    events = run(AnnouncementsState.load.fn(sub(root, AnnouncementsState)))
    assert redirect_targets(events) == [routes.login_url(routes.ANNOUNCEMENTS)]


# ---------------------------------------------------------------- inbox


def test_inbox_compose_reply_and_live_arrival(session: Session) -> None:
    root_a, alice = signed_in_tree(session, "alice")
    root_b, bob = signed_in_tree(session, "bobby")
    make_user(session, "bert", email="bert@example.com")
    a, b = sub(root_a, InboxState), sub(root_b, InboxState)
    at(root_a, routes.INBOX)
    at(root_b, routes.INBOX)
    run(InboxState.load.fn(a))
    run(InboxState.load.fn(b))
    assert a.conversations == [] and b.conversations == []

    # The picker searches by username prefix, never offers yourself, never shows emails.
    run(InboxState.search_users.fn(a, "b"))
    assert a.search_results == []  # too short
    run(InboxState.search_users.fn(a, "bo"))
    assert [r.username for r in a.search_results] == ["bobby"]
    run(InboxState.search_users.fn(a, "al"))
    assert a.search_results == []
    run(InboxState.pick.fn(a, bob.id))
    events = run(InboxState.pick.fn(a, alice.id))
    assert "cannot receive" in toasts(events) and [p.username for p in a.picked] == ["bobby"]

    run(InboxState.start_conversation.fn(a, {"content": "Hi Bobby"}))
    assert a.selected and [m.content for m in a.thread] == ["Hi Bobby"] and a.thread[0].mine
    conversation_id = a.selected

    # Bob's tab gets the pushed message: the list is re-read with an unread count.
    message = session.exec(select(Message)).one()
    payload = inbox.MessageView(message, alice, False).as_dict()
    topic_b = f"user:{bob.id}"
    asyncio.run(
        b._on_realtime(
            topic_b, Event("inbox_message", {"conversation_id": conversation_id, "message": payload})
        )
    )
    assert [c.unread for c in b.conversations] == [1] and b.conversations[0].title == "alice"
    assert b.conversations[0].preview == "Hi Bobby"

    run(InboxState.open_conversation.fn(b, conversation_id))
    assert b.conversations[0].unread == 0 and [m.mine for m in b.thread] == [False]
    run(InboxState.send_reply.fn(b, {"content": "Hello Alice"}))
    assert [m.content for m in b.thread] == ["Hi Bobby", "Hello Alice"]

    # Alice has the thread open: the pushed reply is appended and read at once.
    reply = session.exec(select(Message).order_by(Message.id.desc())).first()  # type: ignore[union-attr]
    asyncio.run(
        a._on_realtime(
            f"user:{alice.id}",
            Event(
                "inbox_message",
                {
                    "conversation_id": conversation_id,
                    "message": inbox.MessageView(reply, bob, False).as_dict(),
                },
            ),
        )
    )
    assert [m.content for m in a.thread] == ["Hi Bobby", "Hello Alice"]
    session.expire_all()
    unread = session.exec(select(MessageRecipient).where(MessageRecipient.is_read == False)).all()  # noqa: E712
    assert unread == []


def test_inbox_refuses_threads_of_others(session: Session) -> None:
    _, alice = signed_in_tree(session, "alice")
    bob = make_user(session, "bob")
    view = inbox.send(session, alice, {"participant_ids": [bob.id], "content": "private"})
    root, _ = signed_in_tree(session, "mallory")
    state = sub(root, InboxState)
    at(root, routes.INBOX)
    run(InboxState.load.fn(state))
    events = run(InboxState.open_conversation.fn(state, view.message.conversation_id))
    assert "not a participant" in toasts(events) and state.thread == []
    state.selected = view.message.conversation_id  # a client may set vars
    events = run(InboxState.send_reply.fn(state, {"content": "let me in"}))
    assert "not a participant" in toasts(events)
    assert len(session.exec(select(Message)).all()) == 1
