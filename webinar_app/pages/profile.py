"""Profile: names and email, the avatar (upload with preview and progress), password change,
email settings (a switch per kind, the time zone mails use)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var
from reflex_components_core.core.upload import get_upload_files_context_var_data

from webinar_app import routes
from webinar_app.components.forms import submit_button, text_field
from webinar_app.components.layout import template
from webinar_app.components.privacy import privacy_card
from webinar_app.services.email.preferences import KINDS
from webinar_app.state.auth import AuthState
from webinar_app.state.profile import AVATAR_UPLOAD_ID, ProfileState

AVATAR_ACCEPT = {
    "image/png": [".png"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/webp": [".webp"],
    "image/gif": [".gif"],
}


def selected_image_preview(upload_id: str) -> Var[str]:
    """An object URL of the first chosen file, so the user sees the picture before uploading.

    Reflex exposes only the chosen file *names* (`rx.selected_files`); this reads the same
    upload context and hands the File to `URL.createObjectURL`, entirely in the browser.
    """
    files = f'filesById["{upload_id}"]'
    return Var(
        _js_expr=f'({files} && {files}.length ? URL.createObjectURL({files}[0]) : "")',
        _var_type=str,
        _var_data=get_upload_files_context_var_data(),
    )


def _error(name: str) -> Var[str]:
    return ProfileState.field_errors.get(name, "")  # type: ignore[return-value]


def _pw_error(name: str) -> Var[str]:
    return ProfileState.password_errors.get(name, "")  # type: ignore[return-value]


def details_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your details", size="4", as_="h2"),
                rx.text("Username: ", rx.code(ProfileState.username), size="2", color_scheme="gray"),
                rx.hstack(
                    text_field(
                        "First name",
                        "first_name",
                        input_id="profile-first-name",
                        error=_error("first_name"),
                        value=ProfileState.first_name,
                        on_change=ProfileState.set_first_name,
                    ),
                    text_field(
                        "Last name",
                        "last_name",
                        input_id="profile-last-name",
                        error=_error("last_name"),
                        value=ProfileState.last_name,
                        on_change=ProfileState.set_last_name,
                    ),
                    spacing="3",
                    width="100%",
                ),
                text_field(
                    "Email",
                    "email",
                    type="email",
                    input_id="profile-email",
                    error=_error("email"),
                    value=ProfileState.email,
                    on_change=ProfileState.set_email,
                ),
                submit_button(
                    "Save changes", loading=ProfileState.saving, button_id="profile-save", width="auto"
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=ProfileState.save_profile,
            id="profile-form",
        ),
        width="100%",
    )


def avatar_card() -> rx.Component:
    preview = selected_image_preview(AVATAR_UPLOAD_ID)
    chosen = rx.selected_files(AVATAR_UPLOAD_ID)
    return rx.card(
        rx.vstack(
            rx.heading("Profile picture", size="4", as_="h2"),
            rx.hstack(
                rx.vstack(
                    rx.avatar(
                        src=AuthState.avatar_url,
                        fallback=AuthState.initials,
                        size="7",
                        radius="full",
                        id="profile-avatar",
                    ),
                    rx.text("Current", size="1", color_scheme="gray"),
                    align="center",
                ),
                rx.cond(
                    chosen.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(
                        rx.image(
                            src=preview,
                            alt="Preview of the chosen picture",
                            width="96px",
                            height="96px",
                            object_fit="cover",
                            border_radius="50%",
                            id="avatar-preview",
                        ),
                        rx.text("Preview", size="1", color_scheme="gray"),
                        align="center",
                    ),
                ),
                spacing="6",
                align="center",
            ),
            rx.upload.root(
                rx.vstack(
                    rx.icon("image_up", size=28),
                    rx.text("Drop an image here or click to choose (PNG, JPEG, WebP; max 5 MB)", size="2"),
                    rx.foreach(chosen, lambda name: rx.text(name, size="1", color_scheme="gray")),
                    align="center",
                    spacing="2",
                ),
                id=AVATAR_UPLOAD_ID,
                accept=AVATAR_ACCEPT,
                max_files=1,
                multiple=False,
                max_size=5 * 1024 * 1024,
                border=f"1px dashed {rx.color('gray', 7)}",
                border_radius="8px",
                padding="5",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                ProfileState.uploading,
                rx.progress(value=ProfileState.upload_progress, max=100, width="100%", id="avatar-progress"),
            ),
            rx.cond(
                ProfileState.avatar_error != "",
                rx.text(
                    ProfileState.avatar_error, color_scheme="red", size="2", role="alert", id="avatar-error"
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("upload", size=16),
                    "Upload picture",
                    id="avatar-upload-button",
                    loading=ProfileState.uploading,
                    disabled=chosen.length() == 0,  # type: ignore[attr-defined]
                    on_click=ProfileState.upload_avatar(
                        rx.upload_files(
                            upload_id=AVATAR_UPLOAD_ID, on_upload_progress=ProfileState.upload_progressed
                        )
                    ),
                ),
                rx.button(
                    "Clear",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    on_click=rx.clear_selected_files(AVATAR_UPLOAD_ID),
                ),
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def password_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4", as_="h2"),
                text_field(
                    "Current password",
                    "old_password",
                    type="password",
                    error=_pw_error("old_password"),
                    auto_complete="current-password",
                    required=True,
                ),
                text_field(
                    "New password",
                    "new_password",
                    type="password",
                    error=_pw_error("new_password"),
                    auto_complete="new-password",
                    required=True,
                ),
                text_field(
                    "Confirm new password",
                    "new_password_confirm",
                    type="password",
                    error=_pw_error("new_password_confirm"),
                    auto_complete="new-password",
                    required=True,
                ),
                submit_button(
                    "Change password",
                    loading=ProfileState.changing_password,
                    button_id="password-submit",
                    width="auto",
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=ProfileState.change_password,
            id="password-form",
        ),
        width="100%",
    )


def email_card() -> rx.Component:
    rows = [
        rx.hstack(
            rx.vstack(
                rx.text(info.label, weight="medium", size="2"),
                rx.text(info.description, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            ),
            rx.spacer(),
            rx.switch(
                checked=ProfileState.email_prefs.get(info.kind, info.default),
                on_change=lambda checked, kind=info.kind: ProfileState.toggle_email(kind, checked),
                id=f"email-pref-{info.kind}",
                aria_label=f"{info.label} emails",
            ),
            width="100%",
            align="center",
        )
        for info in KINDS
    ]
    return rx.card(
        rx.vstack(
            rx.heading("Email", size="4", as_="h2"),
            rx.text(
                "Verification codes and password resets are always sent.", size="2", color_scheme="gray"
            ),
            *rows,
            rx.hstack(
                rx.text("Time zone for emails", size="2", weight="medium"),
                rx.select(
                    ProfileState.zone_choices,
                    value=ProfileState.timezone,
                    on_change=ProfileState.choose_timezone,
                    id="profile-timezone",
                    # the text beside it is not a <label>: name the combobox itself
                    custom_attrs={"aria-label": "Time zone for emails"},
                ),
                spacing="3",
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="email-settings",
    )


@rx.page(route=routes.PROFILE, title="Your profile · Webinars", on_load=ProfileState.load)
def profile_page() -> rx.Component:
    return template(
        rx.cond(
            ProfileState.loaded & AuthState.signed_in,
            rx.vstack(
                rx.heading("Your profile", size="7", as_="h1"),
                details_card(),
                avatar_card(),
                password_card(),
                email_card(),
                privacy_card(),
                spacing="5",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        )
    )
