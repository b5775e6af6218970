"""Which stream URLs the live page may put in an iframe, and in what form.

The URL is typed by an organizer, then rendered into every attendee's page: only http(s)
pages are embedded (no `javascript:`, `data:`, relative or protocol-relative URLs, no
credentials in the netloc), and YouTube / Vimeo watch links are turned into their player
URLs, since their watch pages refuse to be framed. Jitsi rooms and any other http(s) page
are embedded as given.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

MAX_URL_LENGTH = 500
REFUSED = "This stream link cannot be embedded here: only http(s) links (YouTube, Vimeo, Jitsi, …) are shown."

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_YOUTUBE_NOCOOKIE = {"youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_DIGITS = re.compile(r"^\d{1,20}$")
# Anything that could break out of an attribute or smuggle a second scheme stays out.
_UNSAFE_CHARS = re.compile(r"[\s\"'<>`\\\x00-\x1f\x7f]")


def _youtube_id(host: str, path: str, query: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    if host == "youtu.be":
        candidate = parts[0] if parts else ""
    elif host in _YOUTUBE_HOSTS | _YOUTUBE_NOCOOKIE:
        if path.rstrip("/") == "/watch":
            candidate = (parse_qs(query).get("v") or [""])[0]
        elif len(parts) >= 2 and parts[0] in ("embed", "shorts", "live", "v"):
            candidate = parts[1]
        else:
            return None
    else:
        return None
    return candidate if _VIDEO_ID.match(candidate) else None


def _vimeo_id(host: str, path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    if host in ("vimeo.com", "www.vimeo.com"):
        # vimeo.com/123, vimeo.com/channels/x/123, vimeo.com/event/123 (live events)
        if parts and parts[0] == "event" and len(parts) >= 2 and _DIGITS.match(parts[1]):
            return f"event/{parts[1]}"
        numeric = [p for p in parts if _DIGITS.match(p)]
        return numeric[-1] if numeric else None
    if host == "player.vimeo.com" and len(parts) >= 2 and parts[0] == "video" and _DIGITS.match(parts[1]):
        return parts[1]
    return None


def embed_url(url: str | None) -> str | None:
    """The iframe `src` for a webinar's `live_stream_url`, or None when it must not be embedded."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if len(url) > MAX_URL_LENGTH or _UNSAFE_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    if host == "youtu.be" or host in _YOUTUBE_HOSTS or host in _YOUTUBE_NOCOOKIE:
        video = _youtube_id(host, parts.path, parts.query)
        if video is None:
            return None if host == "youtu.be" else url
        return f"https://www.youtube.com/embed/{quote(video)}"
    if host.endswith("vimeo.com"):
        video = _vimeo_id(host, parts.path)
        if video is None:
            return url if host != "player.vimeo.com" else None
        if video.startswith("event/"):
            return f"https://vimeo.com/{video}/embed"
        return f"https://player.vimeo.com/video/{video}"
    # Jitsi rooms (meet.jit.si/<room> or a self-hosted server) and any other http(s) page.
    return url


def provider(url: str | None) -> str:
    """A label for the player card ("YouTube", "Vimeo", "Jitsi", "Web page")."""
    src = embed_url(url)
    if src is None:
        return ""
    host = (urlsplit(src).hostname or "").lower()
    if "youtube" in host:
        return "YouTube"
    if "vimeo" in host:
        return "Vimeo"
    if "jit.si" in host or "jitsi" in host:
        return "Jitsi"
    return "Web page"
