"""All tables, imported here so `SQLModel.metadata` (Alembic, tests) sees every one."""

from webinar_app.models.user import (
    EmailVerification,
    PasswordResetToken,
    RefreshToken,
    Role,
    User,
)

__all__ = ["EmailVerification", "PasswordResetToken", "RefreshToken", "Role", "User"]
