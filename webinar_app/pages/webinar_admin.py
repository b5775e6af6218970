"""Admin webinars: list, create/edit form with inline errors and thumbnail preview, status
actions behind confirmations, registrants with CSV export. Refusal comes from the services."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from webinar_app import routes
from webinar_app.components.forms import field_error
from webinar_app.components.layout import template
from webinar_app.components.webinars import status_badge
from webinar_app.pages.profile import AVATAR_ACCEPT, selected_image_preview
from webinar_app.state.auth import AuthState
from webinar_app.state.webinar_admin import (
    THUMBNAIL_UPLOAD_ID,
    RegistrantRow,
    WebinarAdminState,
)
from webinar_app.state.webinar_views import ViewerState, WebinarCard

S = WebinarAdminState


def _err(name: str) -> Var[str]:
    return S.form_errors.get(name, "")  # type: ignore[return-value]


def _labelled(
    label: str, input_id: str, control: rx.Component, error_name: str, hint: str = ""
) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text.span(label, size="2", weight="medium"), html_for=input_id),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(_err(error_name), input_id),
        spacing="1",
        width="100%",
        align="stretch",
    )


def field(label: str, name: str, *, type: str = "text", hint: str = "", **props: Any) -> rx.Component:
    input_id = f"wf-{name.replace('_', '-')}"
    return _labelled(
        label,
        input_id,
        rx.input(
            id=input_id,
            name=name,
            type=type,
            value=S.form[name],
            on_change=lambda value: S.set_field(name, value),
            aria_invalid=rx.cond(_err(name) != "", "true", "false"),
            aria_describedby=f"{input_id}-error",
            width="100%",
            **props,
        ),
        name,
        hint,
    )


def organizer_select() -> rx.Component:
    return _labelled(
        "Organizer (host)",
        "wf-organizer",
        rx.select.root(
            rx.select.trigger(placeholder="Choose a host", id="wf-organizer", width="100%"),
            rx.select.content(
                rx.foreach(S.organizers, lambda o: rx.select.item(o.label, value=o.id)),  # type: ignore[arg-type, attr-defined]
            ),
            value=S.form["organizer"],
            on_change=lambda value: S.set_field("organizer", value),
        ),
        "organizer",
    )


def thumbnail_picker() -> rx.Component:
    chosen = rx.selected_files(THUMBNAIL_UPLOAD_ID)
    return rx.vstack(
        rx.text("Thumbnail", size="2", weight="medium"),
        rx.hstack(
            rx.cond(
                chosen.length() > 0,  # type: ignore[attr-defined]
                rx.image(
                    src=selected_image_preview(THUMBNAIL_UPLOAD_ID),
                    alt="Preview of the chosen thumbnail",
                    width="160px",
                    height="90px",
                    object_fit="cover",
                    border_radius="6px",
                    id="thumbnail-preview",
                ),
                rx.cond(
                    S.editing_thumbnail != "",
                    rx.image(
                        src=S.editing_thumbnail,
                        alt="Current thumbnail",
                        width="160px",
                        height="90px",
                        object_fit="cover",
                        border_radius="6px",
                    ),
                    rx.center(
                        rx.icon("image", color=rx.color("gray", 8)),
                        width="160px",
                        height="90px",
                        border_radius="6px",
                        background_color=rx.color("gray", 3),
                    ),
                ),
            ),
            rx.upload.root(
                rx.vstack(
                    rx.icon("image_up", size=22),
                    rx.text("Drop an image or click (PNG, JPEG, WebP)", size="1"),
                    rx.foreach(chosen, lambda name: rx.text(name, size="1", color_scheme="gray")),
                    align="center",
                    spacing="1",
                ),
                id=THUMBNAIL_UPLOAD_ID,
                accept=AVATAR_ACCEPT,
                max_files=1,
                multiple=False,
                max_size=10 * 1024 * 1024,
                border=f"1px dashed {rx.color('gray', 7)}",
                border_radius="8px",
                padding="3",
                flex="1",
                cursor="pointer",
            ),
            spacing="4",
            width="100%",
            align="center",
        ),
        field_error(_err("thumbnail"), "wf-thumbnail"),
        spacing="1",
        width="100%",
    )


def webinar_form() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id > 0, "Edit webinar", "New webinar")),
            rx.dialog.description(
                "Date and time are in your time zone (",
                ViewerState.timezone_label,
                ").",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                field("Title", "title", required=False),
                _labelled(
                    "Description",
                    "wf-description",
                    rx.text_area(
                        id="wf-description",
                        value=S.form["description"],
                        on_change=lambda value: S.set_field("description", value),
                        rows="4",
                        width="100%",
                    ),
                    "description",
                ),
                rx.grid(
                    field("Date", "date", type="date"),
                    field("Start time", "time", type="time"),
                    field("Duration (minutes)", "duration", type="number", min="1"),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.grid(
                    field("Price (USD, 0 = free)", "price", type="number", min="0", step="0.01"),
                    field("Capacity", "capacity", type="number", min="1", hint="Empty = unlimited"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                field("Live stream URL", "live_stream_url", type="url", placeholder="https://"),
                field(
                    "Reminders (minutes before the start)",
                    "reminder_offsets",
                    placeholder="1440, 15",
                    hint="1440 = a day before; empty = no reminders",
                ),
                rx.grid(
                    field("Category", "category", placeholder="e.g. Data"),
                    field("Tags", "tags", placeholder="comma, separated"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                organizer_select(),
                thumbnail_picker(),
                field_error(_err("event"), "wf-form"),
                rx.hstack(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=S.close_form, type="button"
                    ),
                    rx.button(
                        rx.cond(S.editing_id > 0, "Save changes", "Create webinar"),
                        id="wf-save",
                        loading=S.saving,
                        on_click=S.save(rx.upload_files(upload_id=THUMBNAIL_UPLOAD_ID)),  # type: ignore[call-arg]
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                padding_top="3",
            ),
            max_width="44em",
            id="webinar-form",
        ),
        open=S.form_open,
        on_open_change=lambda is_open: rx.cond(is_open, rx.noop(), S.close_form()),  # type: ignore[arg-type]
    )


def confirm(
    trigger: rx.Component, title: str, text: str, action_label: str, on_confirm: Any, confirm_id: str
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(action_label, color_scheme="red", on_click=on_confirm, class_name=confirm_id)
                ),
                spacing="3",
                justify="end",
                margin_top="4",
            ),
        ),
    )


def row_actions(card: Var[WebinarCard]) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=14),
                size="1",
                variant="soft",
                on_click=S.edit_webinar(card.id),
                aria_label="Edit",
                class_name="action-edit",
            ),
            content="Edit",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("users", size=14),
                size="1",
                variant="soft",
                on_click=S.show_registrants(card.id),
                aria_label="Registrants",
                class_name="action-registrants",
            ),
            content="Registrants",
        ),
        rx.cond(
            (card.status != "completed") & (card.status != "cancelled"),
            rx.fragment(
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("check_check", size=14),
                        size="1",
                        variant="soft",
                        color_scheme="green",
                        on_click=S.mark_completed(card.id),
                        aria_label="Mark completed",
                        class_name="action-complete",
                    ),
                    content="Mark completed",
                ),
                confirm(
                    rx.icon_button(
                        rx.icon("ban", size=14),
                        size="1",
                        variant="soft",
                        color_scheme="orange",
                        aria_label="Cancel webinar",
                        class_name="action-cancel",
                    ),
                    "Cancel this webinar?",
                    "Registration closes and every registrant is notified. This cannot be undone here.",
                    "Cancel webinar",
                    S.cancel_webinar(card.id),
                    "confirm-cancel",
                ),
            ),
        ),
        confirm(
            rx.icon_button(
                rx.icon("trash_2", size=14),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Delete",
                class_name="action-delete",
            ),
            "Delete this webinar?",
            "The webinar and all its registrations are removed for good.",
            "Delete",
            S.delete_webinar(card.id),
            "confirm-delete",
        ),
        spacing="2",
    )


def webinar_row(card: Var[WebinarCard]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(card.title, href=card.href, weight="medium"), class_name="admin-webinar-title"),
        rx.table.cell(card.when, white_space="nowrap"),
        rx.table.cell(card.organizer),
        rx.table.cell(status_badge(card)),
        rx.table.cell(card.seats),
        rx.table.cell(card.price),
        rx.table.cell(row_actions(card)),
        class_name="admin-webinar-row",
    )


def webinars_table() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(
                            rx.table.column_header_cell(h)
                            for h in ("Title", "When", "Host", "Status", "Seats", "Price", "")
                        )
                    )
                ),
                rx.table.body(rx.foreach(S.rows, webinar_row)),
                width="100%",
                variant="surface",
                id="admin-webinars",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text("No webinars yet. Create the first one.", color_scheme="gray", id="admin-webinars-empty"),
    )


def registrant_row(row: Var[RegistrantRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.username),
        rx.table.cell(row.name),
        rx.table.cell(row.email),
        rx.table.cell(
            rx.badge(row.status, color_scheme=rx.cond(row.status == "confirmed", "green", "amber"))
        ),
        rx.table.cell(row.registered_on),
        rx.table.cell(
            rx.checkbox(
                checked=row.attended,
                on_change=lambda value: S.set_registrant_attended(row.id, value),
                aria_label="Attended: " + row.username,
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row.status == "waitlisted",
                    rx.button(
                        "Promote",
                        size="1",
                        variant="soft",
                        color_scheme="green",
                        on_click=S.promote_registrant(row.id),
                        class_name="action-promote",
                    ),
                    rx.fragment(),
                ),
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.remove_registrant(row.id),
                    class_name="action-remove-registrant",
                ),
                spacing="2",
            )
        ),
    )


def registrants_panel() -> rx.Component:
    return rx.cond(
        S.registrants_for > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Registrants: ", S.registrants_title, size="4", as_="h2"),
                    rx.spacer(),
                    rx.badge(S.confirmed_count.to_string(), " confirmed", color_scheme="green"),  # type: ignore[attr-defined]
                    rx.badge(S.waitlisted_count.to_string(), " waitlisted", color_scheme="amber"),  # type: ignore[attr-defined]
                    rx.text(S.engagement, size="2", color_scheme="gray", id="webinar-engagement"),
                    rx.button(
                        rx.icon("download", size=14),
                        "Export CSV",
                        variant="soft",
                        on_click=S.export_registrants,
                        id="export-csv",
                    ),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        variant="ghost",
                        on_click=S.hide_registrants,
                        aria_label="Close registrants",
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    S.registrants.length() > 0,  # type: ignore[attr-defined]
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    *(
                                        rx.table.column_header_cell(h)
                                        for h in (
                                            "Username",
                                            "Name",
                                            "Email",
                                            "Status",
                                            "Registered",
                                            "Attended",
                                            "Actions",
                                        )
                                    )
                                )
                            ),
                            rx.table.body(rx.foreach(S.registrants, registrant_row)),
                            width="100%",
                            id="registrants-table",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.text("Nobody has registered yet.", color_scheme="gray", id="registrants-empty"),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="registrants-panel",
        ),
    )


@rx.page(
    route=routes.ADMIN_WEBINARS,
    title="Manage webinars · Webinars",
    on_load=[AuthState.sync_session, WebinarAdminState.load],
)
def webinar_admin_page() -> rx.Component:
    return template(
        rx.hstack(
            rx.heading("Manage webinars", size="7", as_="h1"),
            rx.spacer(),
            rx.cond(
                S.allowed,
                rx.button(rx.icon("plus", size=16), "New webinar", on_click=S.new_webinar, id="new-webinar"),
            ),
            width="100%",
            align="center",
            margin_bottom="4",
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.allowed,
                rx.vstack(webinars_table(), registrants_panel(), webinar_form(), spacing="5", width="100%"),
                rx.callout(
                    "You are not allowed to view this page. Admin access is required.",
                    icon="shield_alert",
                    color_scheme="red",
                    id="admin-not-allowed",
                    role="alert",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
        rx.hstack(
            rx.link("Users", href=routes.ADMIN, size="2"),
            rx.link("Back to home", href=routes.HOME, size="2"),
            spacing="4",
            margin_top="5",
        ),
    )
