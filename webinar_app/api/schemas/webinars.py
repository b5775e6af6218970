"""Event / EventDetail / Registration shapes."""

from __future__ import annotations

from typing import Any

from webinar_app.api.schemas.common import iso_z
from webinar_app.models.base import as_utc
from webinar_app.services.media import media_url
from webinar_app.services.registrations import CONFIRMED, RegistrationView
from webinar_app.services.reminders import offsets_of
from webinar_app.services.webinars import WebinarView, seats_left


def event_out(view: WebinarView, base: str) -> dict[str, Any]:
    w = view.webinar
    start, end = as_utc(w.start_at), as_utc(w.end_at)
    assert start is not None and end is not None
    status = view.status
    return {
        "id": w.id,
        "title": w.title,
        "description": w.description or "",
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M:%S"),
        "duration": w.duration,
        "price": f"{w.price:.2f}",
        "is_free": w.price == 0,
        "thumbnail": media_url(w.thumbnail, base),
        "organizer": w.organizer_id,
        "organizer_name": view.organizer.username,
        "status": status,
        "is_cancelled": status == "cancelled",
        "is_registered": view.my_status == CONFIRMED,
        "registration_status": view.my_status,
        "capacity": w.capacity,
        "seats_left": seats_left(w),
        "registration_count": w.confirmed_count,
        "category": w.category,
        "tags": w.tag_list,
        "reminder_offsets": offsets_of(w),
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "created_at": iso_z(w.created_at),
        "updated_at": iso_z(w.updated_at),
    }


def event_detail_out(view: WebinarView, base: str) -> dict[str, Any]:
    out = event_out(view, base)
    out.update(
        {
            "live_stream_url": view.webinar.live_stream_url,
            "manual_status": view.webinar.manual_status,
            "organizer_email": view.organizer.email,
        }
    )
    return out


def registration_out(view: RegistrationView, base: str, viewer_id: int | None) -> dict[str, Any]:
    r = view.registration
    mine = r.status if r.user_id == viewer_id else None
    event = WebinarView(view.webinar, view.organizer, mine)
    return {
        "id": r.id,
        "user": r.user_id,
        "user_username": view.user.username,
        "user_email": view.user.email,
        "event": r.webinar_id,
        "event_details": event_out(event, base),
        "registered_on": iso_z(r.registered_on),
        "attended": r.attended,
        "status": r.status,
        "promoted_at": iso_z(r.promoted_at),
    }
