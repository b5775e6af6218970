"""`/api/accounts/`: sign-up, tokens, users and profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from webinar_app.api.body import RawBody, body_of, documented, parse_into, read_upload_sync
from webinar_app.api.deps import AdminUser, BaseUrl, ClientIp, CurrentUser, SessionDep
from webinar_app.api.errors import ApiError
from webinar_app.api.routing import ContractRoute
from webinar_app.api.schemas.users import (
    AdminCreateUserIn,
    ChangePasswordIn,
    EmailIn,
    LoginIn,
    LogoutIn,
    OptionalEmailIn,
    RefreshIn,
    RegisterIn,
    ResetConfirmIn,
    RoleIn,
    UserPatchIn,
    UserPutIn,
    VerifyEmailIn,
    profile_out,
    user_list_item,
    user_out,
)
from webinar_app.core.config import get_settings
from webinar_app.models import User
from webinar_app.services import accounts, auth, avatars, passwords
from webinar_app.services import email as mail
from webinar_app.services.email import templates
from webinar_app.services.media import media_url

router = APIRouter(route_class=ContractRoute, prefix="/api/accounts", tags=["accounts"])

ROLE_VIA_UPDATE_ROLE = {"detail": "Roles can only be changed by an admin through update_role."}


# ------------------------------------------------------------------ auth


@router.post("/auth/login/", openapi_extra=documented(LoginIn))
def login(raw: RawBody, session: SessionDep, base: BaseUrl, client: ClientIp) -> dict[str, Any]:
    data = dict(raw)
    if "username" not in data and "email" in data:
        data["username"] = data["email"]
    body = parse_into(LoginIn, data)
    user, pair = auth.login(session, body.username, body.password, client=client)
    return {"refresh": pair.refresh, "access": pair.access, "user": user_out(user, base)}


@router.post("/auth/refresh/")
def refresh(session: SessionDep, body: RefreshIn = body_of(RefreshIn)) -> dict[str, str]:
    _, pair = auth.refresh(session, body.refresh)
    return {"access": pair.access, "refresh": pair.refresh}


@router.post("/auth/register/", status_code=201)
def register(session: SessionDep, body: RegisterIn = body_of(RegisterIn)) -> dict[str, str]:
    user = accounts.register(
        session,
        username=body.username,
        email=body.email,
        password=body.password,
        password_confirm=body.password_confirm,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return {
        "message": "User registered successfully. Please check your email for the verification code.",
        "email": user.email,
        "username": user.username,
    }


@router.post("/auth/verify-email/")
def verify_email(session: SessionDep, body: VerifyEmailIn = body_of(VerifyEmailIn)) -> dict[str, str]:
    user = accounts.verify_email(session, email=body.email, otp=body.otp)
    return {
        "message": "Email verified successfully. You can now log in.",
        "email": user.email,
        "username": user.username,
    }


@router.post("/auth/resend-otp/")
def resend_otp(session: SessionDep, body: EmailIn = body_of(EmailIn)) -> dict[str, str]:
    accounts.resend_code(session, email=body.email)
    # The same answer whether or not the address is known: no account enumeration.
    return {
        "message": "If this email exists, a verification code has been sent.",
        "email": body.email.strip(),
    }


@router.post("/auth/change-password/")
def change_password(
    user: CurrentUser, session: SessionDep, body: ChangePasswordIn = body_of(ChangePasswordIn)
) -> dict[str, str]:
    passwords.change_password(
        session,
        user,
        old_password=body.old_password,
        new_password=body.new_password,
        new_password_confirm=body.new_password_confirm,
    )
    return {"message": "Password updated successfully"}


@router.post("/auth/logout/")
def logout(user: CurrentUser, session: SessionDep, body: LogoutIn = body_of(LogoutIn)) -> dict[str, str]:
    auth.logout(session, user, body.refresh)
    return {"message": "Logout successful. Please discard your tokens."}


@router.post("/auth/password-reset/")
def password_reset(session: SessionDep, body: EmailIn = body_of(EmailIn)) -> dict[str, str]:
    passwords.request_reset(session, body.email)
    return {"message": "If an account with this email exists, a password reset link has been sent."}


@router.post("/auth/password-reset/confirm/")
def password_reset_confirm(
    session: SessionDep, body: ResetConfirmIn = body_of(ResetConfirmIn)
) -> dict[str, str]:
    passwords.confirm_reset(
        session,
        token=body.token,
        new_password=body.new_password,
        new_password_confirm=body.new_password_confirm,
    )
    return {"message": "Password has been reset. You can now log in."}


@router.post("/auth/test-email/")
def test_email(admin: AdminUser, body: OptionalEmailIn = body_of(OptionalEmailIn)) -> dict[str, Any]:
    to = (body.email or "").strip() or admin.email
    mail.send_email(templates.test_message(to))
    return {"success": True, "message": f"Test email sent to {to}", "backend": get_settings().email_backend}


# ------------------------------------------------------------------ users


@router.get("/users/")
def list_users(
    admin: AdminUser, session: SessionDep, base: BaseUrl, search: str | None = None
) -> list[dict[str, Any]]:
    return [user_list_item(u, base) for u in accounts.list_users(session, admin, search=search)]


@router.post("/users/", status_code=201)
def create_user(
    admin: AdminUser, session: SessionDep, base: BaseUrl, body: AdminCreateUserIn = body_of(AdminCreateUserIn)
) -> dict[str, Any]:
    user = accounts.create_user(
        session,
        admin,
        username=body.username,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
    )
    return user_out(user, base)


@router.get("/users/me/")
def read_me(user: CurrentUser, base: BaseUrl) -> dict[str, Any]:
    return user_out(user, base)


def _patch_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Accept the fields flat or nested under `user_info` (an existing client does that)."""
    nested = data.get("user_info")
    if isinstance(nested, dict):
        merged = {**data, **nested}
        merged.pop("user_info", None)
        return merged
    return data


