"""Recording pieces: a card, the webinar page's section, the player, the admin form."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from webinar_app.components.embed import embed_frame
from webinar_app.components.forms import labelled_radio
from webinar_app.state.recordings import (
    RECORDING_UPLOAD_ID,
    RecordingAdminState,
    RecordingCard,
    RecordingPlayerState,
    WebinarRecordingsState,
)

# Players of YouTube/Vimeo replays: no camera or microphone (unlike the live room's embeds).
IFRAME_ALLOW = "autoplay; fullscreen; picture-in-picture; encrypted-media"
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"

VIDEO_ACCEPT = {
    "video/mp4": [".mp4", ".m4v"],
    "video/quicktime": [".mov"],
    "video/webm": [".webm"],
    "video/x-matroska": [".mkv"],
    "video/ogg": [".ogv"],
    "video/mp2t": [".ts"],
}


def _played_seconds(event: Var) -> tuple[Var[int]]:
    """Seconds actually played (the sum of the <video>'s `played` ranges), not the position."""
    js = (
        f"(() => {{ const p = {event}.target.played; let s = 0; "
        "for (let i = 0; i < p.length; i++) { s += p.end(i) - p.start(i); } return Math.round(s); })()"
    )
    return (Var(_js_expr=js).to(int),)


class TrackedVideo(rx.el.Video):
    """HTML5 <video> with the media events Reflex's element does not declare."""

    on_pause: rx.EventHandler[_played_seconds]
    on_ended: rx.EventHandler[_played_seconds]
    on_time_update: rx.EventHandler[_played_seconds]


def recording_card(card: RecordingCard | Var[RecordingCard]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(
                    rx.icon(rx.cond(card.source == "file", "film", "link"), size=22, color="white"),
                    width="44px",
                    height="44px",
                    border_radius="8px",
                    background=rx.color("indigo", 9),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(card.title, weight="bold", size="3", class_name="recording-title"),
                    rx.text(card.webinar_title, size="2", color_scheme="gray"),
                    rx.hstack(
                        rx.cond(card.duration != "", rx.badge(rx.icon("clock", size=12), card.duration)),
                        rx.cond(
                            card.is_public,
                            rx.badge("Public", color_scheme="green", variant="soft", high_contrast=True),
                            rx.badge(
                                "Registrants only", color_scheme="amber", variant="soft", high_contrast=True
                            ),
                        ),
                        rx.text(card.uploaded, size="1", color_scheme="gray"),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    spacing="1",
                    align="start",
                ),
                spacing="3",
                align="center",
            ),
            width="100%",
        ),
        href=card.href,
        underline="none",
        class_name="recording-card",
        width="100%",
    )


def webinar_recordings_section() -> rx.Component:
    """On a webinar page: its recordings the viewer may see (nothing at all when none)."""
    return rx.cond(
        WebinarRecordingsState.items.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.separator(),
            rx.heading("Recordings", size="5", as_="h2"),
            rx.foreach(WebinarRecordingsState.items, recording_card),
            spacing="3",
            width="100%",
            id="webinar-recordings",
        ),
    )


def player() -> rx.Component:
    rec = RecordingPlayerState.recording
    return rx.match(
        rec.kind,
        (
            "video",
            TrackedVideo.create(
                src=rec.src,
                controls=True,
                preload="metadata",
                plays_inline=True,
                id="recording-video",
                on_pause=RecordingPlayerState.progress,
                on_ended=RecordingPlayerState.progress,
                on_time_update=RecordingPlayerState.progress.throttle(15_000),  # type: ignore[attr-defined]
                style={"width": "100%", "border_radius": "12px", "background_color": "black"},
            ),
        ),
        (
            "embed",
            embed_frame(rec.src, rec.title, "recording-embed", allow=IFRAME_ALLOW, sandbox=IFRAME_SANDBOX),
        ),
        rx.callout(
            rx.text(
                "This recording is hosted elsewhere: ",
                rx.link("open it", href=rec.src, is_external=True, id="recording-link"),
                ".",
            ),
            icon="external_link",
            width="100%",
        ),
    )


