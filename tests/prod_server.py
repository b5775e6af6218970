"""The production server as a deployment runs it: `reflex run --env prod --single-port`.

Shared by tests/test_production.py and tests/test_durability.py. One process group per
start (gunicorn's master and its forked uvicorn workers), so a test can stop it politely (SIGTERM,
then SIGKILL) or crash it on purpose (`kill -9` of the whole group) and start it again on
the same port against the same PostgreSQL database and Redis db.

The frontend build has a folder of its own (`webinar-prod-web-<hash of this checkout>` in
the temp dir), never `.web` nor the AppHarness build of tests/e2e: `reflex run --env prod`
rewrites its web dir on every start, and another session may be building those. The folder
is kept between runs, so npm installs once; the prod bundle itself is rebuilt on every
start (Reflex always exports in prod mode), which is why startup waits up to 15 minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[1]
REFLEX = Path(sys.executable).with_name("reflex")
PYTHON = Path(sys.executable)
PROD_WEB_DIR = (
    Path(tempfile.gettempdir())
    / f"webinar-prod-web-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]}"
)
SECRET = "prod-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_ORIGIN = "http://allowed.example"
STARTUP_TIMEOUT = 15 * 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flush_redis(url: str) -> None:
    """Empty the server's own Redis db: states left by an earlier run would be rehydrated."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


SERVER_OPTIONS = ("GUNICORN_CMD_ARGS", "GRANIAN_WORKERS", "BACKEND_WORKERS")