def _apply_patch(
    session: SessionDep, actor: User, target_id: int, body: UserPatchIn
) -> User:
    target = accounts.visible_user(session, actor, target_id)
    if body.role is not None and body.role != target.role:
        raise ApiError(403, ROLE_VIA_UPDATE_ROLE)
    return accounts.update_profile(
        session,
        actor,
        target_id,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        username=body.username,
        timezone=body.timezone,
    )


@router.patch("/users/me/", openapi_extra=documented(UserPatchIn))
@router.put("/users/me/", openapi_extra=documented(UserPatchIn), include_in_schema=False)
def patch_me(raw: RawBody, user: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    body = parse_into(UserPatchIn, _patch_fields(raw))
    assert user.id is not None
    return user_out(_apply_patch(session, user, user.id, body), base)


@router.get("/users/{user_id:int}/")
def read_user(user_id: int, actor: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    return user_out(accounts.visible_user(session, actor, user_id), base)


@router.patch("/users/{user_id:int}/", openapi_extra=documented(UserPatchIn))
def patch_user(
    user_id: int, raw: RawBody, actor: CurrentUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    body = parse_into(UserPatchIn, _patch_fields(raw))
    return user_out(_apply_patch(session, actor, user_id, body), base)


@router.put("/users/{user_id:int}/", openapi_extra=documented(UserPutIn))
def put_user(
    user_id: int, raw: RawBody, actor: CurrentUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    accounts.visible_user(session, actor, user_id)
    body = parse_into(UserPutIn, _patch_fields(raw))
    return user_out(_apply_patch(session, actor, user_id, body), base)


@router.delete("/users/{user_id:int}/", status_code=204)
def delete_user(user_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    accounts.delete_user(session, actor, user_id)
    return Response(status_code=204)


def _role_change(session: SessionDep, admin: User, user_id: int, role: str, base: str) -> dict[str, Any]:
    user, previous = accounts.update_role(session, admin, user_id, role)
    return {"message": f"Role updated from {previous} to {user.role}", "user": user_out(user, base)}


@router.post("/users/{user_id:int}/update_role/")
def update_role(
    user_id: int, admin: AdminUser, session: SessionDep, base: BaseUrl, body: RoleIn = body_of(RoleIn)
) -> dict[str, Any]:
    return _role_change(session, admin, user_id, body.role, base)


@router.post(
    "/users/{user_id:int}/upload_profile_picture/",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"profile_picture": {"type": "string", "format": "binary"}},
                        "required": ["profile_picture"],
                    }
                }
            },
        }
    },
)
def upload_profile_picture(
    user_id: int, data: RawBody, actor: CurrentUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    accounts.get_user(session, user_id)  # 404 before reading a file for nobody
    raw = read_upload_sync(
        data.get("profile_picture"),
        field="profile_picture",
        max_bytes=get_settings().max_avatar_bytes,
    )
    user = avatars.upload_avatar(session, actor, user_id, raw)
    url = media_url(user.profile_picture, base)
    return {"message": "Profile picture updated", "profile_picture_url": url}


# ------------------------------------------------------------------ profiles


@router.get("/profiles/")
def list_profiles(admin: AdminUser, session: SessionDep, base: BaseUrl) -> list[dict[str, Any]]:
    return [profile_out(u, base) for u in accounts.list_users(session, admin)]


@router.get("/profiles/me/")
def my_profile(user: CurrentUser, base: BaseUrl) -> dict[str, Any]:
    return profile_out(user, base)


@router.get("/profiles/{user_id:int}/")
def read_profile(user_id: int, actor: CurrentUser, session: SessionDep, base: BaseUrl) -> dict[str, Any]:
    return profile_out(accounts.visible_user(session, actor, user_id), base)


@router.patch(
    "/profiles/{user_id:int}/",
    openapi_extra=documented(UserPatchIn, multipart_fields=("profile_picture",)),
)
@router.put("/profiles/{user_id:int}/", include_in_schema=False)
def patch_profile(
    user_id: int, data: RawBody, actor: CurrentUser, session: SessionDep, base: BaseUrl
) -> dict[str, Any]:
    target = accounts.visible_user(session, actor, user_id)
    body = parse_into(UserPatchIn, data)
    if body.role is not None and body.role != target.role:
        raise ApiError(403, ROLE_VIA_UPDATE_ROLE)
    if data.get("profile_picture") is not None and not isinstance(data["profile_picture"], str):
        raw = read_upload_sync(
            data["profile_picture"], field="profile_picture", max_bytes=get_settings().max_avatar_bytes
        )
        target = avatars.upload_avatar(session, actor, user_id, raw)
    if body.timezone is not None:
        target = accounts.update_profile(session, actor, user_id, timezone=body.timezone)
    return profile_out(target, base)


@router.post("/profiles/{user_id:int}/update_role/")
def update_profile_role(
    user_id: int, admin: AdminUser, session: SessionDep, base: BaseUrl, body: RoleIn = body_of(RoleIn)
) -> dict[str, Any]:
    return _role_change(session, admin, user_id, body.role, base)
