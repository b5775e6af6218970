"""The live-room chat panel: messages as plain text, the input with its counter, moderation.

Every message body goes through `rx.text` (a text node), never through HTML, so whatever
someone types is shown as typed. Moderation controls are only drawn for hosts; the services
refuse them for anyone else anyway.
"""

from __future__ import annotations

import reflex as rx

from webinar_app.services.chat import MAX_LENGTH
from webinar_app.state.chat import ChatState
from webinar_app.state.chat_feed import SLOTS, ChatFeedState, ChatItem, slot_var

SLOW_MODE_CHOICES = [
    ("0", "Off"),
    ("5", "5 s"),
    ("10", "10 s"),
    ("30", "30 s"),
    ("60", "1 min"),
    ("300", "5 min"),
]


def _moderator_menu(item: ChatItem) -> rx.Component:
    restrictable = (item.user_id != ChatState.me) & (item.role != "admin")
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                class_name="chat-mod-menu",
                aria_label="Moderate message",
            ),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("trash_2", size=14),
                "Delete message",
                on_click=ChatState.delete_message(item.id),
                color_scheme="red",
                class_name="chat-mod-delete",
            ),
            rx.cond(
                restrictable,
                rx.fragment(
                    rx.menu.item(
                        rx.icon("mic_off", size=14),
                        "Mute 15 minutes",
                        on_click=ChatState.mute_user(item.user_id),
                        class_name="chat-mod-mute",
                    ),
                    rx.menu.item(
                        rx.icon("ban", size=14),
                        "Ban from chat",
                        on_click=ChatState.ban_user(item.user_id),
                        color_scheme="red",
                        class_name="chat-mod-ban",
                    ),
                ),
            ),
        ),
    )


def chat_message(item: ChatItem) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                item.name,
                size="2",
                weight="bold",
                color=rx.cond(item.role == "admin", rx.color("indigo", 11), rx.color("gray", 12)),
            ),
            rx.moment(item.created_at, format="HH:mm", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(ChatState.can_moderate, _moderator_menu(item)),
            align="center",
            spacing="2",
            width="100%",
        ),
        # Plain text: no HTML is ever built from a message.
        rx.text(item.text, size="2", white_space="pre-wrap", word_break="break-word", class_name="chat-text"),
        padding_y="1",
        width="100%",
        class_name="chat-message",
        custom_attrs={"data-message-id": item.id, "data-author": item.username},
    )


def slow_mode_select() -> rx.Component:
    return rx.hstack(
        rx.icon("timer", size=14),
        rx.text("Slow mode", size="1"),
        rx.select.root(
            rx.select.trigger(id="slow-mode-select", aria_label="Slow mode"),
            rx.select.content(
                *[rx.select.item(label, value=value) for value, label in SLOW_MODE_CHOICES],
            ),
            value=ChatState.slow_mode_seconds.to_string(),  # type: ignore[attr-defined]
            on_change=ChatState.set_slow_mode,
            size="1",
        ),
        align="center",
        spacing="2",
    )


def chat_input() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="message",
                id="chat-input",
                placeholder=rx.cond(ChatState.is_open, "Say something…", "Chat is closed"),
                max_length=MAX_LENGTH,
                value=ChatState.draft,
                on_change=ChatState.set_draft.debounce(150),  # type: ignore[attr-defined]
                auto_complete="off",
                width="100%",
                aria_label="Chat message",
            ),
            rx.icon_button(
                rx.icon("send_horizontal", size=16),
                type="submit",
                loading=ChatState.sending,
                id="chat-send",
                aria_label="Send",
            ),
            width="100%",
            spacing="2",
        ),
        rx.hstack(
            rx.cond(
                ChatState.slow_mode_seconds > 0,
                rx.text(
                    "Slow mode: one message every ",
                    ChatState.slow_mode_seconds,
                    " s",
                    size="1",
                    color_scheme="gray",
                    id="slow-mode-note",
                ),
            ),
            rx.spacer(),
            rx.text(
                ChatState.draft.length().to_string(),  # type: ignore[attr-defined]
                f" / {MAX_LENGTH}",
                size="1",
                color_scheme="gray",
                id="chat-counter",
            ),
            width="100%",
        ),
        on_submit=ChatState.send,
        reset_on_submit=False,
        width="100%",
    )


def message_blocks() -> rx.Component:
    """The room's messages in their blocks, oldest first (see `state/chat_feed`)."""
    return rx.flex(
        *(
            rx.flex(
                rx.foreach(slot_var(k), chat_message),
                direction="column",
                order=ChatFeedState.order[k],
                width="100%",
            )
            for k in range(SLOTS)
        ),
        direction="column",
        width="100%",
    )


def chat_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("messages_square", size=18),
                rx.heading("Chat", size="4", as_="h2"),
                rx.badge(ChatFeedState.count, variant="soft", id="chat-count"),
                rx.spacer(),
                rx.cond(ChatState.can_moderate, slow_mode_select()),
                align="center",
                width="100%",
            ),
            rx.cond(
                ChatState.allowed,
                rx.fragment(
                    rx.cond(
                        ~ChatState.is_open,
                        rx.callout(
                            "The chat opens when the webinar goes live; history stays readable.",
                            icon="lock",
                            color_scheme="gray",
                            size="1",
                            width="100%",
                            id="chat-closed",
                        ),
                    ),
                    rx.cond(
                        ChatState.muted,
                        rx.callout(
                            "You are muted in this chat for now.",
                            icon="mic_off",
                            color_scheme="amber",
                            size="1",
                            width="100%",
                            id="chat-muted",
                        ),
                    ),
                    rx.auto_scroll(
                        rx.cond(
                            ChatFeedState.count > 0,
                            message_blocks(),
                            rx.text("No messages yet.", size="2", color_scheme="gray", id="chat-empty"),
                        ),
                        id="chat-messages",
                        height=rx.breakpoints(initial="45vh", md="60vh"),  # type: ignore[arg-type]
                        width="100%",
                        padding_x="2",
                    ),
                    chat_input(),
                ),
                rx.callout(ChatState.error, icon="ban", color_scheme="red", width="100%", id="chat-error"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="chat-panel",
    )
