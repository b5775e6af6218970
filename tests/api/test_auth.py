"""`/api/accounts/auth/...`: login, sign-up with an emailed code, tokens, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_user
from webinar_app.core.security import utcnow
from webinar_app.models import EmailVerification, PasswordResetToken, User

LOGIN = "/api/accounts/auth/login/"
REGISTER = "/api/accounts/auth/register/"
VERIFY = "/api/accounts/auth/verify-email/"
RESEND = "/api/accounts/auth/resend-otp/"
REFRESH = "/api/accounts/auth/refresh/"
LOGOUT = "/api/accounts/auth/logout/"
CHANGE = "/api/accounts/auth/change-password/"
RESET = "/api/accounts/auth/password-reset/"
RESET_CONFIRM = "/api/accounts/auth/password-reset/confirm/"
TEST_EMAIL = "/api/accounts/auth/test-email/"
ME = "/api/accounts/users/me/"

BAD_CREDENTIALS = {"detail": "No active account found with the given credentials"}
TOKEN_INVALID = {"detail": "Token is invalid", "code": "token_not_valid"}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
ADMIN_REQUIRED = {"detail": "You do not have permission to perform this action. Admin access required."}


def _register(client, username="carol", email="carol@example.com", password="s3cret-pass!", **extra):
    body = {"username": username, "email": email, "password": password, "password_confirm": password}
    body.update(extra)
    return client.post(REGISTER, json=body)


def _login(client, login, password="correct-horse-1"):
    return client.post(LOGIN, json={"username": login, "password": password})


def _wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ------------------------------------------------------------------ login


def test_login_by_username_returns_tokens_and_user(client, student):
    response = _login(client, "alice")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"refresh", "access", "user"}
    user = body["user"]
    assert user["id"] == student.id
    assert user["username"] == "alice"
    assert user["email"] == "alice@example.com"
    assert user["role"] == "student"
    assert user["is_staff"] is False
    assert user["is_superuser"] is False
    assert user["profile"]["role"] == "student"
    assert user["profile"]["id"] == student.id


@pytest.mark.parametrize("login", ["ALICE", "Alice", "alice@example.com", "ALICE@Example.COM", "  alice  "])
def test_login_by_username_or_email_is_case_insensitive(client, student, login):
    response = _login(client, login)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "alice"


def test_login_accepts_email_field_instead_of_username(client, student):
    response = client.post(LOGIN, json={"email": "alice@example.com", "password": "correct-horse-1"})
    assert response.status_code == 200
    assert response.json()["user"]["id"] == student.id


def test_login_missing_fields(client):
    response = client.post(LOGIN, json={})
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


def test_login_blank_fields(client):
    response = client.post(LOGIN, json={"username": "", "password": ""})
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field may not be blank."],
        "password": ["This field may not be blank."],
    }


def test_login_wrong_password(client, student):
    response = _login(client, "alice", "not-the-password")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_unknown_user(client):
    response = _login(client, "nobody", "whatever-123")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_unverified_account(client, outbox):
    assert _register(client).status_code == 201
    response = _login(client, "carol", "s3cret-pass!")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Please verify your email first.",
        "email": "carol@example.com",
        "error_code": "email_not_verified",
    }


def test_login_unverified_with_wrong_password_is_401(client, outbox):
    _register(client)
    response = _login(client, "carol", "wrong-password")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_deactivated_account(client, session, student):
    student.is_active = False
    session.add(student)
    session.commit()
    response = _login(client, "alice")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account has been deactivated. Please contact support.",
        "error_code": "account_inactive",
    }


def test_login_records_last_login(client, session, student):
    assert student.last_login is None
    _login(client, "alice")
    session.expire_all()
    assert session.get(User, student.id).last_login is not None


def test_login_with_password_over_128_chars_is_401_not_500(client, student):
    response = _login(client, "alice", "x" * 5000)
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_username_that_equals_another_users_email_does_not_hijack_email_login(client, session):
    victim = make_user(session, "victim", email="victim@example.com", password="victim-password")
    make_user(session, "victim@example.com", email="attacker@example.com", password="attacker-password")
    response = _login(client, "victim@example.com", "victim-password")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == victim.id
    attacker = _login(client, "victim@example.com", "attacker-password")
    assert attacker.status_code == 200
    assert attacker.json()["user"]["username"] == "victim@example.com"


# ------------------------------------------------------------------ register


def test_register_creates_inactive_account_and_mails_a_code(client, session, outbox):
    response = _register(client, first_name="Carol", last_name="C")
    assert response.status_code == 201
    assert response.json() == {
        "message": "User registered successfully. Please check your email for the verification code.",
        "email": "carol@example.com",
        "username": "carol",
    }
    user = session.exec(select(User).where(User.username == "carol")).one()
    assert user.is_active is False
    assert user.email_verified is False
    assert user.role == "student"
    assert (user.first_name, user.last_name) == ("Carol", "C")
    assert user.password_hash and "s3cret-pass!" not in user.password_hash
    code = outbox.last_code("carol@example.com")
    assert len(code) == 6 and code.isdigit()
    record = session.exec(select(EmailVerification).where(EmailVerification.user_id == user.id)).one()
    assert code not in record.otp_hash  # only a keyed hash is stored


def test_register_duplicates_are_case_insensitive(client, student):
    response = _register(client, username="ALICE", email="Alice@EXAMPLE.com", password="short")
    assert response.status_code == 400
    assert response.json() == {
        "username": ["A user with that username already exists."],
        "email": ["A user with this email already exists."],
        "password": ["Ensure this field has at least 8 characters."],
    }


def test_register_password_mismatch(client):
    response = client.post(
        REGISTER,
        json={
            "username": "carol",
            "email": "carol@example.com",
            "password": "s3cret-pass!",
            "password_confirm": "other-pass!",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"password": ["Passwords do not match."]}


def test_register_password_over_128_chars_is_400_under_password(client):
    long = "p" * 129
    response = _register(client, password=long)
    assert response.status_code == 400
    assert response.json() == {"password": ["Ensure this field has no more than 128 characters."]}


def test_register_password_of_128_chars_is_accepted(client, outbox):
    assert _register(client, password="p" * 128).status_code == 201


def test_register_password_of_huge_size_is_400(client):
    response = _register(client, password="p" * 100_000)
    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_register_missing_fields(client):
    response = client.post(REGISTER, json={})
    assert response.status_code == 400
    body = response.json()
    for field in ("username", "email", "password", "password_confirm"):
        assert body[field] == ["This field is required."]


def test_register_invalid_email_and_username(client):
    response = _register(client, username="bad name!", email="not-an-email")
    assert response.status_code == 400
    body = response.json()
    assert body["email"] == ["Enter a valid email address."]
    assert body["username"][0].startswith("Enter a valid username.")


def test_register_accepts_form_encoding(client, outbox):
    response = client.post(
        REGISTER,
        data={
            "username": "carol",
            "email": "carol@example.com",
            "password": "s3cret-pass!",
            "password_confirm": "s3cret-pass!",
        },
    )
    assert response.status_code == 201


# ------------------------------------------------------------------ verify-email


def test_verify_email_then_login(client, outbox):
    _register(client)
    code = outbox.last_code("carol@example.com")
    response = client.post(VERIFY, json={"email": "carol@example.com", "otp": code})
    assert response.status_code == 200
    assert response.json() == {
        "message": "Email verified successfully. You can now log in.",
        "email": "carol@example.com",
        "username": "carol",
    }
    assert _login(client, "carol", "s3cret-pass!").status_code == 200
    assert _login(client, "CAROL@example.com", "s3cret-pass!").status_code == 200


def test_verify_email_is_case_insensitive_on_email(client, outbox):
    _register(client)
    code = outbox.last_code("carol@example.com")
    response = client.post(VERIFY, json={"email": "CAROL@Example.com", "otp": code})
    assert response.status_code == 200


def test_verify_email_non_digit_otp(client, outbox):
    _register(client)
    response = client.post(VERIFY, json={"email": "carol@example.com", "otp": "12ab56"})
    assert response.status_code == 400
    assert response.json() == {"otp": ["OTP must contain only digits."]}


def test_verify_email_missing_fields(client):
    response = client.post(VERIFY, json={})
    assert response.status_code == 400
    assert response.json() == {"email": ["This field is required."], "otp": ["This field is required."]}


def test_verify_email_wrong_code_counts_down_then_429(client, outbox):
    _register(client)
    code = outbox.last_code("carol@example.com")
    wrong = _wrong_code(code)
    for remaining in (4, 3, 2, 1, 0):
        response = client.post(VERIFY, json={"email": "carol@example.com", "otp": wrong})
        assert response.status_code == 400
        assert response.json() == {
            "detail": f"Invalid OTP. {remaining} attempts remaining.",
            "error_code": "invalid_otp",
            "attempts_remaining": remaining,
        }
    response = client.post(VERIFY, json={"email": "carol@example.com", "otp": wrong})
    assert response.status_code == 429
    assert response.json()["error_code"] == "max_attempts_exceeded"
    # Even the right code is refused now: a new one must be requested.
    response = client.post(VERIFY, json={"email": "carol@example.com", "otp": code})
    assert response.status_code == 429
    assert response.json()["error_code"] == "max_attempts_exceeded"
    assert _login(client, "carol", "s3cret-pass!").status_code == 403


def test_verify_email_expired_code(client, session, outbox):
    _register(client)
    code = outbox.last_code("carol@example.com")
    record = session.exec(select(EmailVerification)).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    session.add(record)
    session.commit()
    response = client.post(VERIFY, json={"email": "carol@example.com", "otp": code})
    assert response.status_code == 400
    assert response.json()["error_code"] == "otp_expired"
    assert _login(client, "carol", "s3cret-pass!").status_code == 403


def test_verify_email_unknown_email(client):
    response = client.post(VERIFY, json={"email": "ghost@example.com", "otp": "123456"})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_verify_email_already_verified(client, student):
    response = client.post(VERIFY, json={"email": "alice@example.com", "otp": "123456"})
    assert response.status_code == 400
    assert response.json()["error_code"] == "already_verified"


def test_verify_code_cannot_be_reused(client, outbox):
    _register(client)
    code = outbox.last_code("carol@example.com")
    assert client.post(VERIFY, json={"email": "carol@example.com", "otp": code}).status_code == 200
    again = client.post(VERIFY, json={"email": "carol@example.com", "otp": code})
    assert again.status_code == 400
    assert again.json()["error_code"] == "already_verified"


# ------------------------------------------------------------------ resend-otp


def test_resend_otp_first_allowed_then_cooldown(client, outbox):
    _register(client)
    first = client.post(RESEND, json={"email": "carol@example.com"})
    assert first.status_code == 200
    assert first.json()["message"] == "If this email exists, a verification code has been sent."
    assert len(outbox.to("carol@example.com")) == 2
    second = client.post(RESEND, json={"email": "carol@example.com"})
    assert second.status_code == 429
    assert second.json() == {
        "detail": "Please wait before requesting a new OTP.",
        "error_code": "resend_cooldown_active",
    }
    assert 0 < int(second.headers["Retry-After"]) <= 60
    assert len(outbox.to("carol@example.com")) == 2


def test_resend_otp_unknown_email_same_answer(client, outbox):
    _register(client)
    known = client.post(RESEND, json={"email": "carol@example.com"})
    unknown = client.post(RESEND, json={"email": "ghost@example.com"})
    assert unknown.status_code == 200
    assert unknown.json()["message"] == known.json()["message"]
    assert outbox.to("ghost@example.com") == []


def test_resend_otp_already_verified(client, student):
    response = client.post(RESEND, json={"email": "alice@example.com"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This email is already verified. You can log in now.",
        "error_code": "already_verified",
    }


def test_resend_otp_new_code_works_and_old_does_not(client, outbox):
    _register(client)
    old = outbox.last_code("carol@example.com")
    assert client.post(RESEND, json={"email": "carol@example.com"}).status_code == 200
    new = outbox.last_code("carol@example.com")
    if new == old:  # one chance in a million
        pytest.skip("the new code happens to equal the old one")
    refused = client.post(VERIFY, json={"email": "carol@example.com", "otp": old})
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "invalid_otp"
    accepted = client.post(VERIFY, json={"email": "carol@example.com", "otp": new})
    assert accepted.status_code == 200


def test_resend_otp_resets_failed_attempts(client, outbox):
    _register(client)
    wrong = _wrong_code(outbox.last_code("carol@example.com"))
    for _ in range(6):
        client.post(VERIFY, json={"email": "carol@example.com", "otp": wrong})
    assert client.post(RESEND, json={"email": "carol@example.com"}).status_code == 200
    code = outbox.last_code("carol@example.com")
    assert client.post(VERIFY, json={"email": "carol@example.com", "otp": code}).status_code == 200


def test_resend_otp_missing_email(client):
    response = client.post(RESEND, json={})
    assert response.status_code == 400
    assert response.json() == {"email": ["This field is required."]}


# ------------------------------------------------------------------ refresh


def _pair(client, login="alice", password="correct-horse-1"):
    response = _login(client, login, password)
    assert response.status_code == 200
    return response.json()


def test_refresh_rotates(client, student):
    tokens = _pair(client)
    response = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    me = client.get(ME, headers={"Authorization": f"Bearer {body['access']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_used_refresh_token_is_refused(client, student):
    tokens = _pair(client)
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 200
    again = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert again.json() == TOKEN_INVALID


def test_replaying_a_rotated_token_revokes_the_family(client, student):
    tokens = _pair(client)
    newer = client.post(REFRESH, json={"refresh": tokens["refresh"]}).json()["refresh"]
    other_login = _pair(client)["refresh"]  # another family, unaffected
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401
    dead = client.post(REFRESH, json={"refresh": newer})
    assert dead.status_code == 401
    assert dead.json() == TOKEN_INVALID
    assert client.post(REFRESH, json={"refresh": other_login}).status_code == 200


def test_refresh_garbage_token(client):
    response = client.post(REFRESH, json={"refresh": "not-a-jwt"})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_access_token_is_not_a_refresh_token(client, student):
    tokens = _pair(client)
    response = client.post(REFRESH, json={"refresh": tokens["access"]})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_refresh_token_is_not_an_access_token(client, student):
    tokens = _pair(client)
    response = client.get(ME, headers={"Authorization": f"Bearer {tokens['refresh']}"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_missing_field(client):
    response = client.post(REFRESH, json={})
    assert response.status_code == 400
    assert response.json() == {"refresh": ["This field is required."]}


def test_refresh_refused_for_deactivated_user(client, session, student):
    tokens = _pair(client)
    student.is_active = False
    session.add(student)
    session.commit()
    response = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


def test_refresh_token_of_deleted_user_is_refused(client, session, student):
    tokens = _pair(client)
    session.delete(student)
    session.commit()
    response = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID


# ------------------------------------------------------------------ logout


def test_logout_revokes_the_refresh_token_sent(client, student):
    tokens = _pair(client)
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    response = client.post(LOGOUT, json={"refresh": tokens["refresh"]}, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"message": "Logout successful. Please discard your tokens."}
    refused = client.post(REFRESH, json={"refresh": tokens["refresh"]})
    assert refused.status_code == 401
    assert refused.json() == TOKEN_INVALID


def test_logout_without_refresh_token(client, student_headers):
    response = client.post(LOGOUT, headers=student_headers)
    assert response.status_code == 200


def test_logout_requires_auth(client):
    response = client.post(LOGOUT, json={})
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


def test_logout_cannot_revoke_another_users_token(client, student, other_student):
    alice = _pair(client)
    bob = _pair(client, "bob")
    headers = {"Authorization": f"Bearer {alice['access']}"}
    assert client.post(LOGOUT, json={"refresh": bob["refresh"]}, headers=headers).status_code == 200
    assert client.post(REFRESH, json={"refresh": bob["refresh"]}).status_code == 200


# ------------------------------------------------------------------ change-password


def _change(client, headers, old, new, confirm=None):
    return client.post(
        CHANGE,
        json={"old_password": old, "new_password": new, "new_password_confirm": confirm or new},
        headers=headers,
    )


def test_change_password_success(client, student):
    tokens = _pair(client)
    other_session = _pair(client)
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    response = _change(client, headers, "correct-horse-1", "brand-new-pass")
    assert response.status_code == 200
    assert response.json() == {"message": "Password updated successfully"}
    assert _login(client, "alice", "brand-new-pass").status_code == 200
    assert _login(client, "alice", "correct-horse-1").status_code == 401
    # Every refresh token issued before the change is revoked.
    assert client.post(REFRESH, json={"refresh": other_session["refresh"]}).status_code == 401
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401


def test_change_password_wrong_old(client, student_headers):
    response = _change(client, student_headers, "wrong-old-pass", "brand-new-pass")
    assert response.status_code == 400
    assert response.json() == {"old_password": ["Wrong password."]}
    assert _login(client, "alice").status_code == 200


def test_change_password_mismatch(client, student_headers):
    response = _change(client, student_headers, "correct-horse-1", "brand-new-pass", "different-pass")
    assert response.status_code == 400
    assert response.json() == {"new_password": ["Passwords do not match."]}


def test_change_password_same_as_old(client, student_headers):
    response = _change(client, student_headers, "correct-horse-1", "correct-horse-1")
    assert response.status_code == 200
    assert _login(client, "alice").status_code == 200


def test_change_password_too_short_and_too_long(client, student_headers):
    short = _change(client, student_headers, "correct-horse-1", "short")
    assert short.status_code == 400
    assert short.json() == {"new_password": ["Ensure this field has at least 8 characters."]}
    long = _change(client, student_headers, "correct-horse-1", "l" * 129)
    assert long.status_code == 400
    assert long.json() == {"new_password": ["Ensure this field has no more than 128 characters."]}


def test_change_password_requires_auth(client):
    response = _change(client, {}, "a", "b")
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS


def test_change_password_missing_fields(client, student_headers):
    response = client.post(CHANGE, json={}, headers=student_headers)
    assert response.status_code == 400
    assert set(response.json()) == {"old_password", "new_password", "new_password_confirm"}


# ------------------------------------------------------------------ password reset


def test_password_reset_flow(client, student, outbox):
    tokens = _pair(client)
    response = client.post(RESET, json={"email": "ALICE@example.com"})
    assert response.status_code == 200
    token = outbox.last_reset_token("alice@example.com")
    assert token in outbox.text_of(outbox.to("alice@example.com")[-1])
    confirm = client.post(
        RESET_CONFIRM,
        json={"token": token, "new_password": "reset-password-1", "new_password_confirm": "reset-password-1"},
    )
    assert confirm.status_code == 200
    assert "message" in confirm.json()
    assert _login(client, "alice", "reset-password-1").status_code == 200
    assert _login(client, "alice", "correct-horse-1").status_code == 401
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401
    # Single use.
    again = client.post(
        RESET_CONFIRM,
        json={"token": token, "new_password": "another-pass-2", "new_password_confirm": "another-pass-2"},
    )
    assert again.status_code == 400
    assert list(again.json()) == ["token"]
    assert _login(client, "alice", "reset-password-1").status_code == 200


def test_password_reset_unknown_email_same_answer(client, student, outbox):
    known = client.post(RESET, json={"email": "alice@example.com"})
    unknown = client.post(RESET, json={"email": "ghost@example.com"})
    assert unknown.status_code == known.status_code == 200
    assert unknown.json() == known.json()
    assert outbox.to("ghost@example.com") == []
    assert len(outbox.to("alice@example.com")) == 1


def test_password_reset_invalid_token(client, student):
    response = client.post(
        RESET_CONFIRM,
        json={
            "token": "bogus",
            "new_password": "reset-password-1",
            "new_password_confirm": "reset-password-1",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"token": ["This reset link is invalid or has expired."]}


def test_password_reset_expired_token(client, session, student, outbox):
    client.post(RESET, json={"email": "alice@example.com"})
    token = outbox.last_reset_token("alice@example.com")
    record = session.exec(select(PasswordResetToken)).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    session.add(record)
    session.commit()
    response = client.post(
        RESET_CONFIRM,
        json={"token": token, "new_password": "reset-password-1", "new_password_confirm": "reset-password-1"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["token"]


def test_password_reset_confirm_mismatch_and_long(client, student, outbox):
    client.post(RESET, json={"email": "alice@example.com"})
    token = outbox.last_reset_token("alice@example.com")
    mismatch = client.post(
        RESET_CONFIRM,
        json={"token": token, "new_password": "reset-password-1", "new_password_confirm": "x" * 9},
    )
    assert mismatch.status_code == 400
    assert mismatch.json() == {"new_password": ["Passwords do not match."]}
    long = client.post(
        RESET_CONFIRM, json={"token": token, "new_password": "l" * 200, "new_password_confirm": "l" * 200}
    )
    assert long.status_code == 400
    assert long.json() == {"new_password": ["Ensure this field has no more than 128 characters."]}
    # The token was not consumed by the failed attempts.
    ok = client.post(
        RESET_CONFIRM,
        json={"token": token, "new_password": "reset-password-1", "new_password_confirm": "reset-password-1"},
    )
    assert ok.status_code == 200


# ------------------------------------------------------------------ test-email


def test_test_email_admin_writes_to_outbox(client, admin_headers, outbox):
    response = client.post(TEST_EMAIL, json={"email": "ops@example.com"}, headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["success"] is True
    messages = outbox.to("ops@example.com")
    assert len(messages) == 1
    assert "test email" in outbox.text_of(messages[0]).lower()


def test_test_email_defaults_to_admins_address(client, admin, admin_headers, outbox):
    assert client.post(TEST_EMAIL, json={}, headers=admin_headers).status_code == 200
    assert len(outbox.to(admin.email)) == 1


def test_test_email_student_refused(client, student_headers, outbox):
    response = client.post(TEST_EMAIL, json={"email": "x@example.com"}, headers=student_headers)
    assert response.status_code == 403
    assert response.json() == ADMIN_REQUIRED
    assert outbox.messages() == []


def test_test_email_anonymous_refused(client, outbox):
    response = client.post(TEST_EMAIL, json={"email": "x@example.com"})
    assert response.status_code == 401
    assert response.json() == NO_CREDENTIALS
    assert outbox.messages() == []
