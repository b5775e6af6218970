"""Account request bodies and the User / UserProfile / UserList shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from webinar_app.api.schemas.common import iso_z
from webinar_app.models import User
from webinar_app.services.media import media_url

Required = Annotated[str, StringConstraints(min_length=1)]
Secret = Annotated[str, StringConstraints(min_length=1)]


class LoginIn(BaseModel):
    username: Required
    password: Secret


class RefreshIn(BaseModel):
    refresh: Required


class LogoutIn(BaseModel):
    refresh: str | None = None


class RegisterIn(BaseModel):
    username: Required
    email: Required
    password: Secret
    password_confirm: Secret
    first_name: str = ""
    last_name: str = ""


class VerifyEmailIn(BaseModel):
    email: Required
    otp: Required


class EmailIn(BaseModel):
    email: Required


class OptionalEmailIn(BaseModel):
    email: str | None = None


class ChangePasswordIn(BaseModel):
    old_password: Secret
    new_password: Secret
    new_password_confirm: Secret


class ResetConfirmIn(BaseModel):
    token: Required
    new_password: Secret
    new_password_confirm: Secret


class AdminCreateUserIn(BaseModel):
    username: Required
    email: Required
    password: Secret
    first_name: str = ""
    last_name: str = ""
    role: str = "student"


class UserPatchIn(BaseModel):
    """Unknown keys are ignored (existing clients send whole objects back)."""

    model_config = ConfigDict(extra="ignore")

    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    timezone: str | None = None
    role: str | None = None


class UserPutIn(UserPatchIn):
    username: Required  # type: ignore[assignment]
    email: Required  # type: ignore[assignment]


class RoleIn(BaseModel):
    role: Required


def profile_out(user: User, base: str) -> dict[str, Any]:
    picture = media_url(user.profile_picture, base)
    return {
        "id": user.id,
        "role": user.role,
        "profile_picture": picture,
        "profile_picture_url": picture,
        "created_at": iso_z(user.created_at),
        "updated_at": iso_z(user.updated_at),
    }


def user_out(user: User, base: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "profile": profile_out(user, base),
        "role": user.role,
        "profile_picture_url": media_url(user.profile_picture, base),
        "is_staff": user.is_admin,
        "is_superuser": user.is_superuser,
        "timezone": user.timezone,
    }


def user_list_item(user: User, base: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "profile_picture_url": media_url(user.profile_picture, base),
        "profile": profile_out(user, base),
        "is_active": user.is_active,
        "email_verified": user.email_verified,
        "date_joined": iso_z(user.created_at),
    }
