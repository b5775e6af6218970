"""The real backend process (`reflex run --backend-only`): startup checks, CORS, routing.

These start the server the way production does, so what Reflex adds around our API
(its CORS middleware, its own routes) is tested too, not only the FastAPI app.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFLEX = Path(sys.executable).with_name("reflex")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PATH=f"{REFLEX.parent}:{env.get('PATH', '')}",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def backend(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = _env(
        database_url,
        APP_ENV="prod",
        SECRET_KEY="a-production-secret-that-is-long-enough-0123456789",
        CORS_ORIGINS="http://allowed.example,http://localhost:5173",
    )
    proc = subprocess.Popen(
        [str(REFLEX), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode() if proc.stdout else "backend exited")
        yield url
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)


def test_prod_mode_without_secret_key_refuses_to_start_with_a_clear_message(database_url: str) -> None:
    env = _env(database_url, APP_ENV="prod")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [str(REFLEX), "run", "--env", "prod", "--backend-only", "--backend-port", str(_free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SECRET_KEY is required in production mode" in output


def test_cors_allows_configured_origins_on_success_and_error_responses(backend: str) -> None:
    ok = httpx.get(f"{backend}/api/webinars/", headers={"Origin": "http://allowed.example"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "http://allowed.example"
    refused = httpx.get(f"{backend}/api/accounts/users/me/", headers={"Origin": "http://localhost:5173"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "http://localhost:5173"


def test_cors_preflight_for_an_authenticated_patch(backend: str) -> None:
    response = httpx.options(
        f"{backend}/api/accounts/users/me/",
        headers={
            "Origin": "http://allowed.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_other_origins_get_no_cors_grant(backend: str) -> None:
    response = httpx.get(f"{backend}/api/webinars/", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_unknown_api_paths_answer_json_404_and_docs_are_served(backend: str) -> None:
    missing = httpx.get(f"{backend}/api/nope/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    assert httpx.get(f"{backend}/api/openapi.json").json()["info"]["title"] == "Webinar platform API"
    assert httpx.get(f"{backend}/api/docs").status_code == 200
    assert httpx.get(f"{backend}/api/webinars").status_code == 200  # no trailing slash: served


def _upgrade(backend: str, path: str, origin: str) -> tuple[int, str]:
    """A browser's websocket handshake (offering compression, as browsers do): status, headers."""
    host, port = backend.removeprefix("http://").split(":")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
    status_line, _, headers = head.decode("latin-1").partition("\r\n")
    return int(status_line.split()[1]), headers.lower()


def test_the_event_socket_upgrades_for_allowed_origins_only_and_without_compression(backend: str) -> None:
    # The event socket skips the HTTP middleware (realtime/event_socket.py): socket.io's own
    # origin check must still refuse a foreign page, and no tab keeps a zlib context.
    path = "/_event/?EIO=4&transport=websocket"
    status, headers = _upgrade(backend, path, "http://allowed.example")
    assert status == 101
    assert "sec-websocket-accept" in headers
    assert "permessage-deflate" not in headers
    status, _ = _upgrade(backend, path, "http://evil.example")
    assert status != 101
    status, _ = _upgrade(backend, "/api/webinars/", "http://allowed.example")  # no socket there
    assert status != 101
