"""Refuse text with NUL characters before it reaches the database.

PostgreSQL cannot store U+0000 in text and psycopg fails the whole statement (a 500 if
nothing catches it); SQLite would store it and hand it back to every client. No field of
ours has a use for it, so one check on every statement's parameters covers every door (REST
bodies, query strings, Reflex forms): the caller gets the usual validation error instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from webinar_app.services.errors import Invalid

MESSAGE = "Null characters are not allowed."


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _check(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    rows: Iterable[Any] = parameters if executemany else (parameters,)
    for row in rows:
        if _has_nul(row):
            raise Invalid({"non_field_errors": [MESSAGE]})


def install(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", _check)
