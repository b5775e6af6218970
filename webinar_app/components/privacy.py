"""The "Your data" card on the profile page."""

from __future__ import annotations

import reflex as rx

from webinar_app.state.privacy import PrivacyState


def privacy_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your data", size="4", as_="h2"),
            rx.text(
                "Download a copy of everything we hold about you, or delete your account. Deleting "
                "removes your name, email and messages; attendance numbers stay, without you in them.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("download", size=16),
                    "Download my data",
                    variant="soft",
                    on_click=PrivacyState.download,
                    id="download-my-data",
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button("Delete account", color_scheme="red", variant="soft", id="delete-account")
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete your account?"),
                        rx.alert_dialog.description(
                            "This cannot be undone. Enter your password to confirm.", size="2"
                        ),
                        rx.form(
                            rx.vstack(
                                rx.el.label("Password", html_for="delete-password"),
                                rx.input(
                                    id="delete-password", name="password", type="password", required=True
                                ),
                                rx.cond(
                                    PrivacyState.delete_error != "",
                                    rx.text(
                                        PrivacyState.delete_error,
                                        color_scheme="red",
                                        size="2",
                                        id="delete-error",
                                    ),
                                ),
                                rx.hstack(
                                    rx.alert_dialog.cancel(
                                        rx.button("Cancel", variant="soft", type="button")
                                    ),
                                    rx.button(
                                        "Delete my account",
                                        color_scheme="red",
                                        type="submit",
                                        id="confirm-delete-account",
                                    ),
                                    justify="end",
                                    width="100%",
                                ),
                                spacing="3",
                            ),
                            on_submit=PrivacyState.delete_account,
                        ),
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            align="start",
        ),
        width="100%",
        id="privacy-settings",
    )
