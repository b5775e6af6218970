"""Files we store under MEDIA_DIR and the URLs they are served at."""

from __future__ import annotations

import uuid
from pathlib import Path

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
