"""What the live room's engagement states share: the room id from the URL, and running a
service call that commits and publishes off the event loop, as a user re-read from the database.

The user id passed in comes from `user_for` in the handler (the stored token), never from a var.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.realtime.hub import hub
from webinar_app.services.errors import NotFound
from webinar_app.state.chat import webinar_id_from_path

T = TypeVar("T")


def room_id(state: rx.State) -> int | None:
    """`/live/<id>` -> id; None on any other page (a handler then does nothing)."""
    path = state.router.url.path
    if not path.startswith(routes.LIVE_PREFIX):
        return None
    return webinar_id_from_path(path)


class RoomTopics:
    """The room topics a tab's state listens to: joined on page load, left on leaving the
    page, on a ban, or before joining another room. Each state names its topics in
    `_room_topics` and keeps the room in a backend var `_room` (0: none)."""

    def _room_topics(self, webinar_id: int) -> list[str]:
        raise NotImplementedError

    def _join_room(self, webinar_id: int) -> None:
        self._room = webinar_id
        for topic in self._room_topics(webinar_id):
            hub.join(topic, self.router.session.client_token, type(self))  # type: ignore[attr-defined]

    def _leave(self) -> None:
        room: int = getattr(self, "_room", 0)
        if room:
            for topic in self._room_topics(room):
                hub.leave(topic, self.router.session.client_token, type(self))  # type: ignore[attr-defined]
            self._room = 0

    def _listens_to(self, topic: str) -> bool:
        room: int = getattr(self, "_room", 0)
        return bool(room) and topic in self._room_topics(room)


def _as_user(user_id: int, action: Callable[[Session, User], T]) -> T:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        return action(session, user)


# Engagement writes get threads of their own: on the event loop's default executor (a few
# threads) a burst of 1,000 votes queued behind everything else the worker does in threads.
# Kept below the per-worker database pool (DB_POOL_SIZE + DB_MAX_OVERFLOW = 10 by default).
_WRITERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="engagement")


async def in_thread(user_id: int, action: Callable[[Session, User], T]) -> T:
    """Run `action(session, user)` in a worker thread: the commit (and the publish after it)
    must not hold up the event loop that delivers everyone's pushes."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_WRITERS, _as_user, user_id, action)


def as_int(value: Any) -> int | None:
    """An id sent by the browser (int or digit string); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
