"""The Recording shape. `recording_link` of a stored file is a signed URL made for this viewer."""

from __future__ import annotations

from typing import Any

from webinar_app.api.schemas.common import iso_z
from webinar_app.api.schemas.webinars import event_out
from webinar_app.models import User
from webinar_app.services.recordings import RecordingItem, playback_url


def recording_out(item: RecordingItem, viewer: User | None, base: str) -> dict[str, Any]:
    r = item.recording
    return {
        "id": r.id,
        "event": r.webinar_id,
        "event_details": event_out(item.event, base),
        "recording_link": playback_url(item, viewer, base),
        "title": r.title or "",
        "display_title": item.display_title,
        "description": r.description or "",
        "duration_minutes": r.duration_minutes,
        "uploaded_by": r.uploaded_by_id,
        "uploaded_by_username": item.uploader.username if item.uploader else "",
        "uploaded_at": iso_z(r.uploaded_at),
        "is_public": r.is_public,
        # Additions (ours): how to play it, and the stored file's type and size.
        "source": "file" if item.is_file else "link",
        "content_type": r.content_type,
        "file_size": r.file_size,
    }
