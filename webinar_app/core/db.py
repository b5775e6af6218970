"""The database engine and sessions.

One engine per process, built lazily from settings so that tests and forked workers
can point it elsewhere (`configure_engine`) or drop inherited connections (`dispose_after_fork`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from webinar_app.core import catalog_version, nul_guard
from webinar_app.core.config import get_settings

_engine: Engine | None = None
# Every process that writes through a Session must invalidate the other workers' cached lists.
catalog_version.install()


def _make_engine(url: str) -> Engine:
    # No pre-ping: it costs a round trip per request. A connection that died (database
    # restart) fails its request with a 503 and SQLAlchemy then invalidates the whole pool.
    kwargs: dict[str, Any] = {"pool_recycle": 1800}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        settings = get_settings()
        kwargs.update(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
    engine = create_engine(url, **kwargs)
    nul_guard.install(engine)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue
    # instead of failing with "database is locked"; foreign keys are off by default in SQLite.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        url = get_settings().database_url
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        _engine = _make_engine(url)
    return _engine


def configure_engine(url: str) -> Engine:
    """Point the process at another database (tests, CLI flags)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = _make_engine(url)
    return _engine


def dispose_after_fork() -> None:
    """Forked workers must not reuse the parent's pooled connections."""
    if _engine is not None:
        _engine.dispose(close=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def autocommit_reads(session: Session) -> None:
    """Let a request's remaining reads run outside a transaction.

    A single SELECT in a transaction costs three round trips (BEGIN, the query, the ROLLBACK
    when the session closes); in autocommit it costs one. Only for sessions that will not
    write: nothing after this is atomic. A session already in a transaction is left as is.
    """
    if not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def read_once(statement: Any, params: dict[str, Any]) -> list[Any]:
    """The rows of one read, outside any Session and transaction: one round trip (the fast
    lanes of `api/hot_paths.py`, which read a user's state and data in one statement)."""
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return list(conn.execute(statement, params).all())


def insert_now(session: Session, row: SQLModel) -> None:
    """Write a new row with one INSERT ... RETURNING, outside the unit of work, in the
    session's transaction; the row gets its primary key and stays out of the session.

    For writes made under a hot row lock (a registration writes three rows while it holds
    its webinar's seat count): the flush machinery costs more CPU than the statements, and
    every millisecond spent under the lock is one every other registrant waits for. Defaults
    still come from the model, because the values are read off the constructed instance.
    """
    table = type(row).__table__  # type: ignore[attr-defined]
    statement = _INSERTS.get(table.name)
    if statement is None:  # built once per table: constructing it costs more than running it
        statement = _INSERTS[table.name] = insert(table).returning(table.c.id)
    values = {c.key: getattr(row, c.key) for c in table.columns if not c.primary_key}
    row.id = session.execute(statement, values).scalar_one()  # type: ignore[attr-defined]


_INSERTS: dict[str, Any] = {}
