"""`services.accounts`, `services.auth`, `services.passwords`, `services.avatars`: called with a session."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select

from tests.conftest import make_user
from webinar_app.core.security import decode_token, utcnow
from webinar_app.models import EmailVerification, RefreshToken, User
from webinar_app.services import accounts, auth, avatars, passwords
from webinar_app.services.errors import (
    Conflict,
    Invalid,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)


def _register(session, username="carol", email="carol@example.com", password="s3cret-pass!"):
    return accounts.register(
        session, username=username, email=email, password=password, password_confirm=password
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ------------------------------------------------------------------ register / create


def test_register_creates_inactive_unverified_user(session, outbox):
    user = _register(session)
    assert user.id is not None
    assert (user.is_active, user.email_verified, user.role) == (False, False, "student")
    assert user.username_key == "carol"
    assert outbox.last_code("carol@example.com")


def test_register_collects_all_errors(session, outbox):
    make_user(session, "alice")
    with pytest.raises(Invalid) as caught:
        accounts.register(
            session, username="ALICE", email="ALICE@example.com", password="short", password_confirm="short"
        )
    assert caught.value.errors == {
        "username": ["A user with that username already exists."],
        "email": ["A user with this email already exists."],
        "password": ["Ensure this field has at least 8 characters."],
    }
    assert outbox.messages() == []


def test_register_long_password_and_mismatch(session):
    with pytest.raises(Invalid) as long:
        accounts.register(
            session, username="c", email="c@example.com", password="x" * 129, password_confirm="x" * 129
        )
    assert long.value.errors == {"password": ["Ensure this field has no more than 128 characters."]}
    with pytest.raises(Invalid) as mismatch:
        accounts.register(
            session, username="c", email="c@example.com", password="x" * 10, password_confirm="y" * 10
        )
    assert mismatch.value.errors == {"password": ["Passwords do not match."]}


def test_create_user_is_active_and_admin_only(session):
    student = make_user(session, "alice")
    assert student.is_active and student.email_verified
    with pytest.raises(PermissionDenied):
        accounts.create_user(session, student, username="x", email="x@example.com", password="x-password")
    admin = make_user(session, "root", role="admin")
    with pytest.raises(PermissionDenied):
        accounts.create_user(
            session, admin, username="s", email="s@example.com", password="s-password", is_superuser=True
        )
    created = accounts.create_user(session, admin, username="x", email="x@example.com", password="x-password")
    assert created.role == "student"


# ------------------------------------------------------------------ verification


def test_verify_email_success(session, outbox):
    user = _register(session)
    verified = accounts.verify_email(
        session, email="carol@example.com", otp=outbox.last_code("carol@example.com")
    )
    assert verified.id == user.id
    assert verified.is_active and verified.email_verified
    assert session.exec(select(EmailVerification)).all() == []


def test_verify_email_wrong_codes_then_rate_limited(session, outbox):
    _register(session)
    code = outbox.last_code("carol@example.com")
    for remaining in (4, 3, 2, 1, 0):
        with pytest.raises(Conflict) as caught:
            accounts.verify_email(session, email="carol@example.com", otp=_wrong(code))
        assert caught.value.error_code == "invalid_otp"
        assert caught.value.extra == {"attempts_remaining": remaining}
    with pytest.raises(RateLimited) as limited:
        accounts.verify_email(session, email="carol@example.com", otp=code)
    assert limited.value.error_code == "max_attempts_exceeded"


def test_verify_email_expired_using_now(session, outbox):
    _register(session)
    code = outbox.last_code("carol@example.com")
    with pytest.raises(Conflict) as caught:
        accounts.verify_email(
            session,
            email="carol@example.com",
            otp=code,
            now=utcnow() + accounts.OTP_LIFETIME + timedelta(seconds=1),
        )
    assert caught.value.error_code == "otp_expired"
    # Just before expiry it still works.
    user = accounts.verify_email(
        session,
        email="carol@example.com",
        otp=code,
        now=utcnow() + accounts.OTP_LIFETIME - timedelta(seconds=5),
    )
    assert user.email_verified


@pytest.mark.parametrize(("otp", "message"), [("abcdef", "OTP must contain only digits."), ("123", None)])
def test_verify_email_format(session, otp, message):
    with pytest.raises(Invalid) as caught:
        accounts.verify_email(session, email="x@example.com", otp=otp)
    assert list(caught.value.errors) == ["otp"]
    if message:
        assert caught.value.errors["otp"] == [message]


def test_verify_email_unknown(session):
    with pytest.raises(NotFound):
        accounts.verify_email(session, email="ghost@example.com", otp="123456")


def test_resend_cooldown_with_now(session, outbox):
    _register(session)
    start = utcnow()
    accounts.resend_code(session, email="carol@example.com", now=start)
    with pytest.raises(RateLimited) as caught:
        accounts.resend_code(session, email="carol@example.com", now=start + timedelta(seconds=30))
    assert caught.value.error_code == "resend_cooldown_active"
    assert 0 < caught.value.extra["retry_after"] <= 31
    assert accounts.resend_available_in(session, "carol@example.com", now=start + timedelta(seconds=30)) == 30
    assert (
        accounts.resend_code(session, email="carol@example.com", now=start + timedelta(seconds=61))
        is not None
    )
    assert len(outbox.to("carol@example.com")) == 3


def test_resend_unknown_returns_none_and_verified_conflicts(session, outbox):
    assert accounts.resend_code(session, email="ghost@example.com") is None
    make_user(session, "alice")
    with pytest.raises(Conflict) as caught:
        accounts.resend_code(session, email="alice@example.com")
    assert caught.value.error_code == "already_verified"
    assert outbox.messages() == []


# ------------------------------------------------------------------ edits and roles


def test_visible_user_self_or_admin(session):
    alice = make_user(session, "alice")
    bob = make_user(session, "bob")
    admin = make_user(session, "root", role="admin")
    assert accounts.visible_user(session, alice, alice.id).id == alice.id
    assert accounts.visible_user(session, admin, bob.id).id == bob.id
    with pytest.raises(NotFound):
        accounts.visible_user(session, alice, bob.id)
    with pytest.raises(NotFound):
        accounts.get_user(session, 2**40)


def test_update_profile_rules(session):
    alice = make_user(session, "alice")
    make_user(session, "bob")
    updated = accounts.update_profile(session, alice, alice.id, first_name=" Al ", email="Al@Example.com")
    assert updated.first_name == "Al"
    assert updated.email_key == "al@example.com"
    with pytest.raises(Invalid) as caught:
        accounts.update_profile(
            session, alice, alice.id, email="bob@example.com", username="BOB", timezone="Nope/No"
        )
    assert set(caught.value.errors) == {"email", "username", "timezone"}


def test_update_role_rules(session):
    root = make_user(session, "root", role="admin", superuser=True)
    ops = make_user(session, "ops", role="admin")
    alice = make_user(session, "alice")
    with pytest.raises(PermissionDenied):
        accounts.update_role(session, alice, alice.id, "admin")
    with pytest.raises(Invalid) as invalid:
        accounts.update_role(session, ops, alice.id, "god")
    assert invalid.value.errors == {"role": ['"god" is not a valid choice.']}
    with pytest.raises(PermissionDenied) as superuser:
        accounts.update_role(session, ops, root.id, "student")
    assert superuser.value.message == "Cannot change superuser role"
    with pytest.raises(PermissionDenied):
        accounts.update_role(session, ops, ops.id, "student")
    user, previous = accounts.update_role(session, ops, alice.id, "admin")
    assert (previous, user.role) == ("student", "admin")


def test_last_admin_cannot_be_deactivated_or_deleted(session):
    lone = make_user(session, "lone", role="admin")
    with pytest.raises(PermissionDenied):
        accounts.set_active(session, lone, lone.id, False)
    with pytest.raises(PermissionDenied):
        accounts.delete_user(session, lone, lone.id)
    alice = make_user(session, "alice")
    assert accounts.set_active(session, lone, alice.id, False).is_active is False


# ------------------------------------------------------------------ auth


def test_authenticate_and_login(session):
    alice = make_user(session, "alice")
    assert auth.authenticate(session, "ALICE@EXAMPLE.COM", "correct-horse-1").id == alice.id
    with pytest.raises(NotAuthenticated):
        auth.authenticate(session, "alice", "wrong-password")
    with pytest.raises(NotAuthenticated):
        auth.authenticate(session, "", "whatever")
    user, pair = auth.login(session, "alice", "correct-horse-1")
    assert decode_token(pair.access, "access")["user_id"] == str(alice.id)
    assert decode_token(pair.refresh, "refresh")["username"] == "alice"


def test_authenticate_refuses_unverified_and_inactive(session, outbox):
    _register(session)
    with pytest.raises(PermissionDenied) as unverified:
        auth.authenticate(session, "carol", "s3cret-pass!")
    assert unverified.value.error_code == "email_not_verified"
    assert unverified.value.extra == {"email": "carol@example.com"}
    alice = make_user(session, "alice")
    alice.is_active = False
    session.add(alice)
    session.commit()
    with pytest.raises(PermissionDenied) as inactive:
        auth.authenticate(session, "alice", "correct-horse-1")
    assert inactive.value.error_code == "account_inactive"


def test_refresh_rotation_and_replay(session):
    alice = make_user(session, "alice")
    _, first = auth.login(session, "alice", "correct-horse-1")
    _, second = auth.refresh(session, first.refresh)
    with pytest.raises(auth.InvalidToken):
        auth.refresh(session, first.refresh)  # replay: the whole family is revoked
    with pytest.raises(auth.InvalidToken):
        auth.refresh(session, second.refresh)
    records = session.exec(select(RefreshToken).where(RefreshToken.user_id == alice.id)).all()
    assert len(records) == 2
    assert all(r.revoked_at is not None for r in records)
    assert len({r.family for r in records}) == 1


def test_refresh_expired_with_now(session):
    make_user(session, "alice")
    _, pair = auth.login(session, "alice", "correct-horse-1")
    with pytest.raises(auth.InvalidToken):
        auth.refresh(session, pair.refresh, now=utcnow() + timedelta(days=8))


def test_user_from_access_token(session):
    alice = make_user(session, "alice")
    _, pair = auth.login(session, "alice", "correct-horse-1")
    assert auth.user_from_access_token(session, pair.access).id == alice.id
    with pytest.raises(auth.InvalidToken):
        auth.user_from_access_token(session, pair.refresh)
    with pytest.raises(auth.InvalidToken):
        auth.user_from_access_token(session, "junk")


def test_logout_revokes_only_own_token(session):
    alice = make_user(session, "alice")
    bob = make_user(session, "bob")
    _, alice_pair = auth.login(session, "alice", "correct-horse-1")
    _, bob_pair = auth.login(session, "bob", "correct-horse-1")
    auth.logout(session, alice, bob_pair.refresh)
    auth.refresh(session, bob_pair.refresh)
    auth.logout(session, alice, alice_pair.refresh)
    with pytest.raises(auth.InvalidToken):
        auth.refresh(session, alice_pair.refresh)
    auth.logout(session, bob, "garbage")  # ignored, no error


# ------------------------------------------------------------------ passwords


def test_change_password(session):
    alice = make_user(session, "alice")
    _, pair = auth.login(session, "alice", "correct-horse-1")
    with pytest.raises(Invalid) as wrong:
        passwords.change_password(
            session, alice, old_password="nope-nope", new_password="x" * 8, new_password_confirm="y" * 8
        )
    assert wrong.value.errors == {
        "old_password": ["Wrong password."],
        "new_password": ["Passwords do not match."],
    }
    passwords.change_password(
        session,
        alice,
        old_password="correct-horse-1",
        new_password="new-password-1",
        new_password_confirm="new-password-1",
    )
    assert auth.authenticate(session, "alice", "new-password-1").id == alice.id
    with pytest.raises(auth.InvalidToken):
        auth.refresh(session, pair.refresh)


def test_password_reset(session, outbox):
    make_user(session, "alice")
    passwords.request_reset(session, "ghost@example.com")
    assert outbox.messages() == []
    passwords.request_reset(session, "alice@example.com")
    token = outbox.last_reset_token("alice@example.com")
    with pytest.raises(Invalid) as expired:
        passwords.confirm_reset(
            session,
            token=token,
            new_password="reset-pass-1",
            new_password_confirm="reset-pass-1",
            now=utcnow() + passwords.RESET_LIFETIME + timedelta(seconds=1),
        )
    assert list(expired.value.errors) == ["token"]
    user = passwords.confirm_reset(
        session, token=token, new_password="reset-pass-1", new_password_confirm="reset-pass-1"
    )
    assert auth.authenticate(session, "alice", "reset-pass-1").id == user.id
    with pytest.raises(Invalid):
        passwords.confirm_reset(
            session, token=token, new_password="again-pass-2", new_password_confirm="again-pass-2"
        )


# ------------------------------------------------------------------ avatars


def _image_bytes(fmt: str, size=(2000, 1000), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=fmt)
    return out.getvalue()


def test_upload_avatar_resizes_and_stores(session):
    alice = make_user(session, "alice")
    user = avatars.upload_avatar(session, alice, alice.id, _image_bytes("PNG"))
    from webinar_app.services.media import resolve_media

    stored = resolve_media(user.profile_picture)
    assert stored is not None
    with Image.open(stored) as image:
        assert image.size == (512, 256)


def test_upload_avatar_permissions_and_validation(session):
    alice = make_user(session, "alice")
    bob = make_user(session, "bob")
    admin = make_user(session, "root", role="admin")
    with pytest.raises(PermissionDenied):
        avatars.upload_avatar(session, alice, bob.id, _image_bytes("PNG"))
    with pytest.raises(Invalid) as invalid:
        avatars.upload_avatar(session, alice, alice.id, b"GIF89a not really")
    assert list(invalid.value.errors) == ["profile_picture"]
    with pytest.raises(Invalid):
        avatars.upload_avatar(session, alice, alice.id, b"")
    assert avatars.upload_avatar(
        session, admin, bob.id, _image_bytes("GIF", mode="P")
    ).profile_picture.endswith(".png")
    session.expire_all()
    assert session.get(User, alice.id).profile_picture is None
