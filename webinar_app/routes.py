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
WEBINARS = "/webinars"
# The dynamic segment's name is what Reflex registers; pages read the id from the URL path.
WEBINAR = "/webinars/[webinar_id]"
WEBINAR_PREFIX = WEBINARS + "/"  # + id, for links built from a Var in a page
MY_WEBINARS = "/my-webinars"
ADMIN_WEBINARS = "/admin/webinars"
ADMIN_DASHBOARD = "/admin/dashboard"
ADMIN_AUDIT = "/admin/audit"
ADMIN_EMAILS = "/admin/emails"
ADMIN_MODERATION = "/admin/moderation"
NOTIFICATIONS = "/notifications"
LIVE = "/live/[webinar_id]"
LIVE_PREFIX = "/live/"  # + id
INBOX = "/inbox"
ANNOUNCEMENTS = "/announcements"
ADMIN_ANNOUNCEMENTS = "/admin/announcements"
RECORDINGS = "/recordings"
RECORDING = "/recordings/[recording_id]"
RECORDING_PREFIX = RECORDINGS + "/"  # + id


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


def webinar_url(webinar_id: int) -> str:
    """A webinar's own page (also what the share button copies)."""
    return f"{WEBINARS}/{int(webinar_id)}"


def webinar_id_from_path(path: str) -> int | None:
    """The id in `/webinars/<id>`, or None for anything else (the path comes from the client)."""
    prefix = WEBINARS + "/"
    if not path.startswith(prefix):
        return None
    segment = path[len(prefix) :].strip("/")
    return int(segment) if segment.isdigit() and len(segment) < 12 else None


def webinar_ics_url(backend: str, webinar_id: int) -> str:
    """The REST route serving one webinar's .ics file."""
    return f"{backend.rstrip('/')}/api/webinars/{int(webinar_id)}/calendar.ics"


def calendar_feed_url(backend: str, secret: str) -> str:
    """The private per-user feed (the secret is the credential: show it only to its owner)."""
    return f"{backend.rstrip('/')}/api/calendar/{secret}.ics"


def recording_url(recording_id: int) -> str:
    """A recording's player page."""
    return f"{RECORDINGS}/{int(recording_id)}"


def recording_id_from_path(path: str) -> int | None:
    """The id in `/recordings/<id>`, or None (the path comes from the client)."""
    if not path.startswith(RECORDING_PREFIX):
        return None
    segment = path[len(RECORDING_PREFIX) :].strip("/")
    return int(segment) if segment.isdigit() and len(segment) < 12 else None
