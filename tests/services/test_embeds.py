"""What the live page may put in an iframe: player URLs for YouTube/Vimeo, any http(s) page,
nothing else (an organizer's typo must never become script in an attendee's page)."""

from __future__ import annotations

import pytest

from webinar_app.services.embeds import embed_url, provider


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://vimeo.com/channels/staffpicks/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://vimeo.com/event/12345", "https://vimeo.com/event/12345/embed"),
        ("https://meet.jit.si/OurWebinarRoom", "https://meet.jit.si/OurWebinarRoom"),
        ("http://intranet.example.com/stream", "http://intranet.example.com/stream"),
        ("  https://example.com/live  ", "https://example.com/live"),
    ],
)
def test_embeddable_links_become_player_urls(given: str, expected: str) -> None:
    assert embed_url(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        None,
        "",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "/live/3",
        "//evil.example.com/x",
        "ftp://example.com/video",
        "file:///etc/passwd",
        "https://",
        "https://user:pass@example.com/",
        'https://example.com/" onload="alert(1)',
        "https://example.com/<script>",
        "https://youtu.be/",
        "https://youtu.be/bad id",
        "https://player.vimeo.com/video/not-a-number",
        "https://example.com/" + "a" * 600,
    ],
)
def test_everything_else_is_refused(given: str | None) -> None:
    assert embed_url(given) is None


def test_provider_labels() -> None:
    assert provider("https://youtu.be/dQw4w9WgXcQ") == "YouTube"
    assert provider("https://vimeo.com/76979871") == "Vimeo"
    assert provider("https://meet.jit.si/room") == "Jitsi"
    assert provider("https://example.com/") == "Web page"
    assert provider("javascript:alert(1)") == ""
