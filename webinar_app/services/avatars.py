"""Profile pictures: permission, validation, storage, and cleanup of the previous file."""

from __future__ import annotations

from sqlmodel import Session

from webinar_app.core.config import get_settings
from webinar_app.core.security import utcnow
from webinar_app.models import User
from webinar_app.services.accounts import get_user
from webinar_app.services.errors import PermissionDenied
from webinar_app.services.images import image_suffix, normalise_image
from webinar_app.services.media import delete_media, new_media_path

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
    absolute, relative = new_media_path("profile_pictures", image_suffix(image))
    absolute.write_bytes(image)
    previous = user.profile_picture
    user.profile_picture = relative
    user.updated_at = utcnow()
    session.add(user)
    try:
        session.commit()
    except Exception:
        absolute.unlink(missing_ok=True)
        raise
    delete_media(previous)
    session.refresh(user)
    return user
