"""Accounts: users and the short-lived secrets attached to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from webinar_app.models.base import tz_column, utcnow


class Role(StrEnum):
    admin = "admin"
    student = "student"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150)
    # Lower-cased copies carry the unique constraints: uniqueness is case-insensitive.
    username_key: str = Field(max_length=150, unique=True, index=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(default="", max_length=255)
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)
    # Stored as plain text (not a database enum) so adding a role is not a type migration.
    role: str = Field(default=Role.student.value, max_length=16)
    is_active: bool = Field(default=False)
    is_superuser: bool = Field(default=False)
    email_verified: bool = Field(default=False)
    profile_picture: str | None = Field(default=None, max_length=255)
    timezone: str = Field(default="UTC", max_length=64)
    # True until the user picks a zone: the browser's zone is adopted (mails show times in it).
    timezone_auto: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    last_login: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username


class EmailVerification(SQLModel, table=True):
    """The pending 6-digit code of an unverified account (only its HMAC is stored)."""

    __tablename__ = "email_verifications"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    otp_hash: str = Field(max_length=128)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    expires_at: datetime = Field(sa_column=tz_column())
    resent_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class RefreshToken(SQLModel, table=True):
    """Every refresh token we issued, so rotation and logout can revoke it.

    Tokens rotated from one login share a `family`; presenting a revoked token again
    (a replay) revokes the whole family.
    """

    __tablename__ = "refresh_tokens"

    id: int | None = Field(default=None, primary_key=True)
    jti: str = Field(max_length=64, unique=True, index=True)
    family: str = Field(max_length=64, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    expires_at: datetime = Field(sa_column=tz_column())
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class PasswordResetToken(SQLModel, table=True):
    """A single-use password reset secret mailed to the user (only its HMAC is stored)."""

    __tablename__ = "password_reset_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=128, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column())
    expires_at: datetime = Field(sa_column=tz_column())
    used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
