"""Profile page email settings: switches per kind, the zone picker, the browser zone default."""

from __future__ import annotations

from sqlmodel import Session

from tests.state.test_auth_state import run, signed_in_tree, sub, tree
from webinar_app.models import User
from webinar_app.services.email import preferences
from webinar_app.state.profile import ProfileState


def test_load_shows_preferences_and_asks_the_browser_zone(session: Session) -> None:
    root, _ = signed_in_tree(session)
    profile = sub(root, ProfileState)
    events = run(ProfileState.load.fn(profile))
    assert profile.email_prefs["reminder"] is True and profile.email_prefs["announcement"] is False
    assert "Asia/Tokyo" in profile.zone_choices
    assert any("timeZone" in str(e) for e in events)  # the detection script runs


def test_browser_zone_becomes_default_then_a_choice_sticks(session: Session) -> None:
    root, user = signed_in_tree(session)
    profile = sub(root, ProfileState)
    run(ProfileState.load.fn(profile))
    run(ProfileState.browser_zone.fn(profile, "Europe/Berlin"))
    session.expire_all()
    assert session.get(User, user.id).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    run(ProfileState.choose_timezone.fn(profile, "America/New_York"))
    run(ProfileState.browser_zone.fn(profile, "Europe/Berlin"))
    session.expire_all()
    assert session.get(User, user.id).timezone == "America/New_York"  # type: ignore[union-attr]
    assert profile.timezone == "America/New_York"
    events = run(ProfileState.load.fn(profile))
    assert not any("timeZone" in str(e) for e in events)  # chosen: no more detection


def test_switch_turns_a_kind_off(session: Session) -> None:
    root, user = signed_in_tree(session)
    profile = sub(root, ProfileState)
    run(ProfileState.load.fn(profile))
    run(ProfileState.toggle_email.fn(profile, "live", False))
    assert profile.email_prefs["live"] is False
    session.expire_all()
    assert preferences.preferences_of(session, user)["live"] is False
    run(ProfileState.toggle_email.fn(profile, "account", False))  # not switchable: ignored
    run(ProfileState.toggle_email.fn(profile, "live", "no"))  # not a bool: ignored
    assert preferences.preferences_of(session, user)["live"] is False


def test_signed_out_handlers_change_nothing(session: Session) -> None:
    profile = sub(tree(), ProfileState)
    run(ProfileState.toggle_email.fn(profile, "live", False))
    run(ProfileState.choose_timezone.fn(profile, "Asia/Tokyo"))
    assert profile.email_prefs == {}
