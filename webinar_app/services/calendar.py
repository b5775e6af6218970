"""iCalendar files: one per webinar, and a private per-user feed of registered webinars.

The UID is stable per webinar and SEQUENCE grows on every reschedule, so calendar apps
update the existing entry instead of adding a second one.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlencode

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from webinar_app.core.config import get_settings
from webinar_app.models import (
    CalendarFeed,
    ManualStatus,
    Registration,
    RegistrationStatus,
    User,
    Webinar,
)
from webinar_app.models.base import as_utc
from webinar_app.services.errors import NotFound

PRODID = "-//Webinar Platform//webinars//EN"


def event_uid(webinar: Webinar) -> str:
    return f"webinar-{webinar.id}@webinars.local"


def webinar_page_url(webinar_id: int) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/webinars/{webinar_id}"


def _vevent(webinar: Webinar, organizer: User | None) -> Event:
    event = Event()
    event.add("uid", event_uid(webinar))
    event.add("summary", webinar.title)
    event.add("description", f"{webinar.description}\n\n{webinar_page_url(webinar.id or 0)}".strip())
    event.add("dtstart", as_utc(webinar.start_at))
    event.add("dtend", as_utc(webinar.end_at))
    event.add("dtstamp", as_utc(webinar.updated_at))
    event.add("sequence", webinar.sequence)
    event.add("url", webinar_page_url(webinar.id or 0))
    event.add("location", webinar_page_url(webinar.id or 0))
    if webinar.manual_status == ManualStatus.cancelled.value:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    if organizer is not None:
        event.add("organizer", f"mailto:{organizer.email}", parameters={"CN": organizer.display_name})
    return event


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def webinar_ics(session: Session, webinar_id: int) -> bytes:
    webinar = session.get(Webinar, webinar_id)
    if webinar is None:
        raise NotFound()
    cal = _calendar(webinar.title)
    cal.add_component(_vevent(webinar, session.get(User, webinar.organizer_id)))
    return cal.to_ical()


def feed_secret(session: Session, user: User, *, regenerate: bool = False) -> str:
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()
    if feed is None:
        assert user.id is not None
        feed = CalendarFeed(user_id=user.id, secret=secrets.token_urlsafe(24))
    elif regenerate:
        feed.secret = secrets.token_urlsafe(24)
    else:
        return feed.secret
    session.add(feed)
    session.commit()
    return feed.secret


def feed_ics(session: Session, secret: str) -> bytes:
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.secret == secret)).first()
    user = session.get(User, feed.user_id) if feed else None
    if user is None or not user.is_active:
        raise NotFound()
    webinars = list(
        session.exec(
            select(Webinar)
            .join(Registration, col(Registration.webinar_id) == col(Webinar.id))
            # a waitlisted user holds no seat: only confirmed registrations go on the calendar
            .where(
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.confirmed.value,
            )
            .order_by(col(Webinar.start_at))
        )
    )
    organizers = {
        u.id: u
        for u in session.exec(select(User).where(col(User.id).in_({w.organizer_id for w in webinars})))
    }
    cal = _calendar("My webinars")
    for webinar in webinars:
        cal.add_component(_vevent(webinar, organizers.get(webinar.organizer_id)))
    return cal.to_ical()


def google_calendar_link(webinar: Webinar) -> str:
    start, end = as_utc(webinar.start_at), as_utc(webinar.end_at)
    assert start is not None and end is not None
    params = {
        "action": "TEMPLATE",
        "text": webinar.title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": f"{webinar.description}\n{webinar_page_url(webinar.id or 0)}".strip(),
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


def outlook_calendar_link(webinar: Webinar) -> str:
    start, end = as_utc(webinar.start_at), as_utc(webinar.end_at)
    assert start is not None and end is not None
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": webinar.title,
        "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": f"{webinar.description}\n{webinar_page_url(webinar.id or 0)}".strip(),
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(params, quote_via=quote)
