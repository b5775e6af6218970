"""The database engine and sessions.

One engine per process, built lazily from settings so that tests and forked workers
can point it elsewhere (`configure_engine`) or drop inherited connections (`dispose_after_fork`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

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


def insert_now(session: Session, model: type[_Row], **values: Any) -> _Row:
    """A new `model` row with `values` (and the model's defaults), written at once with one
    INSERT ... RETURNING in the session's transaction; the row gets its primary key and stays
    out of the session.

    For writes made under a hot row lock (a registration writes three rows while it holds
    its webinar's seat count): the flush machinery costs more CPU than the statements, and
    every millisecond spent under the lock is one every other registrant waits for. For the
    same reason the instance is built the way the ORM builds one it loaded (its attributes
    set as committed values), not through the model's constructor, which runs pydantic's
    default machinery and SQLAlchemy's change tracking field by field. Values are not
    validated: callers pass what the columns hold.
    """
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = _InsertPlan.of(model)
    row = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    data = plan.values(values)
    # On the session's connection, not through `Session.execute`: a plain INSERT has nothing
    # for the ORM's execution layer (and its event hooks) to do.
    data["id"] = session.connection().execute(plan.statement, data).scalar_one()
    row.__dict__.update(data)
    return row


_Row = TypeVar("_Row", bound=SQLModel)


@dataclass(frozen=True)
class _InsertPlan:
    """Built once per model: the statement, the static defaults and the default factories."""

    statement: Any
    defaults: dict[str, Any]
    factories: dict[str, Callable[[], Any]]
    columns: frozenset[str]

    @classmethod
    def of(cls, model: type[SQLModel]) -> _InsertPlan:
        table = model.__table__  # type: ignore[attr-defined]
        columns = frozenset(c.key for c in table.columns if not c.primary_key)
        defaults: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        for name, field in model.model_fields.items():
            if name not in columns or field.is_required():
                continue
            if field.default_factory is not None:
                factories[name] = field.default_factory  # type: ignore[assignment]
            else:
                defaults[name] = field.default
        return cls(insert(table).returning(table.c.id), defaults, factories, columns)

    def values(self, given: dict[str, Any]) -> dict[str, Any]:
        unknown = given.keys() - self.columns
        if unknown:
            raise TypeError(f"not columns: {sorted(unknown)}")
        data = {**self.defaults, **given}
        for name, factory in self.factories.items():
            if name not in given:
                data[name] = factory()
        missing = self.columns - data.keys()
        if missing:
            raise TypeError(f"required: {sorted(missing)}")
        return data


_plans: dict[type[SQLModel], _InsertPlan] = {}
