"""Security headers on API answers (pages get theirs from the same middleware in prod,
checked by the production smoke test)."""

from __future__ import annotations

from typing import Any

from webinar_app.api.security_headers import csp_for, page_csp


def test_api_answers_carry_security_headers_and_a_csp_that_allows_nothing(client: Any) -> None:
    response = client.get("/api/webinars/")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "strict-transport-security" not in response.headers  # plain http: HSTS means nothing


def test_errors_carry_them_too(client: Any) -> None:
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"


def test_https_behind_a_proxy_adds_hsts(client: Any) -> None:
    response = client.get("/api/webinars/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_page_csp_lets_live_stream_embeds_in_but_keeps_scripts_to_our_origin() -> None:
    policy = dict(part.split(" ", 1) for part in page_csp().split("; "))
    assert policy["frame-src"] == "https: http:"  # any embeddable stream the host set
    assert policy["script-src"].split()[0] == "'self'" and "https:" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"].split()[0] == "'self'" and "ws:" not in policy["connect-src"].split()
    assert csp_for("/live/3") == page_csp() and csp_for("/api/docs").startswith("default-src 'self'")
