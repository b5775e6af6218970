"""Auth hardening: forged, stale and misused tokens are refused; failed logins are limited.

Every refused token must answer the contract's bearer 401 on a protected route (and the
refresh 401 where a refresh token is involved). The failed-login limit is per account and
per client address; successful logins, token refresh and `users/me/` are never limited.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from sqlmodel import Session

from tests.conftest import make_user
from webinar_app.api.errors import BAD_BEARER
from webinar_app.core import db, ratelimit
from webinar_app.core.config import get_settings, secret_key
from webinar_app.core.redis_client import sync_redis
from webinar_app.core.security import encode_token, utcnow
from webinar_app.models import User
from webinar_app.services import auth
from webinar_app.services.errors import NotAuthenticated, RateLimited

LOGIN = "/api/accounts/auth/login/"
REFRESH = "/api/accounts/auth/refresh/"
ME = "/api/accounts/users/me/"
PROTECTED = [ME, "/api/registrations/", "/api/communications/notifications/unread_count/"]
PASSWORD = "correct-horse-1"
REFRESH_INVALID = {"detail": "Token is invalid", "code": "token_not_valid"}
BAD_CREDENTIALS = {"detail": "No active account found with the given credentials"}


# ------------------------------------------------------------------ helpers


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user: User, token_type: str = "access", **override: Any) -> dict[str, Any]:
    now = int(utcnow().timestamp())
    claims = {
        "token_type": token_type,
        "exp": now + 3600,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": str(user.id),
        "role": user.role,
        "username": user.username,
        "email": user.email,
    }
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


def _pair(client: Any, login: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
    response = client.post(LOGIN, json={"username": login, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_refused_everywhere(client: Any, token: str) -> None:
    for path in PROTECTED:
        response = client.get(path, headers=_bearer(token))
        assert response.status_code == 401, (path, response.text)
        assert response.json() == BAD_BEARER, path


def _login(client: Any, login: str, password: str, ip: str | None = None) -> Any:
    headers = {"X-Forwarded-For": ip} if ip else {}
    return client.post(LOGIN, json={"username": login, "password": password}, headers=headers)


@pytest.fixture
def trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy, X-Forwarded-For names the client: lets one test client be many IPs."""
    monkeypatch.setattr(get_settings(), "trusted_proxy", True)


class FakeClock:
    """The limiter's clock, moved by hand (a real minute is too long for a test)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Frozen at the start of a window, so no test's attempts straddle two windows by chance."""
    window = get_settings().login_failure_window_seconds
    fake = FakeClock(window * 20_000_000)  # the start of a window
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


# ------------------------------------------------------------------ forged and misused tokens


def test_alg_none_token_is_refused(client: Any, student: User) -> None:
    payload = _b64(_claims(student))
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE", "typ": "JWT"}):
        _assert_refused_everywhere(client, f"{_b64(header)}.{payload}.")
        _assert_refused_everywhere(client, f"{_b64(header)}.{payload}")


def test_token_signed_with_a_wrong_key_is_refused(client: Any, student: User) -> None:
    forged = jwt.encode(_claims(student), "another-key-that-is-long-enough-for-hs256!!", algorithm="HS256")
    _assert_refused_everywhere(client, forged)


@pytest.mark.filterwarnings("ignore:The HMAC key")
def test_token_with_another_hmac_algorithm_is_refused(client: Any, student: User) -> None:
    """Only HS256 is accepted, even when the right key signed it."""
    other = jwt.encode(_claims(student), secret_key(), algorithm="HS512")
    _assert_refused_everywhere(client, other)


def test_expired_access_token_is_refused(client: Any, student: User) -> None:
    expired, _, _ = encode_token(
        "access", {"user_id": str(student.id), "role": student.role}, now=utcnow() - timedelta(hours=2)
    )
    _assert_refused_everywhere(client, expired)


def test_token_missing_required_claims_is_refused(client: Any, student: User) -> None:
    for missing in ("exp", "jti", "token_type", "user_id"):
        token = jwt.encode(_claims(student, **{missing: None}), secret_key(), algorithm="HS256")
        _assert_refused_everywhere(client, token)


def test_token_for_unknown_user_id_is_refused(client: Any, student: User) -> None:
    for user_id in ("999999", "not-a-number", ""):
        token = jwt.encode(_claims(student, user_id=user_id), secret_key(), algorithm="HS256")
        _assert_refused_everywhere(client, token)


