"""The Notification shape: every key always present."""

from __future__ import annotations

from typing import Any

from webinar_app.api.schemas.common import iso_z
from webinar_app.models import NOTIFICATION_TYPE_DISPLAY, Notification


def notification_out(item: Notification, webinar_titles: dict[int, str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "user": item.user_id,
        "notification_type": item.notification_type,
        "notification_type_display": NOTIFICATION_TYPE_DISPLAY.get(item.notification_type, "System"),
        "title": item.title,
        "content": item.content,
        "announcement": item.announcement_id,
        "event": item.webinar_id,
        "recording": item.recording_id,
        "related_webinar": item.webinar_id,
        "webinar_title": webinar_titles.get(item.webinar_id) if item.webinar_id else None,
        "webinar_id": item.webinar_id,
        "is_read": item.is_read,
        "created_at": iso_z(item.created_at),
    }
