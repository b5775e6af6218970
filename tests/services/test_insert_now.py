"""`db.insert_now`: a row written at once, built without the model's constructor, must be
the row the constructor and the unit of work would have written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from webinar_app.core.db import insert_now
from webinar_app.models import EmailLog, Notification
from webinar_app.models.base import as_utc


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns if c.key != "id"}


def test_a_row_gets_the_models_defaults_and_its_id(session: Session, student: Any) -> None:
    row = insert_now(session, Notification, user_id=student.id, notification_type="announcement", title="Hi")
    session.commit()
    assert isinstance(row.id, int)
    assert row.content == "" and row.is_read is False and row.webinar_id is None
    assert row.created_at is not None  # the default factory ran
    assert row not in session  # written outside the unit of work
    stored = session.exec(select(Notification).where(Notification.id == row.id)).one()
    for key, value in _columns(stored).items():
        if key == "created_at":
            assert value.replace(tzinfo=None) == row.created_at.replace(tzinfo=None)
        else:
            assert value == getattr(row, key), key


def test_it_writes_what_the_constructor_and_flush_write(session: Session, student: Any) -> None:
    values = {"user_id": student.id, "kind": "registration", "template": "t", "to_address": "a@b.io",
              "subject": "s"}
    fast = insert_now(session, EmailLog, **values)
    slow = EmailLog(**values)
    session.add(slow)
    session.commit()
    session.expire_all()
    stored = {r.id: _columns(r) for r in session.exec(select(EmailLog))}
    fast_cols, slow_cols = stored[fast.id], stored[slow.id]
    for moment in ("created_at", "next_attempt_at"):  # two calls of the clock
        gap = as_utc(fast_cols.pop(moment)) - as_utc(slow_cols.pop(moment))  # type: ignore[operator]
        assert abs(gap.total_seconds()) < 5
    assert fast_cols == slow_cols


def test_factories_run_per_row(session: Session, student: Any) -> None:
    values = {"user_id": student.id, "kind": "k", "template": "t", "to_address": "a@b.io", "subject": "s"}
    first, second = insert_now(session, EmailLog, **values), insert_now(session, EmailLog, **values)
    assert first.headers == [] and first.headers is not second.headers


def test_unknown_and_missing_columns_are_refused(session: Session, student: Any) -> None:
    with pytest.raises(TypeError, match="not columns"):
        insert_now(session, Notification, user_id=student.id, notification_type="x", title="t", colour=1)
    with pytest.raises(TypeError, match="required"):
        insert_now(session, Notification, user_id=student.id)
