"""All tables, imported here so `SQLModel.metadata` (Alembic, tests) sees every one."""

from webinar_app.models.announcement import Announcement
from webinar_app.models.audit import AuditLog
from webinar_app.models.chat import ChatBan, ChatMessage, ChatMute, ChatRoomSettings
from webinar_app.models.email import (
    EmailKind,
    EmailLog,
    EmailPreference,
    EmailStatus,
    ReminderClaim,
)
from webinar_app.models.engagement import (
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    Question,
    QuestionVote,
    RaisedHand,
    ReactionTally,
)
from webinar_app.models.inbox import Conversation, ConversationParticipant, Message, MessageRecipient
from webinar_app.models.live import LiveParticipant, LiveSession
from webinar_app.models.notification import NOTIFICATION_TYPE_DISPLAY, Notification, NotificationType
from webinar_app.models.recording import Recording, RecordingView
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
    "ReactionTally",
    "RaisedHand",
    "QuestionVote",
    "Question",
    "PollVote",
    "PollOption",
    "PollBallot",
    "Poll",
    "NOTIFICATION_TYPE_DISPLAY",
    "Announcement",
    "AuditLog",
    "CalendarFeed",
    "ChatBan",
    "ChatMessage",
    "ChatMute",
    "ChatRoomSettings",
    "Conversation",
    "ConversationParticipant",
    "EmailKind",
    "EmailLog",
    "EmailPreference",
    "EmailStatus",
    "EmailVerification",
    "LiveParticipant",
    "LiveSession",
    "ManualStatus",
    "Message",
    "MessageRecipient",
    "Notification",
    "NotificationType",
    "PasswordResetToken",
    "Recording",
    "RecordingView",
    "RefreshToken",
    "ReminderClaim",
    "Registration",
    "RegistrationStatus",
    "Role",
    "User",
    "Webinar",
]
