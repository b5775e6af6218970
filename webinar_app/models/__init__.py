"""All tables, imported here so `SQLModel.metadata` (Alembic, tests) sees every one."""

from webinar_app.models.notification import NOTIFICATION_TYPE_DISPLAY, Notification, NotificationType
from webinar_app.models.user import (
    EmailVerification,
    PasswordResetToken,
    RefreshToken,
    Role,
    User,
)
from webinar_app.models.webinar import (
    CalendarFeed,
    ManualStatus,
    Registration,
    RegistrationStatus,
    Webinar,
)

__all__ = [
    "NOTIFICATION_TYPE_DISPLAY",
    "CalendarFeed",
    "EmailVerification",
    "ManualStatus",
    "Notification",
    "NotificationType",
    "PasswordResetToken",
    "RefreshToken",
    "Registration",
    "RegistrationStatus",
    "Role",
    "User",
    "Webinar",
]
