"""Accessible form pieces: every input has a label, a stable id for tests, and an inline error.

Field errors come from `Invalid.errors` via a state's `field_errors` dict var.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var


def field_error(error: Var[str] | str, input_id: str) -> rx.Component:
    return rx.cond(
        error != "",
        rx.text(error, id=f"{input_id}-error", role="alert", color_scheme="red", size="1"),
    )


def labelled_radio(value: str, label: str, **item_props: Any) -> rx.Component:
    """A radio item inside a `<label>` with its text: a Radix radio is a `<button>` with no
    text of its own, so without the label a screen reader announces an unnamed radio."""
    return rx.text(
        rx.flex(rx.radio_group.item(value=value, **item_props), label, gap="2", align="center"),
        as_="label",
        size="2",
    )


def text_field(
    label: str,
    name: str,
    *,
    input_id: str | None = None,
    error: Var[str] | str = "",
    type: str = "text",
    **input_props: Any,
) -> rx.Component:
    """Label + input + error line. `name` is the key in the submitted form data."""
    input_id = input_id or name.replace("_", "-")
    return rx.vstack(
        rx.el.label(rx.text.span(label, size="2", weight="medium"), html_for=input_id),
        rx.input(
            id=input_id,
            name=name,
            type=type,
            width="100%",
            size="3",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{input_id}-error",
            **input_props,
        ),
        field_error(error, input_id),
        spacing="1",
        width="100%",
        align="stretch",
    )


def submit_button(label: str, *, loading: Var[bool] | bool, button_id: str, **props: Any) -> rx.Component:
    """A submit button that shows a spinner and blocks double submits while busy."""
    return rx.button(
        label,
        type="submit",
        id=button_id,
        loading=loading,
        disabled=loading,
        **{"size": "3", "width": "100%", **props},
    )


def form_error(error: Var[str] | str, error_id: str = "form-error") -> rx.Component:
    """A form-level message (wrong credentials, server trouble)."""
    return rx.cond(
        error != "",
        rx.callout(error, icon="triangle_alert", color_scheme="red", role="alert", id=error_id, width="100%"),
    )


def card_form(title: str, subtitle: str | rx.Component, *children: rx.Component) -> rx.Component:
    """The narrow centred card the account pages share."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6", as_="h1"),
                rx.text(subtitle, color_scheme="gray", size="2") if isinstance(subtitle, str) else subtitle,
                *children,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="28em",
        ),
        width="100%",
        padding_y="6",
    )
