"""Start the production backend on a fresh PostgreSQL database for a benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def bench_env(database_url: str) -> dict[str, str]:
    # The server derives its worker options (rxconfig.py) unless a run asks for a count.
    env = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_CMD_ARGS", "GRANIAN_WORKERS")}
    env.update(
        APP_ENV="prod",
        SECRET_KEY=SECRET,
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        OUTBOX_DIR=str(ROOT / "data" / "bench-outbox"),
        MEDIA_DIR=str(ROOT / "data" / "bench-media"),
    )
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    return env


def prepare(database_url: str) -> None:
    """Migrate the bench database and make this process use it."""
    os.environ.update(bench_env(database_url))
    sys.path.insert(0, str(ROOT))
    from webinar_app.core import db
    from webinar_app.core.config import reset_settings_cache
    from webinar_app.core.migrations import upgrade_head

    reset_settings_cache()
    upgrade_head(database_url)
    db.configure_engine(database_url)


@contextmanager
def production_backend(database_url: str, workers: int | None = None) -> Iterator[str]:
    port = free_port()
    env = bench_env(database_url)
    if workers:
        env["BACKEND_WORKERS"] = str(workers)
    (ROOT / "data").mkdir(exist_ok=True)
    log = open(ROOT / "data" / "bench-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "reflex"), "run", "--env", "prod", "--backend-only",
         "--backend-port", str(port), "--loglevel", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"backend exited; see {log.name}")
            time.sleep(0.5)
        else:
            raise RuntimeError("backend did not start in 120 s")
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


def cpu_by_role() -> dict[str, float]:
    """CPU seconds used so far by the backend (every process of its session), PostgreSQL and
    Redis: the difference across a run shows where the machine's two cores went."""
    import psutil

    totals = {"backend": 0.0, "postgres": 0.0, "redis": 0.0}
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            name = proc.info["name"] or ""
            cmdline = " ".join(proc.info["cmdline"] or ())
            if name.startswith("postgres") or name == "postmaster":
                role = "postgres"
            elif name.startswith("redis-server"):
                role = "redis"
            elif any(mark in cmdline for mark in ("--backend-only", "gunicorn", "granian")):
                role = "backend"
            else:
                continue
            times = proc.cpu_times()
            totals[role] += times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float]) -> str:
    return ", ".join(f"{role} {after[role] - before[role]:.2f} s" for role in before)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
