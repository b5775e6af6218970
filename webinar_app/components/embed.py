"""A framed third-party player (YouTube, Vimeo, Jitsi...) in a 16:9 box.

Callers pass their own `allow`/`sandbox`: the live room lets a Jitsi frame use camera and
microphone, a replay player does not.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def embed_frame(src: Any, title: Any, frame_id: str, *, allow: str, sandbox: str) -> rx.Component:
    return rx.box(
        rx.el.iframe(
            src=src,
            title=title,
            allow=allow,
            sandbox=sandbox,
            referrer_policy="strict-origin-when-cross-origin",
            allow_full_screen=True,
            id=frame_id,
            style={"width": "100%", "height": "100%", "border": "0"},
        ),
        width="100%",
        aspect_ratio="16 / 9",
        border_radius="12px",
        overflow="hidden",
        background_color="black",
    )
