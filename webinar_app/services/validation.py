"""Field rules shared by sign-up, admin user creation and profile edits."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from webinar_app.services.errors import Invalid

PASSWORD_MIN = 8
PASSWORD_MAX = 128
_USERNAME_RE = re.compile(r"^[\w.@+-]+$")


class ErrorCollector:
    """Gathers every field error so a form shows all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self, field: str, message: str | None) -> None:
        if message:
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return f"Ensure this field has at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Ensure this field has no more than {PASSWORD_MAX} characters."
    return None


def username_problem(username: str) -> str | None:
    if not username:
        return "This field may not be blank."
    if len(username) > 150:
        return "Ensure this field has no more than 150 characters."
    if not _USERNAME_RE.match(username):
        return (
            "Enter a valid username. This value may contain only letters, numbers, "
            "and @/./+/-/_ characters."
        )
    return None


def normalise_email(email: str) -> tuple[str | None, str | None]:
    """Return (normalised email, problem)."""
    email = email.strip()
    if not email:
        return None, "This field may not be blank."
    if len(email) > 254:
        return None, "Ensure this field has no more than 254 characters."
    try:
        result = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return None, "Enter a valid email address."
    return result.normalized, None


def name_problem(value: str) -> str | None:
    if len(value) > 150:
        return "Ensure this field has no more than 150 characters."
    return None
