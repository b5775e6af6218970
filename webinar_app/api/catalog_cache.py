"""Per-process cache of serialized webinar lists, the API's most requested answer.

Building a list of 100 Events costs ~15 ms of CPU (queries, shaping, JSON); clients poll it.
Everything in a list item except the caller's own registration is the same for every caller,
so each item is kept as ready JSON bytes, in the three variants the caller's registration can
make (none, confirmed, waitlisted), and a request only reads the caller's registrations and
joins bytes.

An entry is served only while
- the catalog version it was built under is current (`core/catalog_version.py`: replaced after
  any commit that changes a webinar or an organizer's name, in any worker),
- no webinar has changed status by the clock since (`status` is computed, not stored: the entry
  expires at the earliest future start or end among all webinars, listed or not, because a
  status filter gains items too), and
- it is younger than `MAX_AGE`, a bound on staleness should a version bump be lost while
  Redis is unreachable.

Lists that depend on who asks (`my_only`, cancelled ones) are not cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlmodel import Session, col, func, select

from webinar_app.api.schemas.webinars import event_out
from webinar_app.core import catalog_version
from webinar_app.core.db import autocommit_reads
from webinar_app.core.security import utcnow
from webinar_app.models import ManualStatus, Registration, User, Webinar
from webinar_app.models.base import as_utc
from webinar_app.services import registrations, webinars
from webinar_app.services.registrations import CONFIRMED, WAITLISTED

MAX_AGE = timedelta(seconds=60)
MAX_ENTRIES = 256  # distinct query strings (searches) must not grow memory without bound
CACHEABLE_STATUSES = (None, "upcoming", "live", "completed")

_Key = tuple[str, str | None, int | None, str | None, str | None, int | None, int]


@dataclass(frozen=True)
class _Item:
    webinar_id: int
    variants: dict[str | None, bytes]  # by the caller's registration status


@dataclass(frozen=True)
class _Entry:
    token: str
    valid_until: datetime
    items: tuple[_Item, ...]
    ids: frozenset[int]
    anonymous: bytes  # the whole array for a caller registered to none of the items
    total: int


_lock = threading.Lock()
_build_lock = threading.Lock()  # a burst of misses builds once, not once per waiting thread
_entries: OrderedDict[_Key, _Entry] = OrderedDict()


def cacheable(status: str | None, my_only: bool) -> bool:
    return not my_only and status in CACHEABLE_STATUSES


def _next_transition(session: Session, now: datetime) -> datetime | None:
    """The earliest moment any clock-driven status changes."""
    open_ = col(Webinar.manual_status) == ManualStatus.none.value
    next_start = (
        select(func.min(Webinar.start_at)).where(open_, col(Webinar.start_at) > now).scalar_subquery()
    )
    next_end = select(func.min(Webinar.end_at)).where(open_, col(Webinar.end_at) > now).scalar_subquery()
    start, end = session.exec(select(next_start, next_end)).one()
    moments = [m for m in (as_utc(start), as_utc(end)) if m is not None]
    return min(moments) if moments else None


def _build(session: Session, token: str, key: _Key) -> _Entry:
    base, status, organizer, search, category, limit, offset = key
    now = utcnow()
    views, total = webinars.list_webinars(
        session,
        None,
        status=status,
        organizer_id=organizer,
        search=search,
        category=category,
        limit=limit,
        offset=offset,
    )
    valid_until = now + MAX_AGE
    transition = _next_transition(session, now)
    if transition is not None:
        valid_until = min(valid_until, transition)
    items = []
    for view in views:
        shape = event_out(view, base)
        variants = {}
        for mine in (None, CONFIRMED, WAITLISTED):
            shape["is_registered"] = mine == CONFIRMED
            shape["registration_status"] = mine
            variants[mine] = orjson.dumps(shape)
        assert view.webinar.id is not None
        items.append(_Item(view.webinar.id, variants))
    anonymous = b"[" + b",".join(item.variants[None] for item in items) + b"]"
    return _Entry(token, valid_until, tuple(items), frozenset(i.webinar_id for i in items), anonymous, total)


def _valid(entry: _Entry | None, token: str) -> bool:
    return entry is not None and entry.token == token and utcnow() < entry.valid_until


def _lookup(key: _Key, token: str) -> _Entry | None:
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    return entry if _valid(entry, token) else None


def _entry(session: Session, key: _Key) -> _Entry | None:
    token = catalog_version.current()
    if token is None:
        return None
    entry = _lookup(key, token)
    if entry is not None:
        return entry
    with _build_lock:
        entry = _lookup(key, token)  # another thread may have built it while this one waited
        if entry is None:
            # The token is read before the queries: a commit landing in between replaces it,
            # so an entry built from older rows is never taken for current.
            entry = _build(session, token, key)
            with _lock:
                _entries[key] = entry
                _entries.move_to_end(key)
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
    return entry


def listing(
    session: Session,
    viewer: User | None,
    base: str,
    *,
    status: str | None,
    organizer: int | None,
    search: str | None,
    category: str | None,
    limit: int | None,
    offset: int,
) -> tuple[bytes, int] | None:
    """The JSON array and total of a viewer-independent list, or None when it cannot be
    served from the cache (the caller then builds it the ordinary way)."""
    key: _Key = (base, status, organizer, search, category, limit, offset)
    autocommit_reads(session)  # a hit reads one thing, the caller's registrations
    entry = _entry(session, key)
    if entry is None:
        return None
    if viewer is None or not entry.items:
        return entry.anonymous, entry.total
    mine: dict[int, str] = dict(
        session.exec(  # type: ignore[arg-type]
            select(Registration.webinar_id, Registration.status).where(Registration.user_id == viewer.id)
        ).all()
    )
    return _personalized(entry, mine), entry.total


def _personalized(entry: _Entry, mine: dict[int, str]) -> bytes:
    """The entry's array with the caller's own registration status in each item."""
    if mine.keys().isdisjoint(entry.ids):
        return entry.anonymous
    parts = (item.variants.get(mine.get(item.webinar_id)) or item.variants[None] for item in entry.items)
    return b"[" + b",".join(parts) + b"]"


def _default_key(base: str) -> _Key:
    """The key of `GET /api/webinars/` with no filters (what `_listing` builds for it)."""
    return (base, None, None, None, None, None, 0)


def default_listing(base: str, user_id: int | None) -> tuple[bytes, int] | None:
    """The unfiltered list from a current entry, without a session (`api/hot_paths.py`).

    None when it cannot be answered this way: no current entry (the ordinary route builds
    it), the version unknown, or the user gone or deactivated (the route answers the 401).
    For a signed-in caller one statement reads the user's state and registrations together.
    """
    token = catalog_version.current()
    if token is None:
        return None
    entry = _lookup(_default_key(base), token)
    if entry is None:
        return None
    if user_id is None:
        return entry.anonymous, entry.total
    mine = registrations.statuses_if_active(user_id)
    if mine is None:
        return None
    return _personalized(entry, mine), entry.total


def reset() -> None:
    """Forget every entry and start a new version (tests empty tables behind the ORM's back)."""
    with _lock:
        _entries.clear()
    catalog_version.bump()
