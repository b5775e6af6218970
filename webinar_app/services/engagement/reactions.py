"""Live reactions: a few emoji, rate-limited per user, aggregated before anyone sees them.

A reaction is not a row per click: each worker adds clicks up per room and publishes one
`reactions` event per window with the counts (so 1,000 attendees clapping cost each tab one
push a second, not 1,000), and adds the batch to `ReactionTally` for the analytics.
"""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from webinar_app.core import ratelimit
from webinar_app.models import ReactionTally, User
from webinar_app.realtime import publish, throttle
from webinar_app.services.engagement import access
from webinar_app.services.errors import Invalid, RateLimited

# Stable names clients send, and what is shown.
EMOJI: dict[str, str] = {
    "thumbs_up": "👍",
    "heart": "❤️",
    "clap": "👏",
    "laugh": "😂",
    "wow": "😮",
    "party": "🎉",
}
WINDOW = 1.0
PER_USER_LIMIT = 10  # reactions per user and room ...
PER_USER_WINDOW = 10.0  # ... in this many seconds

_lock = threading.Lock()
_pending: dict[int, Counter[str]] = {}


def react(session: Session, user: User, webinar_id: int, emoji: object) -> None:
    """Count one reaction (refused when the room is closed, the user banned, or too fast)."""
    if not isinstance(emoji, str) or emoji not in EMOJI:
        raise Invalid.field("emoji", f"Choose one of: {', '.join(EMOJI)}.")
    access.require_writer(session, user, webinar_id, muted_ok=True)
    if not ratelimit.hit(f"react:{webinar_id}:{user.id}", PER_USER_LIMIT, PER_USER_WINDOW):
        wait = ratelimit.seconds_left(PER_USER_WINDOW)
        raise RateLimited("Easy there: too many reactions, try again in a moment.", retry_after=wait)
    with _lock:
        _pending.setdefault(webinar_id, Counter())[emoji] += 1
    throttle.mark(f"reactions:{webinar_id}", lambda: flush(webinar_id), window=WINDOW)


def flush(webinar_id: int) -> None:
    """Publish this worker's batch for the room and add it to the tallies."""
    with _lock:
        batch = _pending.pop(webinar_id, None)
    if not batch:
        return
    publish(access.reactions_topic(webinar_id), "reactions", counts=dict(batch))
    _store(webinar_id, batch)


def _add(session: Session, webinar_id: int, emoji: str, n: int) -> int:
    """Add `n` to an existing tally; how many rows it touched (0: no tally yet)."""
    return session.exec(  # type: ignore[call-overload,no-any-return]
        update(ReactionTally)
        .where(col(ReactionTally.webinar_id) == webinar_id, col(ReactionTally.emoji) == emoji)
        .values(count=ReactionTally.count + n)
    ).rowcount


def _store(webinar_id: int, batch: Counter[str]) -> None:
    from webinar_app.core.db import session_scope

    with session_scope() as session:
        for emoji, n in batch.items():
            if _add(session, webinar_id, emoji, n):
                continue
            try:
                with session.begin_nested():
                    session.add(ReactionTally(webinar_id=webinar_id, emoji=emoji, count=n))
            except IntegrityError:  # another worker inserted it first
                _add(session, webinar_id, emoji, n)
        session.commit()


def totals(session: Session, webinar_id: int) -> dict[str, int]:
    from sqlmodel import select

    rows = session.exec(select(ReactionTally).where(ReactionTally.webinar_id == webinar_id)).all()
    return {r.emoji: r.count for r in rows}
