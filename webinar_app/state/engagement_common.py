"""What the live room's engagement states share: the room id from the URL, and running a
service call that commits and publishes off the event loop, as a user re-read from the database.

The user id passed in comes from `user_for` in the handler (the stored token), never from a var.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from webinar_app import routes
from webinar_app.core.db import session_scope
from webinar_app.models import User
from webinar_app.services.errors import NotFound
from webinar_app.state.chat import webinar_id_from_path

T = TypeVar("T")


def room_id(state: rx.State) -> int | None:
    """`/live/<id>` -> id; None on any other page (a handler then does nothing)."""
    path = state.router.url.path
    if not path.startswith(routes.LIVE_PREFIX):
        return None
    return webinar_id_from_path(path)


def _as_user(user_id: int, action: Callable[[Session, User], T]) -> T:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        return action(session, user)


async def in_thread(user_id: int, action: Callable[[Session, User], T]) -> T:
    """Run `action(session, user)` in a worker thread: the commit (and the publish after it)
    must not hold up the event loop that delivers everyone's pushes."""
    return await asyncio.to_thread(_as_user, user_id, action)


def as_int(value: Any) -> int | None:
    """An id sent by the browser (int or digit string); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