def test_tampered_payload_is_refused(client: Any, student: User, admin: User) -> None:
    """Swapping the payload for an admin's keeps the old signature, which no longer matches."""
    token = _pair(client)["access"]
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(user_id=str(admin.id), role="admin", username="root")
    _assert_refused_everywhere(client, f"{header}.{_b64(claims)}.{signature}")
    # Even a one-character change in the signature is refused.
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    _assert_refused_everywhere(client, f"{header}.{payload}.{flipped}")


def test_garbage_bearer_values_are_refused(client: Any, student: User) -> None:
    for token in ("x", "a.b.c", "....", "Bearer", "eyJhbGciOiJIUzI1NiJ9..", "not a token"):
        _assert_refused_everywhere(client, token)
    response = client.get(ME, headers={"Authorization": "Token abc"})
    assert response.status_code == 401


def test_refresh_token_is_not_an_access_token(client: Any, student: User) -> None:
    _assert_refused_everywhere(client, _pair(client)["refresh"])


def test_access_token_is_not_a_refresh_token(client: Any, student: User) -> None:
    response = client.post(REFRESH, json={"refresh": _pair(client)["access"]})
    assert response.status_code == 401
    assert response.json() == REFRESH_INVALID


def test_refresh_token_refusals(client: Any, student: User) -> None:
    """alg none, a wrong key, expired, and a well-signed token the server never issued."""
    claims = _claims(student, "refresh")
    never_issued = jwt.encode(claims, secret_key(), algorithm="HS256")
    expired, _, _ = encode_token(
        "refresh", {"user_id": str(student.id)}, now=utcnow() - timedelta(days=30)
    )
    for token in (
        f"{_b64({'alg': 'none'})}.{_b64(claims)}.",
        jwt.encode(claims, "another-key-that-is-long-enough-for-hs256!!", algorithm="HS256"),
        expired,
        never_issued,
    ):
        response = client.post(REFRESH, json={"refresh": token})
        assert response.status_code == 401, token
        assert response.json() == REFRESH_INVALID


def test_reused_rotated_refresh_token_is_refused_and_kills_the_family(client: Any, student: User) -> None:
    first = _pair(client)
    second = client.post(REFRESH, json={"refresh": first["refresh"]})
    assert second.status_code == 200
    replay = client.post(REFRESH, json={"refresh": first["refresh"]})
    assert replay.status_code == 401
    assert replay.json() == REFRESH_INVALID
    # The replay revoked the rotated-to token too: whoever stole either one loses it.
    assert client.post(REFRESH, json={"refresh": second.json()["refresh"]}).status_code == 401


def test_tokens_of_a_deleted_user_are_refused(
    client: Any, student: User, admin_headers: dict[str, str]
) -> None:
    tokens = _pair(client)
    assert client.delete(f"/api/accounts/users/{student.id}/", headers=admin_headers).status_code == 204
    _assert_refused_everywhere(client, tokens["access"])
    response = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response.json() == REFRESH_INVALID


def test_tokens_of_a_deactivated_user_are_refused(client: Any, session: Session, student: User) -> None:
    tokens = _pair(client)
    student.is_active = False
    session.add(student)
    session.commit()
    _assert_refused_everywhere(client, tokens["access"])
    response = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response.json() == REFRESH_INVALID


def test_logged_out_refresh_token_is_refused(client: Any, student: User) -> None:
    tokens = _pair(client)
    out = client.post(
        "/api/accounts/auth/logout/", json={"refresh": tokens["refresh"]}, headers=_bearer(tokens["access"])
    )
    assert out.status_code == 200
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401


# ------------------------------------------------------------------ failed-login limit


def _assert_throttled(response: Any) -> int:
    assert response.status_code == 429, response.text
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= get_settings().login_failure_window_seconds
    assert response.json() == {
        "detail": f"Too many failed login attempts. Try again in {wait} seconds.",
        "error_code": "too_many_attempts",
    }
    return wait


def test_sixth_wrong_password_for_an_account_is_429_with_retry_after(client: Any, student: User) -> None:
    assert get_settings().login_failures_per_minute == 5
    for _ in range(5):
        response = _login(client, "alice", "wrong-password")
        assert response.status_code == 401
        assert response.json() == BAD_CREDENTIALS
    _assert_throttled(_login(client, "alice", "wrong-password"))
    # Locked means locked: the right password is refused too until the window ends.
    _assert_throttled(_login(client, "alice", PASSWORD))


