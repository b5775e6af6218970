"""The catalog version: a token that changes after every commit that changes what a list shows.

Webinar lists are cached per process (`api/catalog_cache.py`); an entry is valid only while the
token it was built under is still current. The token changes on its own, from SQLAlchemy Session
events, so no service has to remember to invalidate: a flush touching a webinar (or the name of
a user, who may organize one) or a bulk UPDATE/DELETE of those tables marks the session, and its
next commit replaces the token.

With `REDIS_URL` the token lives in Redis, so every worker sees another worker's commit on its
next request. It is a random string rather than an INCR counter: a Redis restart that loses the
key can then never hand out a value an old cache entry was built under.

Registrations need no token change of their own: the only registration fact in the cached part
of a list is the seat count, a webinar column (updated by every claim, release and promotion);
the viewer's own registration is read fresh on each request.
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, attributes

from webinar_app.core.config import get_settings
from webinar_app.core.redis_client import sync_redis
from webinar_app.core.redis_sender import sender

log = logging.getLogger(__name__)

REDIS_KEY = "catalog:version"
_MARK = "catalog_changed"
# Tables whose rows are (part of) a cached list item: webinars, and users as organizers.
_TABLES = frozenset({"webinars", "users"})
# A user's other columns (last login, password, avatar) are not shown in a list.
_USER_FIELDS = ("username", "first_name", "last_name")

_lock = threading.Lock()
_local_token = secrets.token_hex(8)
# Bumps made by this process, and how many of them Redis is known to have: while it lags,
# this process sends a bump itself before it trusts the shared token again.
_bumps = 0
_bumps_in_redis = 0




def current() -> str | None:
    """The token to build or check cache entries under; None when it cannot be known (Redis
    unreachable), and then nothing may be served from a cache."""
    url = get_settings().redis_url
    if not url:
        return _local_token
    try:
        client = sync_redis(url)
        made = _bumps
        if _bumps_in_redis < made:  # this process's own commit is not in Redis yet
            client.set(REDIS_KEY, secrets.token_hex(8))
            _acknowledge(made)
        token = client.get(REDIS_KEY)
        if token is None:  # first use, or Redis lost its data: start a new lineage
            client.set(REDIS_KEY, secrets.token_hex(8), nx=True)
            token = client.get(REDIS_KEY)
        return token.decode() if isinstance(token, bytes) else token
    except Exception as exc:
        log.warning("catalog version unavailable, lists are served uncached: %s", exc)
        return None


def bump() -> None:
    """Invalidate every worker's cached lists.

    This process's token changes at once. The shared one in Redis is replaced by the Redis
    sender thread, off the committing request: a rush of registrations bumps it on every
    commit, and the bumps that pile up meanwhile cost one SET. Until Redis has it, this
    process's own next `current()` sends a bump first, so it never serves a list from before
    its own commit; other workers see the new token once the SET is out (milliseconds), or,
    if Redis refused it, at this process's next read, and cache entries have a maximum age.
    """
    global _local_token, _bumps
    with _lock:
        _local_token = secrets.token_hex(8)
        _bumps += 1
    url = get_settings().redis_url
    if url:
        sender(url).send(_send_bumps, _bumps_sent_if)


def _send_bumps(pipe: Any) -> None:
    """On the sender thread: one SET covers every bump made until now, so the bumps queued
    behind it (in the same pipeline or a later one) add nothing until a new one is made."""
    global _sending
    with _lock:
        if max(_sending, _bumps_in_redis) >= _bumps:
            return
        _sending = _bumps
    pipe.set(REDIS_KEY, secrets.token_hex(8))


_sending = 0  # the bumps covered by the last SET handed to the sender (sent or not)


def _bumps_sent_if(ok: bool) -> None:
    if ok:
        _acknowledge(_sending)


def _acknowledge(count: int) -> None:
    global _bumps_in_redis
    with _lock:
        _bumps_in_redis = max(_bumps_in_redis, count)


def _table(obj: Any) -> str | None:
    return getattr(type(obj), "__tablename__", None)


def _user_renamed(obj: Any) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in _USER_FIELDS)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # Called with the pre-flush new/dirty/deleted sets and attribute history still in place.
    if session.info.get(_MARK):
        return
    for obj in session.new:
        if _table(obj) == "webinars":  # a new user organizes nothing yet
            session.info[_MARK] = True
            return
    for obj in session.deleted:
        if _table(obj) in _TABLES:
            session.info[_MARK] = True
            return
    for obj in session.dirty:
        table = _table(obj)
        if (table == "webinars" and session.is_modified(obj)) or (table == "users" and _user_renamed(obj)):
            session.info[_MARK] = True
            return


def _do_orm_execute(state: ORMExecuteState) -> None:
    # Bulk statements (the seat claim is an `update(Webinar)`) never pass through the flush.
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _TABLES:
        state.session.info[_MARK] = True


def _after_commit(session: Session) -> None:
    # A mark left by a rolled-back transaction only costs one extra bump: never clear it early.
    if session.info.pop(_MARK, False):
        bump()


_installed = False


def install() -> None:
    """Listen on every Session (Reflex's, the API's, the CLI's); idempotent."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    _installed = True
