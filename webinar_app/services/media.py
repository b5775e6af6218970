"""Files we store under MEDIA_DIR and the URLs they are served at."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlmodel import Session

from webinar_app.core.config import get_settings

MEDIA_URL_PREFIX = "/media/"


def media_root() -> Path:
    return get_settings().media_dir.resolve()


def new_media_path(folder: str, suffix: str) -> tuple[Path, str]:
    """A fresh random file name: (absolute path, path relative to MEDIA_DIR)."""
    relative = f"{folder}/{uuid.uuid4().hex}{suffix}"
    absolute = media_root() / relative
    absolute.parent.mkdir(parents=True, exist_ok=True)
    return absolute, relative


def resolve_media(relative: str) -> Path | None:
    """The file for a relative media path, or None if it escapes MEDIA_DIR or is missing."""
    root = media_root()
    candidate = (root / relative).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def media_url(relative: str | None, base_url: str | None = None) -> str | None:
    """Absolute URL for a stored file (the contract wants absolute URLs)."""
    if not relative:
        return None
    base = (base_url or get_settings().api_base_url).rstrip("/")
    return f"{base}{MEDIA_URL_PREFIX}{relative}"


def delete_media(relative: str | None) -> None:
    if not relative:
        return
    path = resolve_media(relative)
    if path is not None:
        path.unlink(missing_ok=True)


def replace_image(
    session: Session, row: Any, attribute: str, folder: str, image: bytes, suffix: str
) -> None:
    """Store `image`, point `row.<attribute>` at it and commit; then delete the previous file.

    The new file is removed again if the commit fails, so nothing is left behind either way.
    """
    from webinar_app.core.security import utcnow

    absolute, relative = new_media_path(folder, suffix)
    absolute.write_bytes(image)
    previous = getattr(row, attribute)
    setattr(row, attribute, relative)
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.add(row)
    try:
        session.commit()
    except Exception:
        absolute.unlink(missing_ok=True)
        raise
    delete_media(previous)
