"""The profile's "Your data" card: the download carries my data; delete re-checks the password."""

from __future__ import annotations

import json

from sqlmodel import Session

from tests.state.test_auth_state import run, signed_in_tree, sub, tree
from webinar_app.models import User
from webinar_app.services import privacy
from webinar_app.state.auth import AuthState
from webinar_app.state.privacy import PrivacyState


def test_download_is_the_signed_in_users_data(session: Session) -> None:
    root, user = signed_in_tree(session)
    events = run(PrivacyState.download.fn(sub(root, PrivacyState)))
    payload = str(events)
    assert f"my-data-{user.id}.json" in payload
    # the file itself is what the service exports for this user (and nothing secret)
    exported = privacy.export_user_data(session, user)
    assert exported["account"]["email"] == user.email and "password_hash" not in json.dumps(exported)


def test_download_refuses_a_signed_out_tab(session: Session) -> None:
    root = tree()
    events = run(PrivacyState.download.fn(sub(root, PrivacyState)))
    assert "my-data-" not in str(events)


def test_delete_needs_the_password_then_anonymises_and_signs_out(session: Session) -> None:
    root, user = signed_in_tree(session)
    state = sub(root, PrivacyState)
    run(PrivacyState.delete_account.fn(state, {"password": "wrong"}))
    assert state.delete_error == "Wrong password."
    session.expire_all()
    assert session.get(User, user.id).username == "alice"  # type: ignore[union-attr]

    run(PrivacyState.delete_account.fn(state, {"password": "correct-horse-1"}))
    session.expire_all()
    gone = session.get(User, user.id)
    assert gone is not None and gone.username == f"deleted-{user.id}" and not gone.is_active
    assert sub(root, AuthState).access_token == ""
