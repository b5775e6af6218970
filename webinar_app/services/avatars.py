"""Profile pictures: permission, validation, storage, and cleanup of the previous file."""

from __future__ import annotations

from sqlmodel import Session

from webinar_app.core.config import get_settings
from webinar_app.models import User
from webinar_app.services.accounts import get_user
from webinar_app.services.errors import PermissionDenied
from webinar_app.services.images import image_suffix, normalise_image
from webinar_app.services.media import replace_image

AVATAR_MAX_SIDE = 512


def upload_avatar(session: Session, actor: User, user_id: int, data: bytes) -> User:
    user = get_user(session, user_id)
    if actor.id != user.id and not actor.is_admin:
        raise PermissionDenied("You do not have permission to upload picture for this user")
    image = normalise_image(
        data,
        field="profile_picture",
        max_side=AVATAR_MAX_SIDE,
        max_bytes=get_settings().max_avatar_bytes,
    )
    replace_image(session, user, "profile_picture", "profile_pictures", image, image_suffix(image))
    session.refresh(user)
    return user