def test_account_limit_holds_across_client_ips_and_login_spellings(
    client: Any, student: User, trusted_proxy: None
) -> None:
    logins = ["alice", "ALICE", "alice@example.com", "Alice@Example.com", " alice "]
    for n, login in enumerate(logins):
        assert _login(client, login, "wrong-password", ip=f"203.0.113.{n}").status_code == 401
    _assert_throttled(_login(client, "alice", "wrong-password", ip="198.51.100.7"))
    _assert_throttled(_login(client, "alice@example.com", PASSWORD, ip="198.51.100.8"))


def test_unknown_accounts_are_limited_like_real_ones(client: Any, trusted_proxy: None) -> None:
    """Otherwise the 429 would tell an attacker which usernames exist."""
    for n in range(5):
        assert _login(client, "nobody", "wrong-password", ip=f"203.0.113.{n}").status_code == 401
    _assert_throttled(_login(client, "NOBODY", "wrong-password", ip="203.0.113.99"))


def test_client_limit_covers_many_accounts_from_one_ip(
    client: Any, session: Session, trusted_proxy: None
) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
        make_user(session, name)
    for name in ("u1", "u2", "u3", "ghost", "u4"):
        assert _login(client, name, "wrong-password", ip="203.0.113.1").status_code == 401
    _assert_throttled(_login(client, "u5", "wrong-password", ip="203.0.113.1"))
    _assert_throttled(_login(client, "u6", PASSWORD, ip="203.0.113.1"))  # the address is locked
    # Another address, and the accounts themselves, are not locked.
    assert _login(client, "u6", PASSWORD, ip="203.0.113.2").status_code == 200
    assert _login(client, "u1", PASSWORD, ip="203.0.113.3").status_code == 200


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client: Any, session: Session) -> None:
    """A client may not pick a fresh address per guess with a forged header."""
    assert get_settings().trusted_proxy is False
    for n in range(5):
        make_user(session, f"u{n}")
        assert _login(client, f"u{n}", "wrong-password", ip=f"203.0.113.{n}").status_code == 401
    _assert_throttled(_login(client, "someone-else", "wrong-password", ip="198.51.100.1"))


def test_trusted_proxy_takes_the_last_forwarded_hop(client: Any, student: User, trusted_proxy: None) -> None:
    """Entries before the proxy's own are whatever the client sent: only the last one counts."""
    for n in range(5):
        response = _login(client, f"ghost{n}", "wrong-password", ip=f"10.0.0.{n}, 203.0.113.9")
        assert response.status_code == 401
    _assert_throttled(_login(client, "alice", PASSWORD, ip="10.9.9.9, 203.0.113.9"))
    assert _login(client, "alice", PASSWORD, ip="203.0.113.9, 198.51.100.1").status_code == 200


def test_successful_logins_never_count(client: Any, student: User) -> None:
    for _ in range(20):
        assert _login(client, "alice", PASSWORD).status_code == 200
    for _ in range(4):
        assert _login(client, "alice", "wrong-password").status_code == 401
    assert _login(client, "alice", PASSWORD).status_code == 200  # still below the limit
    assert _login(client, "alice", "wrong-password").status_code == 401  # the 5th failure
    _assert_throttled(_login(client, "alice", "wrong-password"))


def test_correct_password_of_an_unverified_account_does_not_count(client: Any, outbox: Any) -> None:
    body = {"username": "carol", "email": "carol@example.com", "password": PASSWORD}
    body["password_confirm"] = PASSWORD
    assert client.post("/api/accounts/auth/register/", json=body).status_code == 201
    for _ in range(8):
        response = _login(client, "carol", PASSWORD)
        assert response.status_code == 403
        assert response.json()["error_code"] == "email_not_verified"


def test_users_me_and_refresh_are_never_throttled(client: Any, student: User) -> None:
    tokens = _pair(client)
    for _ in range(6):
        _login(client, "alice", "wrong-password")
    _assert_throttled(_login(client, "alice", PASSWORD))
    headers = _bearer(tokens["access"])
    for _ in range(200):
        response = client.get(ME, headers=headers)
        assert response.status_code == 200, response.text
    refresh = tokens["refresh"]
    for _ in range(10):
        response = client.post(REFRESH, json={"refresh": refresh})
        assert response.status_code == 200, response.text
        refresh = response.json()["refresh"]


def test_throttled_account_unlocks_when_the_window_ends(client: Any, student: User, clock: FakeClock) -> None:
    for _ in range(5):
        assert _login(client, "alice", "wrong-password").status_code == 401
    clock.now += 15
    wait = _assert_throttled(_login(client, "alice", PASSWORD))
    assert wait == get_settings().login_failure_window_seconds - 15
    clock.now += wait - 1
    _assert_throttled(_login(client, "alice", PASSWORD))
    clock.now += 1
    assert _login(client, "alice", PASSWORD).status_code == 200
    # A fresh window: five more failures are allowed before the next lock.
    for _ in range(5):
        assert _login(client, "alice", "wrong-password").status_code == 401
    _assert_throttled(_login(client, "alice", "wrong-password"))


