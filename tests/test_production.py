"""The production shape, end to end: `reflex run --env prod --single-port`, PostgreSQL, Redis,
three granian workers, CORS limited to one foreign origin, a real SECRET_KEY.

A smoke journey over REST (admin signs in, creates a webinar and a student, the student
registers and chats; 30 concurrent list calls spread over the workers), the security headers
on a page and on an API answer, CORS for the allowed origin only, the API docs; then Chromium
against the same port: sign in, catalog, webinar page, register, live room with its chat, and
not one Content-Security-Policy violation on the way.

Every worker forks from a parent that imported the app: `dispose_after_fork` (a lifespan
task in webinar_app.py) drops the inherited DB pool, and these requests hitting three
workers on a cold start are what would show psycopg errors if it did not.

The whole module is `browser`-marked, REST included: the server needs a full production
frontend build (about a minute, several on a first run with npm) into one shared build
folder, which two xdist workers must never build at once; the serial browser phase runs it
once, and test_durability.py reuses the same server (tests/prod_server.py).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.prod_server import (
    ADMIN,
    ALLOWED_ORIGIN,
    STUDENT_PASSWORD,
    ProdServer,
    create_student,
    create_webinar,
    login,
    open_page,
    shared_server,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def prod(request: pytest.FixtureRequest) -> ProdServer:
    return shared_server(request.config)


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    return browser


@pytest.fixture(scope="module")
def journey(prod: ProdServer) -> dict[str, Any]:
    """Admin signs in, makes a live webinar (started) and a later one, and a student."""
    admin = login(prod.url, ADMIN[0], ADMIN[2])
    live_now = create_webinar(prod.url, admin, "Prod live room", starts_in=timedelta(minutes=-5))
    later = create_webinar(prod.url, admin, "Prod upcoming talk", starts_in=timedelta(days=2))
    started = httpx.post(f"{prod.url}/api/live/start/{live_now['id']}/", headers=admin)
    assert started.status_code == 200, started.text
    student = create_student(prod.url, admin, "carol")
    return {"admin": admin, "live": live_now, "later": later, "student": student}


def test_rest_journey_register_and_chat_on_three_workers(prod: ProdServer, journey: dict[str, Any]) -> None:
    url, student, webinar_id = prod.url, journey["student"], journey["live"]["id"]
    me = httpx.get(f"{url}/api/accounts/users/me/", headers=student)
    assert me.status_code == 200 and me.json()["username"] == "carol"

    registered = httpx.post(f"{url}/api/registrations/register/", json={"event": webinar_id}, headers=student)
    assert registered.status_code == 201, registered.text
    posted = httpx.post(
        f"{url}/api/communications/chat/", json={"event": webinar_id, "message": "hello from prod"},
        headers=student,
    )
    assert posted.status_code == 201, posted.text
    chat = httpx.get(f"{url}/api/communications/chat/", params={"event": webinar_id}, headers=student)
    assert [m["message"] for m in chat.json()] == ["hello from prod"]

    # 30 list calls at once, signed in and not, over new connections: granian spreads them over
    # its workers, each with a pool of its own (inherited connections dropped after the fork).
    def list_call(n: int) -> int:
        headers = student if n % 2 else {}
        with httpx.Client(base_url=url, timeout=30) as client:
            return client.get("/api/webinars/", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(list_call, range(30))) == [200] * 30
    # Several workers really run (no endpoint names the answering one, so the process tree
    # is the evidence): the CLI process plus at least three granian workers in the group.
    assert len(prod.group_pids()) >= 1 + prod.workers, prod.group_pids()


def test_security_headers_on_a_page_and_an_api_answer(prod: ProdServer) -> None:
    page = httpx.get(f"{prod.url}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    api = httpx.get(f"{prod.url}/api/webinars/")
    assert api.status_code == 200
    for response in (page, api):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # The page may embed any http(s) stream but loads scripts only from itself.
    page_csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in page_csp and "frame-src https: http:" in page_csp
    assert "object-src 'none'" in page_csp
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    # A built asset (JS) gets the headers too: one middleware wraps the whole backend.
    asset = re.search(r'(?:src|href)="(/assets/[^"]+\.js)"', page.text)
    assert asset, "no built script referenced by the page"
    js = httpx.get(f"{prod.url}{asset.group(1)}")
    assert js.status_code == 200 and js.headers["x-content-type-options"] == "nosniff"


def test_cors_grants_the_configured_origin_only(prod: ProdServer) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = httpx.options(
        f"{prod.url}/api/registrations/register/", headers={"Origin": ALLOWED_ORIGIN, **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    foreign = httpx.options(
        f"{prod.url}/api/registrations/register/", headers={"Origin": "http://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in foreign.headers

    simple = httpx.get(f"{prod.url}/api/webinars/", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    evil = httpx.get(f"{prod.url}/api/webinars/", headers={"Origin": "http://evil.example"})
    assert evil.status_code == 200 and "access-control-allow-origin" not in evil.headers


def test_api_docs_are_served(prod: ProdServer) -> None:
    docs = httpx.get(f"{prod.url}/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert httpx.get(f"{prod.url}/api/openapi.json").json()["info"]["title"] == "Webinar platform API"


# ---------------------------------------------------------------------------- Chromium


def test_browser_sign_in_catalog_register_and_live_room_without_csp_violations(
    prod: ProdServer, journey: dict[str, Any], chromium: Any
) -> None:
    from webinar_app import routes

    admin = journey["admin"]
    create_student(prod.url, admin, "dave")
    live_id, later = journey["live"]["id"], journey["later"]
    context, page, watch = open_page(chromium)
    try:
        sign_in(page, prod.url, "dave", STUDENT_PASSWORD)

        page.goto(prod.url + routes.WEBINARS)
        grid = page.locator(".webinar-card")
        expect(grid.filter(has_text=later["title"])).to_have_count(1)
        page.get_by_role("link", name=later["title"]).first.click()
        expect(page).to_have_url(re.compile(re.escape(routes.webinar_url(later["id"])) + "/?$"))
        expect(page.locator("#webinar-title")).to_have_text(later["title"])
        page.click("#register-button")
        expect(page.locator("#unregister-button")).to_be_visible()

        # The live room: register for the running one, then its player and chat.
        page.goto(prod.url + routes.webinar_url(live_id))
        page.click("#register-button")
        expect(page.locator("#unregister-button")).to_be_visible()
        page.goto(prod.url + routes.LIVE_PREFIX + str(live_id))
        expect(page.locator("#chat-panel")).to_be_visible()
        expect(page.locator("#live-player")).to_have_attribute("src", re.compile("youtube"))
        page.fill("#chat-input", "typed in prod")
        page.press("#chat-input", "Enter")
        expect(page.locator("#chat-messages .chat-message").filter(has_text="typed in prod")).to_have_count(1)

        assert watch.csp_violations() == []
        # The probe itself sees violations: a fetch to another site is refused and reported.
        page.evaluate("fetch('http://example.invalid/probe').catch(() => null)")
        page.wait_for_timeout(500)
        assert any("connect-src" in v for v in watch.csp_violations()), watch.errors
    finally:
        context.close()
