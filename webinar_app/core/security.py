"""Password hashing and JWT encoding, nothing else.

argon2 (via passlib/libpass + argon2-cffi) has no 72-byte limit, unlike bcrypt 5, which
raises on long passwords. Parameters follow OWASP's argon2id minimum (19 MiB, t=2, p=1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from passlib.context import CryptContext

from webinar_app.core.config import get_settings, secret_key

JWT_ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]

_pwd_context = CryptContext(
    schemes=["argon2"],
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)


def hash_password(password: str) -> str:
    return _pwd_context.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    if not password_hash:
        return False
    try:
        return _pwd_context.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


# A valid hash of a random password: verifying against it costs the same time as a real
# check, so "unknown user" and "wrong password" cannot be told apart by timing.
_DUMMY_HASH: str | None = None


def burn_password_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    verify_password(password, _DUMMY_HASH)


def utcnow() -> datetime:
    return datetime.now(UTC)


def encode_token(
    token_type: TokenType, claims: dict[str, Any], *, now: datetime | None = None
) -> tuple[str, str, datetime]:
    """Return (jwt, jti, expires_at) for a token of the given type."""
    settings = get_settings()
    issued = now or utcnow()
    lifetime = (
        timedelta(minutes=settings.access_token_minutes)
        if token_type == "access"
        else timedelta(days=settings.refresh_token_days)
    )
    expires = issued + lifetime
    jti = uuid.uuid4().hex
    payload = {
        "token_type": token_type,
        "exp": int(expires.timestamp()),
        "iat": int(issued.timestamp()),
        "jti": jti,
        **claims,
    }
    return jwt.encode(payload, secret_key(), algorithm=JWT_ALGORITHM), jti, expires


class TokenError(Exception):
    """The token is malformed, expired, signed with another key or of the wrong type."""


# Tokens whose signature and claims were verified, by (key, token). A token is immutable, so
# verifying its HMAC again on every request of a polling page proves nothing new; only the
# expiry moves, and it is checked on every hit. Bounded: cleared when full.
_VERIFIED: dict[tuple[str, str], dict[str, Any]] = {}
_VERIFIED_MAX = 8192


def decode_token(token: str, expected_type: TokenType) -> dict[str, Any]:
    key = secret_key()
    payload = _VERIFIED.get((key, token))
    if payload is None:
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "iat", "jti", "token_type", "user_id"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[(key, token)] = payload
    elif payload["exp"] <= time.time():
        _VERIFIED.pop((key, token), None)
        raise TokenError("Signature has expired")
    if payload.get("token_type") != expected_type:
        raise TokenError("Token has wrong type")
    return dict(payload)


def keyed_hash(value: str) -> str:
    """HMAC for short secrets we must compare later (OTP codes, reset tokens)."""
    return hmac.new(secret_key().encode(), value.encode(), hashlib.sha256).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def random_otp() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def random_token() -> str:
    return secrets.token_urlsafe(32)
