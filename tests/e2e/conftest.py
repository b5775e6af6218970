"""End-to-end fixtures: the real app (AppHarness, backend in-process) and headless Chromium.

The harness frontend listens on a random port, so the websocket's CORS check must allow
any origin here; rxconfig.py feeds `cors_allowed_origins` from our CORS_ORIGINS setting,
which must be set (and the settings cache dropped) before the harness loads rxconfig.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
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


@pytest.fixture
def page(browser: Any, app_harness: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser: Any, app_harness: Any) -> Iterator[Callable[[], Any]]:
    """Independent browser contexts (separate storage: separate people), closed at the end."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        return pg

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def frontend_url(app_harness: Any) -> str:
    assert app_harness.frontend_url, "frontend did not start"
    return str(app_harness.frontend_url).rstrip("/")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class JourneyShots:
    """Numbered full-page screenshots of one journey, `journeys/<journey>/<nn>-<step>.png`
    under test-artifacts/, so a reader can follow the steps in order. The folder is emptied
    first: a rerun with fewer steps must not leave stale pictures between the new ones."""

    def __init__(self, root: Path, journey: str) -> None:
        self.folder = root / "journeys" / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page: Any, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def journey_shots(artifacts: Path) -> Callable[[str], JourneyShots]:
    return lambda journey: JourneyShots(artifacts, journey)


# ------------------------------------------------------------------ accessibility (axe-core)

# Installed from tests/e2e/axe/package-lock.json by scripts/ensure-axe.sh (make setup-test).
AXE_JS = PROJECT_ROOT / "tests" / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What fails a page: "minor" and "moderate" findings are advice, these block people.
BLOCKING_IMPACTS = ("serious", "critical")
# Runs inside the page: axe over the whole document, only blocking findings come back, and a
# node is dropped when an explicit waiver (rule id -> CSS selector) covers it or an ancestor.
# Findings inside framework markup our code cannot reach, waived for that selector only:
# - label: rx.upload (react-dropzone) renders a visually hidden, tabindex=-1 <input type=file>
#   inside its drop zone with no way to pass it a label or id; people use the drop zone and
#   its button, which carry the text. Our upload roots all have ids ending in "_upload".
FRAMEWORK_WAIVERS: dict[str, str] = {"label": '[id$="_upload"] input[type="file"]'}
_AXE_RUN = """async ([impacts, waivers]) => {
  // A dialog or toast still fading in reads as low contrast: let finite animations finish.
  const finite = document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const waived = (rule, node) => {
    const selector = waivers[rule];
    if (!selector || node.target.length !== 1) return false;
    const el = document.querySelector(node.target[0]);
    return !!(el && el.closest(selector));
  };
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
      nodes: v.nodes.filter((n) => !waived(v.id, n)).map((n) => ({
        target: n.target.join(" >> "), html: n.html.slice(0, 160), summary: n.failureSummary,
      })),
    }))
    .filter((v) => v.nodes.length > 0);
}"""

def format_violations(name: str, violations: list[dict[str, Any]]) -> str:
    """One block per rule with its failing nodes, so the fix is findable from the test log."""
    lines = [f"{name}: {len(violations)} serious/critical accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}  {node['html']}")
            lines.append("      " + " / ".join(str(node["summary"]).splitlines()[1:3]))
    return "\n".join(lines)


class Axe:
    """`axe(page, "catalog")` injects axe-core into the page as it is now and fails on any
    serious or critical violation. `waivers` maps a rule id to the selector it is waived
    for: only for findings inside Reflex/Radix markup we cannot change, each with a reason.

    With `collect=True` findings are gathered instead and `assert_clean()` reports every
    page at once: one run then shows all that is wrong, not only the first page."""

    def __init__(self, script: Path) -> None:
        self.script = script
        self.collect = False
        self.reports: list[str] = []

    def scan(self, page: Any, waivers: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(self.script))
        found: list[dict[str, Any]] = page.evaluate(
            _AXE_RUN, [list(BLOCKING_IMPACTS), {**FRAMEWORK_WAIVERS, **(waivers or {})}]
        )
        return found

    def __call__(self, page: Any, name: str, waivers: Mapping[str, str] | None = None) -> None:
        violations = self.scan(page, waivers)
        if violations and self.collect:
            self.reports.append(format_violations(name, violations))
        else:
            assert not violations, format_violations(name, violations)

    def assert_clean(self) -> None:
        assert not self.reports, "\n\n".join(self.reports)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run scripts/ensure-axe.sh (part of make setup-test)")
    return AXE_JS


@pytest.fixture
def axe(axe_script: Path) -> Axe:
    return Axe(axe_script)
