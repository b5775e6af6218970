"""Who may take part in a room's engagement, and the topics its changes go out on.

The rules are the chat's (one place: `services.chat`): readers are registrants, the
organizer and admins, minus banned users; writing needs the room open and the user not
muted. Hosts run Q&A and polls; their own topic carries what only hosts may see.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from webinar_app.models import User, Webinar
from webinar_app.services import chat, moderation
from webinar_app.services.accounts import MAX_ID
from webinar_app.services.errors import PermissionDenied
from webinar_app.services.validation import ErrorCollector
from webinar_app.services.webinars import is_host

NOT_HOST = "Only the webinar organizer or an admin can do this"
CLOSED = "This is only open while the webinar is live"


def qa_topic(webinar_id: int) -> str:
    return f"qa:{webinar_id}"


def polls_topic(webinar_id: int) -> str:
    return f"polls:{webinar_id}"


def reactions_topic(webinar_id: int) -> str:
    return f"reactions:{webinar_id}"


def hosts_topic(webinar_id: int) -> str:
    """Raised-hand queue and host-only poll results: joined only by hosts' tabs."""
    return f"room-hosts:{webinar_id}"


def hand_topic(webinar_id: int, user_id: int) -> str:
    """One attendee's own hand in one room (so lowering it by a host reaches their tab)."""
    return f"hand:{webinar_id}:{user_id}"


def require_reader(session: Session, user: User, webinar_id: int) -> Webinar:
    return chat.require_reader(session, user, webinar_id)


def require_writer(session: Session, user: User, webinar_id: int, *, muted_ok: bool = False) -> Webinar:
    """A reader, in an open room, not muted (unless `muted_ok`): may ask, vote, react, raise a hand."""
    webinar = require_reader(session, user, webinar_id)
    if not chat.is_open(session, webinar):
        raise PermissionDenied(CLOSED)
    if not muted_ok:
        moderation.check_not_silenced(session, user, webinar)
    return webinar


def require_host(session: Session, user: User, webinar_id: int) -> Webinar:
    webinar = chat._webinar(session, webinar_id)
    if not is_host(user, webinar):
        raise PermissionDenied(NOT_HOST)
    return webinar


def pk(data: dict[str, Any], name: str, errors: ErrorCollector) -> int | None:
    """An integer id from a body (JSON number or form string), or a field error."""
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.add(name, "This field is required.")
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(str(raw).strip())
    except ValueError:
        errors.add(name, "Incorrect type. Expected pk value.")
        return None
    if not 0 < value <= MAX_ID:  # no such row, and the database would fail on the lookup
        errors.add(name, f'Invalid pk "{value}" - object does not exist.')
        return None
    return value


def event_id(data: dict[str, Any]) -> int:
    """`event` (or `webinar`) from a body, required."""
    errors = ErrorCollector()
    value = pk({"event": data.get("event", data.get("webinar"))}, "event", errors)
    errors.raise_if_any()
    return value  # type: ignore[return-value]


def flag(data: dict[str, Any], name: str, errors: ErrorCollector) -> bool | None:
    """A boolean field (true/false, 1/0, "true"/"false"); None when absent."""
    if name not in data:
        return None
    raw = data[name]
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return raw.strip().lower() in ("true", "1", "yes")
    errors.add(name, "Must be a valid boolean.")
    return None


def text_field(data: dict[str, Any], name: str, max_length: int, errors: ErrorCollector) -> str:
    raw = data.get(name)
    if raw is None:
        errors.add(name, "This field is required.")
        return ""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        errors.add(name, "Not a valid string.")
        return ""
    text = str(raw).strip()
    if not text:
        errors.add(name, "This field may not be blank.")
    elif len(text) > max_length:
        errors.add(name, f"Ensure this field has no more than {max_length} characters.")
    return text