class ProdServer:
    """One `reflex run --env prod --single-port` on a fixed port, restartable."""

    def __init__(self, database_url: str, redis_url: str, workdir: Path, workers: int = 3) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.redis_url = redis_url
        self.workers = workers
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log_path = workdir / "server.log"

    def env(self) -> dict[str, str]:
        # rxconfig.py, imported by this test process too, sets the server's worker options
        # from this process's settings: the server must derive its own.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "REFLEX_")) and k not in SERVER_OPTIONS
        }
        env.update(
            APP_ENV="prod",
            SECRET_KEY=SECRET,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            BACKEND_WORKERS=str(self.workers),
            CORS_ORIGINS=ALLOWED_ORIGIN,
            # One port serves both: the UI's public URL is the backend's (rxconfig.py adds it to
            # the websocket's allowed origins and makes it Reflex's api_url).
            APP_BASE_URL=self.url,
            API_BASE_URL=self.url,
            REFLEX_WEB_WORKDIR=str(PROD_WEB_DIR),
            REFLEX_USE_NPM="1",
            REFLEX_TELEMETRY_ENABLED="false",
            MEDIA_DIR=str(self.workdir / "media"),
            RECORDINGS_DIR=str(self.workdir / "recordings"),
            OUTBOX_DIR=str(self.workdir / "outbox"),
            EMAIL_BACKEND="outbox",
            PATH=f"{REFLEX.parent}:{os.environ.get('PATH', '')}",
        )
        # The suite's own settings (a test database, test mode) must not leak into the server.
        env.pop("TEST_DATABASE", None)
        return env

    def cli(self, *args: str) -> str:
        """`python -m webinar_app ...` with the server's settings (migrate, create-admin)."""
        result = subprocess.run(
            [str(PYTHON), "-m", "webinar_app", *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start and wait until both doors answer: `/ping` (backend) and `/` (the built UI)."""
        self.starts += 1
        log = open(self.log_path, "a")  # noqa: SIM115  (closed when the process is reaped)
        log.write(f"\n===== start {self.starts} =====\n")
        log.flush()
        self.proc = subprocess.Popen(
            [str(REFLEX), "run", "--env", "prod", "--single-port", "--backend-port", str(self.port),
             "--loglevel", "info"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prod server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                ping = httpx.get(f"{self.url}/ping", timeout=2)
                page = httpx.get(f"{self.url}/", timeout=5)
                if ping.status_code == 200 and page.status_code == 200 and "<html" in page.text.lower():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"prod server not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def crash(self) -> None:
        """`kill -9` of the whole process group: no shutdown hook, no lifespan exit runs."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._wait_port_free()

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL if it lingers (as bench/_server.py does)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        # Forked workers may outlive the parent for a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def group_pids(self) -> list[int]:
        """Every live process of the server's group: the CLI, gunicorn and its workers."""
        assert self.proc is not None
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.getpgid(int(entry)) == self.proc.pid:
                        pids.append(int(entry))
        return pids

    def _wait_port_free(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", self.port))
                    return
                except OSError:
                    time.sleep(0.2)
        raise RuntimeError(f"port {self.port} still taken after the crash")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def login(url: str, username: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/accounts/auth/login/", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


# ------------------------------------------------------------------ one server per test run

REDIS_URL = os.environ.get("TEST_PROD_REDIS_URL", "redis://127.0.0.1:6379/7")
ADMIN = ("prodroot", "prodroot@example.com", "prod-admin-password-1")
_shared: ProdServer | None = None


def shared_server(config: Any) -> ProdServer:
    """The run's one production server (test_production.py and test_durability.py share it).

    Started on first use, on a fresh PostgreSQL database (whatever TEST_DATABASE says: this is
    the deployment shape) and a flushed Redis db, migrated first as `make prod` does, with one
    superuser. Stopped and its database dropped when pytest ends (`config.add_cleanup`), so a
    crash-and-restart in one module leaves a running server for the other.
    """
    global _shared
    if _shared is None:
        from tests.conftest import create_postgres_database, drop_postgres_database

        name = f"webinar_prod_{os.getpid()}"
        server = ProdServer(
            create_postgres_database(name), REDIS_URL, Path(tempfile.mkdtemp(prefix="webinar-prod-run-"))
        )
        flush_redis(REDIS_URL)
        server.cli("migrate")
        server.cli("create-admin", "--username", ADMIN[0], "--email", ADMIN[1], "--password", ADMIN[2])

        def cleanup() -> None:
            server.stop()
            drop_postgres_database(name)
            # Failures already quote the log's tail; the build folder (PROD_WEB_DIR) stays.
            shutil.rmtree(server.workdir, ignore_errors=True)

        config.add_cleanup(cleanup)
        _shared = server
        server.start()
    elif _shared.proc is None or _shared.proc.poll() is not None:
        _shared.start()
    return _shared


# ------------------------------------------------------------------ REST and browser helpers

STREAM = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
STUDENT_PASSWORD = "student-password-1"
# Installed in every document before any page script runs; reports to Python at once, so a
# violation on a page navigated away from is not lost with its window.
CSP_PROBE = (
    "document.addEventListener('securitypolicyviolation', e => window.__cspViolation("
    "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile));"
)


def create_webinar(url: str, admin: dict[str, str], title: str, *, starts_in: timedelta) -> dict[str, Any]:
    start = datetime.now(UTC) + starts_in
    response = httpx.post(
        f"{url}/api/webinars/",
        json={
            "title": title,
            "description": "Production smoke test.",
            "date": start.date().isoformat(),
            "time": start.strftime("%H:%M:%S"),
            "duration": 120,
            "live_stream_url": STREAM,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_student(url: str, admin: dict[str, str], username: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/accounts/users/",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": STUDENT_PASSWORD,
            "first_name": username.title(),
            "last_name": "Prod",
            "role": "student",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return login(url, username, STUDENT_PASSWORD)


class ConsoleWatch:
    """Console errors and CSP violations of one page (the CSP ones fail the test)."""

    def __init__(self, context: Any, page: Page) -> None:
        self.errors: list[str] = []
        self.violations: list[str] = []
        context.expose_function("__cspViolation", lambda report: self.violations.append(str(report)))
        context.add_init_script(CSP_PROBE)
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def csp_violations(self) -> list[str]:
        logged = [e for e in self.errors if "Content Security Policy" in e or "Content-Security-Policy" in e]
        return [*self.violations, *logged]


def open_page(chromium: Any) -> tuple[Any, Page, ConsoleWatch]:
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    watch = ConsoleWatch(context, page)
    page.set_default_timeout(30_000)
    return context, page, watch


def sign_in(page: Page, url: str, username: str, password: str, next_path: str | None = None) -> None:
    from webinar_app import routes

    page.goto(url + routes.login_url(next_path))
    expect(page.locator("#nav-login, #user-menu").first).to_be_visible(timeout=60_000)
    page.fill("#login", username)
    page.fill("#password", password)
    page.click("#login-submit")
    expect(page.locator("#user-menu")).to_be_visible()
