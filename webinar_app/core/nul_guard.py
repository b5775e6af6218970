"""Refuse text with NUL characters before it reaches the database.

PostgreSQL cannot store U+0000 in text and psycopg fails the whole statement (a 500 if
nothing catches it); SQLite would store it and hand it back to every client. No field of
ours has a use for it, so one check on every statement's parameters covers every door (REST
bodies, query strings, Reflex forms): the caller gets the usual validation error instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.engine import Engine

from webinar_app.services.errors import Invalid

MESSAGE = "Null characters are not allowed."


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict | Mapping):
        return _any_nul(value.values())
    if isinstance(value, list | tuple):
        return _any_nul(value)
    return False


def _any_nul(values: Iterable[Any]) -> bool:
    # Runs on every statement's parameters: scalars are checked inline, without a call each.
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict | list | tuple):
            if _has_nul(value):
                return True
        elif value is not None and not isinstance(value, _PLAIN) and _has_nul(value):
            return True  # another Mapping (an ABC check, so only for what is left)
    return False


_PLAIN = (int, float, bytes, date, Decimal, UUID)


def _check(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    rows: Iterable[Any] = parameters if executemany else (parameters,)
    if _any_nul(rows):
        raise Invalid({"non_field_errors": [MESSAGE]})


def install(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", _check)
