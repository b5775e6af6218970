"""End-to-end fixtures: the real app (AppHarness, backend in-process) and headless Chromium.

The harness frontend listens on a random port, so the websocket's CORS check must allow
any origin here; rxconfig.py feeds `cors_allowed_origins` from our CORS_ORIGINS setting,
which must be set (and the settings cache dropped) before the harness loads rxconfig.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from webinar_app.core.config import reset_settings_cache

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# A frontend build directory of our own: `reflex run` elsewhere in this checkout rewrites `.web`
# while we compile into it. Kept between runs so npm installs only once.
# One build folder per checkout: two checkouts (or a CI run beside a dev session) must not
# rewrite each other's node_modules; kept between runs so npm installs only once.
E2E_WEB_DIR = (
    Path(tempfile.gettempdir())
    / f"webinar-e2e-web-{hashlib.sha1(str(PROJECT_ROOT).encode()).hexdigest()[:8]}"
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def app_harness(database_url: str) -> Iterator[Any]:
    from reflex.testing import AppHarness

    os.environ["CORS_ORIGINS"] = "*"
    os.environ.setdefault("REFLEX_WEB_WORKDIR", str(E2E_WEB_DIR))
    os.environ.setdefault("REFLEX_USE_NPM", "1")
    os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
    reset_settings_cache()
    with AppHarness.create(root=PROJECT_ROOT, app_name="webinar_app") as harness:
        yield harness


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, app_harness: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


@pytest.fixture
def frontend_url(app_harness: Any) -> str:
    assert app_harness.frontend_url, "frontend did not start"
    return str(app_harness.frontend_url).rstrip("/")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