def _field(label: str, name: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.cond(
            RecordingAdminState.form_errors.contains(name),  # type: ignore[attr-defined]
            rx.text(
                RecordingAdminState.form_errors[name],
                color_scheme="red",
                size="1",
                id=f"recording-error-{name}",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _input(name: str, **props: object) -> rx.Component:
    return rx.input(
        value=RecordingAdminState.form[name],
        on_change=lambda value: RecordingAdminState.set_field(name, value),
        id=f"recording-{name}",
        width="100%",
        **props,
    )


def admin_form() -> rx.Component:
    """Admins only (the handlers check again): upload with a progress bar, or add by link."""
    chosen = rx.selected_files(RECORDING_UPLOAD_ID)
    return rx.cond(
        RecordingAdminState.allowed,
        rx.card(
            rx.vstack(
                rx.heading("Add a recording", size="4", as_="h2"),
                rx.grid(
                    _field(
                        "Webinar",
                        "event",
                        rx.select.root(
                            rx.select.trigger(
                                placeholder="Choose a webinar", id="recording-event", width="100%"
                            ),
                            rx.select.content(
                                rx.foreach(
                                    RecordingAdminState.webinar_choices,
                                    lambda c: rx.select.item(c.label, value=c.value),
                                )
                            ),
                            value=RecordingAdminState.form["event"],
                            on_change=lambda value: RecordingAdminState.set_field("event", value),
                        ),
                    ),
                    _field("Title (optional)", "title", _input("title", placeholder="Recording: <webinar>")),
                    _field(
                        "Duration (minutes)",
                        "duration_minutes",
                        _input("duration_minutes", type="number", min=0),
                    ),
                    _field(
                        "Visibility",
                        "is_public",
                        rx.radio_group.root(
                            rx.hstack(
                                labelled_radio("true", "Public"),
                                labelled_radio("false", "Registrants only"),
                                spacing="4",
                            ),
                            value=RecordingAdminState.form["is_public"],
                            on_change=lambda value: RecordingAdminState.set_field("is_public", value),
                            id="recording-is_public",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),  # type: ignore[arg-type]
                    spacing="3",
                    width="100%",
                ),
                _field(
                    "Description",
                    "description",
                    rx.text_area(
                        value=RecordingAdminState.form["description"],
                        on_change=lambda value: RecordingAdminState.set_field("description", value),
                        id="recording-description",
                        width="100%",
                    ),
                ),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Upload a file", value="upload", id="tab-upload"),
                        rx.tabs.trigger("Add by link", value="link", id="tab-link"),
                    ),
                    rx.tabs.content(
                        rx.vstack(
                            rx.upload.root(
                                rx.vstack(
                                    rx.icon("film", size=28),
                                    rx.text(
                                        "Drop a video here or click to choose (MP4, MOV, WebM, MKV)", size="2"
                                    ),
                                    rx.foreach(chosen, lambda n: rx.text(n, size="1", color_scheme="gray")),
                                    align="center",
                                    spacing="2",
                                ),
                                id=RECORDING_UPLOAD_ID,
                                accept=VIDEO_ACCEPT,
                                max_files=1,
                                multiple=False,
                                border=f"1px dashed {rx.color('gray', 7)}",
                                border_radius="8px",
                                padding="5",
                                width="100%",
                                cursor="pointer",
                            ),
                            rx.cond(
                                RecordingAdminState.uploading | (RecordingAdminState.upload_progress > 0),
                                rx.hstack(
                                    rx.progress(
                                        value=RecordingAdminState.upload_progress,
                                        max=100,
                                        width="100%",
                                        id="recording-progress",
                                    ),
                                    rx.text(RecordingAdminState.upload_progress, "%", size="1"),
                                    width="100%",
                                    align="center",
                                ),
                            ),
                            rx.cond(
                                RecordingAdminState.form_errors.contains("file"),  # type: ignore[attr-defined]
                                rx.text(
                                    RecordingAdminState.form_errors["file"],
                                    color_scheme="red",
                                    size="2",
                                    role="alert",
                                    id="recording-error-file",
                                ),
                            ),
                            rx.button(
                                rx.icon("upload", size=16),
                                "Upload recording",
                                id="recording-upload-button",
                                loading=RecordingAdminState.uploading,
                                disabled=chosen.length() == 0,  # type: ignore[attr-defined]
                                on_click=RecordingAdminState.upload_video(
                                    rx.upload_files_chunk(  # type: ignore[call-arg]
                                        upload_id=RECORDING_UPLOAD_ID,
                                        on_upload_progress=RecordingAdminState.upload_progressed,
                                    )
                                ),
                            ),
                            spacing="3",
                            padding_top="3",
                            width="100%",
                        ),
                        value="upload",
                    ),
                    rx.tabs.content(
                        rx.vstack(
                            _field(
                                "Recording link",
                                "recording_link",
                                _input("recording_link", placeholder="https://www.youtube.com/watch?v=..."),
                            ),
                            rx.button(
                                rx.icon("link", size=16),
                                "Add link",
                                on_click=RecordingAdminState.add_link,
                                loading=RecordingAdminState.saving,
                                id="recording-add-link",
                            ),
                            spacing="3",
                            padding_top="3",
                            width="100%",
                        ),
                        value="link",
                    ),
                    default_value="upload",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="recording-admin-form",
        ),
    )
