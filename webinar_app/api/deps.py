"""Turning a request into typed dependencies: the DB session and the acting user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from webinar_app.api.errors import ADMIN_REQUIRED, BAD_BEARER, NO_CREDENTIALS, ApiError
from webinar_app.core.config import get_settings
from webinar_app.core.db import autocommit_reads, get_engine
from webinar_app.models import User
from webinar_app.services import auth
from webinar_app.services.errors import NotAuthenticated

T = TypeVar("T")


async def _request_session() -> AsyncIterator[Session]:
    """One session per request, opened without a worker-thread hop.

    Creating a Session does no I/O (the connection is taken on first use, inside the sync
    route's thread); only closing returns the connection to the pool.
    """
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(_request_session)]


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when it is not one."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    token = bearer_token(header)
    if token is None:
        raise ApiError(401, BAD_BEARER)
    return token


def _authenticate(session: Session, token: str) -> User:
    """The token's user, read outside a transaction (one round trip instead of three)."""
    autocommit_reads(session)
    try:
        return auth.user_from_access_token(session, token)
    except NotAuthenticated as exc:
        raise ApiError(401, BAD_BEARER) from exc


def optional_user(request: Request, session: SessionDep) -> User | None:
    """Anonymous is fine; a token that is present but bad is still a 401."""
    token = _bearer(request)
    if token is None:
        return None
    try:
        return _authenticate(session, token)
    finally:
        # Give the connection back before the route runs in another worker thread: a
        # request holding a connection while it waits for a thread can deadlock the pool
        # under load (every thread waiting for a connection, every connection for a thread).
        session.commit()


async def run_as_user(request: Request, work: Callable[[Session, User], T]) -> T:
    """Authenticate and run `work` in one worker-thread hop, for the routes every open page
    polls (`unread_count`): the same rules as `CurrentUser`, half the thread hops and no
    dependency machinery. `work` must only read."""
    token = _bearer(request)
    if token is None:
        raise ApiError(401, NO_CREDENTIALS)

    def job() -> T:
        with Session(get_engine(), expire_on_commit=False) as session:
            return work(session, _authenticate(session, token))

    return await run_in_threadpool(job)


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise ApiError(401, NO_CREDENTIALS)
    return user


async def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise ApiError(403, ADMIN_REQUIRED)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]


async def base_url(request: Request) -> str:
    """Absolute media URLs are built from the host the client used."""
    return str(request.base_url).rstrip("/")


BaseUrl = Annotated[str, Depends(base_url)]


async def client_ip(request: Request) -> str | None:
    """The caller's address, for per-client limits.

    `X-Forwarded-For` is client-controlled, so it is read only when `TRUSTED_PROXY` says a
    reverse proxy sets it; then its last entry (the address that proxy saw) is the client.
    """
    if get_settings().trusted_proxy:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.client.host if request.client else None


ClientIp = Annotated[str | None, Depends(client_ip)]
