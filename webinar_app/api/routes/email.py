"""Mail settings: the signed-in user's per-kind preferences, and the unsubscribe link target.

The unsubscribe route needs no login (it is opened from a mail client): the token in the
link is the credential. It answers a small HTML page, since a person reads it; `POST` is the
RFC 8058 one-click form mail clients use from the `List-Unsubscribe-Post` header.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from webinar_app.api.body import RawBody
from webinar_app.api.deps import CurrentUser, SessionDep
from webinar_app.api.routing import ContractRoute
from webinar_app.core.config import get_settings
from webinar_app.services.email import preferences
from webinar_app.services.errors import Invalid, NotFound

router = APIRouter(route_class=ContractRoute, tags=["email"])


@router.get("/api/accounts/users/me/email-preferences/")
def read_preferences(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return preferences.settings_of(session, user)


@router.patch("/api/accounts/users/me/email-preferences/")
@router.put("/api/accounts/users/me/email-preferences/", include_in_schema=False)
def update_preferences(raw: RawBody, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return preferences.update_settings(session, user, dict(raw))


def _page(title: str, message: str, status: int) -> HTMLResponse:
    profile = f"{get_settings().app_base_url.rstrip('/')}/profile"
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{escape(title)}</title></head><body style='font-family:sans-serif;max-width:36em;margin:4em auto'>"
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f"<p><a href='{escape(profile)}'>Manage all email settings</a></p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def _unsubscribe(session: SessionDep, token: str) -> HTMLResponse:
    try:
        _, kind = preferences.unsubscribe(session, token)
    except (Invalid, NotFound):
        return _page("Link not valid", "This unsubscribe link is not valid or has been altered.", 400)
    return _page(
        "Unsubscribed",
        f"You will no longer get {kind.label.lower()} emails. You can turn them back on in your profile.",
        200,
    )


@router.get("/api/email/unsubscribe/", response_class=HTMLResponse)
def unsubscribe_page(session: SessionDep, token: str = "") -> HTMLResponse:
    return _unsubscribe(session, token)


@router.post("/api/email/unsubscribe/", response_class=HTMLResponse)
def unsubscribe_one_click(session: SessionDep, token: str = "") -> HTMLResponse:
    return _unsubscribe(session, token)
