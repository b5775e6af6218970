"""The live room around the chat: the embedded stream, the attendee count, host controls.

Joining is `services.live.join` (marks the registration attended, opens a participant row,
publishes the new head count to `room:<id>`); this tab then receives `attendee_count`,
`live_started` and `live_ended` through the realtime hub, so the count and the player
follow the room without polling.

Leaving: the page's `on_unmount` leaves unless the page mounts again within a second
(React remounts in place, see `unmounted`): in-app navigation away. Closing or
reloading the tab is covered by a `pagehide` listener that POSTs `/api/live/leave/<id>/`
with `fetch(..., {keepalive: true})` and the stored bearer token (a websocket event would
not get out of a closing page). If both miss (a crash), the row is closed when the host
ends the session.

The webinar id comes from the URL (`/live/<id>`) on every handler, never from a state var.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import reflex as rx

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.realtime import Event
from webinar_app.realtime.hub import hub
from webinar_app.services import embeds, live, webinars
from webinar_app.services.errors import DomainError, NotFound
from webinar_app.services.moderation import room_topic
from webinar_app.services.registrations import is_registrant
from webinar_app.state.auth import ACCESS_STORAGE_KEY, backend_base_url, login_redirect, user_for
from webinar_app.state.chat import webinar_id_from_path
from webinar_app.state.forms import message_of

UNMOUNT_GRACE_SECONDS = 1.0
NO_ACCESS = "Register for this webinar to join its live room."
NO_STREAM = "The organizer has not added a stream link yet: follow along in the chat."


def leave_on_pagehide_js(backend: str, webinar_id: int) -> str:
    """Install (once per page) a pagehide hook that records the leave over REST."""
    url = json.dumps(f"{backend.rstrip('/')}/api/live/leave/{int(webinar_id)}/")
    key = json.dumps(ACCESS_STORAGE_KEY)
    return (
        "(() => {"
        " if (window.__liveLeaveHook) window.removeEventListener('pagehide', window.__liveLeaveHook);"
        " window.__liveLeaveHook = () => {"
        f"  const token = localStorage.getItem({key});"
        "  if (!token) return;"
        f"  fetch({url}, {{method: 'POST', keepalive: true, headers: {{Authorization: 'Bearer ' + token}}}})"
        "   .catch(() => {});"
        " };"
        " window.addEventListener('pagehide', window.__liveLeaveHook);"
        "})()"
    )


REMOVE_PAGEHIDE_JS = (
    "(() => { if (window.__liveLeaveHook) {"
    " window.removeEventListener('pagehide', window.__liveLeaveHook); window.__liveLeaveHook = null; } })()"
)


def _join(user_id: int, webinar_id: int) -> int:
    """Join in a worker thread (it commits); returns the head count."""
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        return live.join(session, user, webinar_id).participant_count


# The room's events this state shows (chat messages are the chat feed's).
LIVE_KINDS = frozenset({"attendee_count", "live_started", "live_ended"})


class LiveState(rx.State):
    webinar_id: int = 0
    title: str = ""
    organizer: str = ""
    embed_src: str = ""
    stream_note: str = ""
    provider: str = ""
    is_live: bool = False
    attendee_count: int = 0
    is_host: bool = False
    joined: bool = False
    loaded: bool = False
    not_found: bool = False
    error: str = ""
    busy: bool = False
    _room: int = 0
    _mounts: int = 0

    def _path_id(self) -> int | None:
        path = self.router.url.path
        if not path.startswith(routes.LIVE_PREFIX):
            return None
        return webinar_id_from_path(path)

    @rx.event
    async def load(self) -> Any:
        """Page load: who may be here, the player, and (when the session runs) join it."""
        self.loaded, self.not_found, self.error, self.joined = False, False, "", False
        webinar_id = self._path_id()
        token = self.router.session.client_token
        if self._room:
            hub.leave(room_topic(self._room), token, LiveState)
            self._room = 0
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            try:
                if webinar_id is None:
                    raise NotFound()
                view = webinars.get_webinar(session, user, webinar_id)
            except NotFound:
                self.not_found, self.loaded = True, True
                return None
            webinar = view.webinar
            host = webinars.is_host(user, webinar)
            allowed = host or is_registrant(session, user, webinar_id)
            active = live.status(session, webinar_id)
            count = live.participant_count(session, active) if active is not None else 0
            user_id = user.id or 0
        self.webinar_id = webinar_id
        self.title, self.organizer = webinar.title, view.organizer.display_name
        self.is_host, self.is_live, self.attendee_count = host, active is not None, count
        src = embeds.embed_url(webinar.live_stream_url)
        self.embed_src = src or ""
        self.provider = embeds.provider(webinar.live_stream_url)
        self.stream_note = "" if src else (embeds.REFUSED if webinar.live_stream_url else NO_STREAM)
        if not allowed:
            self.error, self.loaded = NO_ACCESS, True
            return None
        self._room = webinar_id
        hub.join(room_topic(webinar_id), token, LiveState, kinds=LIVE_KINDS)
        self.loaded = True
        if self.is_live:
            return await self._enter(user_id)
        return None

    async def _enter(self, user_id: int) -> Any:
        try:
            self.attendee_count = await asyncio.to_thread(_join, user_id, self.webinar_id)
        except DomainError as exc:
            return rx.toast.error(message_of(exc))
        self.joined = True
        return rx.call_script(leave_on_pagehide_js(backend_base_url(), self.webinar_id))

    @rx.event
    async def join_live(self) -> Any:
        """The session went live while this page was open (the page calls this on its own)."""
        webinar_id = self._path_id()
        if webinar_id is None or webinar_id != self._room or self.joined:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        return await self._enter(user_id)

    @rx.event
    def mounted(self) -> None:
        """The room's page mounted (counted, so a remount cancels a pending leave)."""
        self._mounts += 1

    @rx.event
    def unmounted(self) -> Any:
        """The page unmounted: leave unless it mounts again within `UNMOUNT_GRACE_SECONDS`.

        React unmounts and remounts in place too (StrictMode in development, re-renders),
        and the router data of the unmount event still names this page, so the only tell of
        a real departure is that no new mount follows.
        """
        return LiveState.leave_if_gone(self._mounts)

    @rx.event(background=True)
    async def leave_if_gone(self, seen: int) -> None:
        await asyncio.sleep(UNMOUNT_GRACE_SECONDS)
        async with self:
            if self._mounts != seen:
                return
            await self._leave_now()

    async def _leave_now(self) -> None:
        """Record the leave (participant row, registration), stop listening (player + chat)."""
        from webinar_app.state.chat import ChatState

        token = self.router.session.client_token
        room, was_joined = self._room, self.joined
        if room:
            hub.leave(room_topic(room), token, LiveState)
        chat_state = await self.get_state(ChatState)
        if chat_state._room:
            hub.leave(room_topic(chat_state._room), token, ChatState)
            chat_state._room = 0
        await self._leave_engagement()
        self._room, self.joined = 0, False
        if not was_joined:
            return
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return
            with contextlib.suppress(DomainError):
                live.leave(session, user, room)

    async def _leave_engagement(self) -> None:
        """Q&A, polls, reactions, hands: each of their states stops listening to its topics."""
        from webinar_app.state.engagement_polls import PollsState
        from webinar_app.state.engagement_questions import QuestionsState
        from webinar_app.state.engagement_reactions import HandsState, ReactionsState

        for cls in (QuestionsState, PollsState, ReactionsState, HandsState):
            state = await self.get_state(cls)
            state._leave()

    @rx.event
    async def start_live(self) -> Any:
        return await self._host_action(live.start, "You are live")

    @rx.event
    async def end_live(self) -> Any:
        return await self._host_action(live.end, "The live session has ended")

    async def _host_action(self, action: Any, done: str) -> Any:
        """Start / end: the service decides who may (organizer or admin)."""
        webinar_id = self._path_id()
        if webinar_id is None:
            return rx.toast.error("Not found.")
        self.busy = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                try:
                    action(session, user, webinar_id)
                except DomainError as exc:
                    return rx.toast.error(message_of(exc))
                active = live.status(session, webinar_id)
                user_id = user.id or 0
        finally:
            self.busy = False
        self.is_live = active is not None
        if not self.is_live:
            self.joined = False
            return [rx.call_script(REMOVE_PAGEHIDE_JS), rx.toast.success(done)]
        entered = await self._enter(user_id)
        return [entered, rx.toast.success(done)]

    # ---------------------------------------------------------------- pushed events

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._room or topic != room_topic(self._room):
            return
        if event.kind == "attendee_count":
            self.attendee_count = int(event.data.get("count") or 0)
        elif event.kind == "live_started":
            self.is_live = True
        elif event.kind == "live_ended":
            self.is_live, self.joined, self.attendee_count = False, False, 0
