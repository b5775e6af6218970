"""Test fixtures: a real database per xdist worker (SQLite or PostgreSQL), outbox, clients.

`TEST_DATABASE=postgres` runs the suite on PostgreSQL (127.0.0.1:5432); the default is SQLite.
Each worker gets its own database, migrated with Alembic once, and every table is emptied
after each test, so tests are independent and parallel.
"""

from __future__ import annotations

import email
import os
import re
import tempfile
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="webinar-tests-"))
os.environ.update(
    {
        "APP_ENV": "test",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256-signing",
        "MEDIA_DIR": str(_TMP / "media"),
        "RECORDINGS_DIR": str(_TMP / "recordings"),
        "OUTBOX_DIR": str(_TMP / "outbox"),
        "EMAIL_BACKEND": "outbox",
        "API_BASE_URL": "http://testserver",
    }
)
os.environ.pop("REDIS_URL", None)

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from webinar_app.core import db  # noqa: E402
from webinar_app.core.config import get_settings, reset_settings_cache  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def backend() -> str:
    return os.environ.get("TEST_DATABASE", "sqlite")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database_url(label: str) -> str:
    """An empty database of the current backend, for tests that need one of their own.

    Names include the pid: two test runs on one machine must never share a database.
    """
    if backend() == "postgres":
        return create_postgres_database(f"webinar_{label}_{_worker()}_{os.getpid()}")
    path = _TMP / f"{label}-{_worker()}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    from webinar_app.core.migrations import upgrade_head

    url = fresh_database_url("test")
    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    upgrade_head(url)
    db.configure_engine(url)
    yield url
    db.get_engine().dispose()
    if backend() == "postgres":
        drop_postgres_database(url.rsplit("/", 1)[1])


def _empty_tables() -> None:
    """Empty every table. In browser tests the app's own loops (mail sender, scheduler) may be
    mid-transaction: TRUNCATE can then lose a deadlock to them, so it is retried."""
    import time

    from sqlalchemy.exc import OperationalError

    engine = db.get_engine()
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    for attempt in range(10):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    names = ", ".join(f'"{t.name}"' for t in tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        conn.execute(table.delete())
            return
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture(autouse=True)
def _clean_state(database_url: str) -> Iterator[None]:
    from webinar_app.api import catalog_cache
    from webinar_app.core import ratelimit
    from webinar_app.services.email import set_transport
    from webinar_app.state.chat_feed import feeds

    yield
    _empty_tables()
    catalog_cache.reset()  # the tables were emptied behind the ORM's back, and ids restart
    feeds.reset()  # a room's feed would outlive its rows (and be found again by a new room 1)
    ratelimit.reset_local()  # failed logins and other counts must not leak into the next test
    set_transport(None)
    outbox = get_settings().outbox_dir
    if outbox.exists():
        for item in outbox.glob("*.eml"):
            item.unlink()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(db.get_engine(), expire_on_commit=False) as s:
        yield s


class Outbox:
    """The `.eml` files the default transport wrote, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[Message]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes()) for p in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages() if m["To"].lower() == address.lower()]

    @staticmethod
    def text_of(message: Message, content_type: str = "text/plain") -> str:
        """The first part of that type, decoded ("" if the mail has none)."""
        for part in message.walk():
            if part.get_content_type() == content_type:
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode()
        return ""

    def last_code(self, address: str) -> str:
        found = self.to(address)
        assert found, f"no mail to {address}"
        match = re.search(r"verification code is: (\d{6})", self.text_of(found[-1]))
        assert match, "no code in the mail"
        return match.group(1)

    def last_reset_token(self, address: str) -> str:
        found = self.to(address)
        assert found, f"no mail to {address}"
        match = re.search(r"token=([\w-]+)", self.text_of(found[-1]))
        assert match, "no reset link in the mail"
        return match.group(1)


@pytest.fixture
def outbox(database_url: str) -> Outbox:
    return Outbox(get_settings().outbox_dir)


@pytest.fixture
def client(database_url: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from webinar_app.api.main import fastapi_app

    with TestClient(fastapi_app, raise_server_exceptions=False) as c:
        yield c


def make_user(
    session: Session,
    username: str = "alice",
    *,
    password: str = "correct-horse-1",
    role: str = "student",
    superuser: bool = False,
    email: str | None = None,
) -> Any:
    from webinar_app.services import accounts

    return accounts.create_user(
        session,
        None,
        username=username,
        email=email or f"{username}@example.com",
        password=password,
        role=role,
        is_superuser=superuser,
    )


def auth_headers(client: Any, login: str, password: str = "correct-horse-1") -> dict[str, str]:
    response = client.post("/api/accounts/auth/login/", json={"username": login, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


@pytest.fixture
def student(session: Session) -> Any:
    return make_user(session, "alice")


@pytest.fixture
def other_student(session: Session) -> Any:
    return make_user(session, "bob")


@pytest.fixture
def admin(session: Session) -> Any:
    return make_user(session, "root", role="admin", superuser=True)


@pytest.fixture
def student_headers(client: Any, student: Any) -> dict[str, str]:
    return auth_headers(client, "alice")


@pytest.fixture
def admin_headers(client: Any, admin: Any) -> dict[str, str]:
    return auth_headers(client, "root")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session, shared by tests/e2e and the production
    tests: Playwright's sync API allows one running instance per thread."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