def test_limits_are_settings(client: Any, student: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "login_failures_per_minute", 2)
    for _ in range(2):
        assert _login(client, "alice", "wrong-password").status_code == 401
    _assert_throttled(_login(client, "alice", "wrong-password"))


def test_concurrent_guesses_cannot_slip_past_the_limit(database_url: str, session: Session) -> None:
    """Counting before the password check means a burst gets at most the limit's guesses."""
    make_user(session, "alice")
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def guess() -> None:
        start.wait()
        with Session(db.get_engine()) as own:
            try:
                auth.authenticate(own, "alice", "wrong-password", client="203.0.113.1")
                result = "ok"
            except RateLimited:
                result = "429"
            except NotAuthenticated:
                result = "401"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("401") <= 5
    assert outcomes.count("401") + outcomes.count("429") == 12


def test_a_burst_of_correct_sign_ins_from_one_address_is_never_refused(
    database_url: str, session: Session
) -> None:
    """Attempts in flight fill the limit, but they are not failures: the rest wait, none is a 429."""
    make_user(session, "alice")
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def sign_in() -> None:
        start.wait()
        with Session(db.get_engine()) as own:
            try:
                auth.authenticate(own, "alice", "correct-horse-1", client="203.0.113.9")
                result = "ok"
            except RateLimited:
                result = "429"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=sign_in) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok"] * 16


def test_limit_is_shared_through_redis(
    client: Any, monkeypatch: pytest.MonkeyPatch, trusted_proxy: None
) -> None:
    """With REDIS_URL, every worker sees the same counts (a worker's local table is not used)."""
    url = "redis://127.0.0.1:6379/15"
    try:
        sync_redis(url).ping()
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    monkeypatch.setattr(get_settings(), "redis_url", url)
    name, ip = f"ghost-{uuid.uuid4().hex}", f"198.51.100.{uuid.uuid4().int % 250}"
    try:
        for _ in range(5):
            assert _login(client, name, "wrong-password", ip=ip).status_code == 401
            ratelimit.reset_local()  # as if each attempt reached another worker
        _assert_throttled(_login(client, name, "wrong-password", ip="192.0.2.1"))
    finally:
        redis = sync_redis(url)
        for key in redis.scan_iter(f"ratelimit:login-fail:*{name}*"):
            redis.delete(key)
        for key in redis.scan_iter(f"ratelimit:login-fail:client:{ip}:*"):
            redis.delete(key)
        for key in redis.scan_iter("ratelimit:login-fail:client:192.0.2.1:*"):
            redis.delete(key)


# ------------------------------------------------------------------ the Reflex login form


@pytest.fixture
def login_form() -> Iterator[Callable[[str, str, str], Any]]:
    """Submit the Reflex login form as a browser at a given address would."""
    from reflex import constants
    from reflex.istate.data import RouterData

    from tests.state.test_auth_state import run, sub, tree
    from webinar_app.state.login import LoginState

    def submit(login: str, password: str, ip: str = "192.0.2.10") -> Any:
        root = tree()
        root.router = RouterData.from_router_data({constants.RouteVar.CLIENT_IP: ip, "headers": {}})
        state = sub(root, LoginState)
        run(LoginState.submit.fn(state, {"login": login, "password": password}))
        return state

    yield submit


def test_login_form_shows_the_limit_and_shares_it_with_the_api(
    client: Any, student: User, login_form: Callable[..., Any]
) -> None:
    for _ in range(3):
        assert _login(client, "alice", "wrong-password").status_code == 401
    for _ in range(2):
        assert login_form("alice", "wrong-password").error == BAD_CREDENTIALS["detail"]
    state = login_form("alice", PASSWORD)
    assert state.error.startswith("Too many failed login attempts. Try again in ")
    assert state.submitting is False
    _assert_throttled(_login(client, "alice", PASSWORD))


def test_login_form_limits_per_browser_address(session: Session, login_form: Callable[..., Any]) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
        make_user(session, name)
    for name in ("u1", "u2", "u3", "u4", "u5"):
        assert login_form(name, "wrong-password", "192.0.2.20").error == BAD_CREDENTIALS["detail"]
    assert "Too many failed login attempts" in login_form("u6", PASSWORD, "192.0.2.20").error
    assert login_form("u6", PASSWORD, "192.0.2.21").error == ""

