"""Every browser route of the UI, and the URL builders that go with them.

Pages register with these constants and links/redirects use the builders, so a path
string is written exactly once. Query values are encoded here; tokens never go in a URL.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

HOME = "/"
SIGNUP = "/signup"
VERIFY_EMAIL = "/verify-email"
LOGIN = "/login"
FORGOT_PASSWORD = "/forgot-password"
# The password-reset mail links here (services/email/templates.py builds `/reset-password?token=`).
RESET_PASSWORD = "/reset-password"
PROFILE = "/profile"
ADMIN = "/admin"


def _with_query(path: str, **params: str | None) -> str:
    clean = {key: value for key, value in params.items() if value}
    return f"{path}?{urlencode(clean)}" if clean else path


def safe_next(target: str | None) -> str:
    """A post-login destination limited to our own paths: `next` comes from the URL,
    so an absolute or protocol-relative value would be an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    # Bouncing back to the sign-in pages after signing in would be a loop.
    if parts.path in (LOGIN, SIGNUP):
        return HOME
    return target


def login_url(next_path: str | None = None) -> str:
    """The login page, remembering where to go afterwards."""
    target = safe_next(next_path) if next_path else None
    return _with_query(LOGIN, next=None if target == HOME else target)


def verify_email_url(email: str | None = None) -> str:
    """The verify page with the address prefilled (an email is not a secret; a token would be)."""
    return _with_query(VERIFY_EMAIL, email=email)
