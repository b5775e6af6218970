"""The inbox: conversation list beside the open thread (one pane at a time on phones),
starting a conversation by username search, replies; new messages arrive live."""

from __future__ import annotations

import reflex as rx

from webinar_app import routes
from webinar_app.components.layout import template
from webinar_app.services.inbox import CONTENT_MAX
from webinar_app.state.auth import AuthState
from webinar_app.state.inbox import ConversationRow, InboxState, ThreadMessage, UserPick


def conversation_item(row: ConversationRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.avatar(fallback=row.title[:2], size="2", radius="full"),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        row.title, weight=rx.cond(row.unread > 0, "bold", "medium"), size="2", trim="both"
                    ),
                    rx.spacer(),
                    rx.cond(
                        row.unread > 0,
                        rx.badge(
                            row.unread, color_scheme="red", radius="full", class_name="conversation-unread"
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(row.webinar_title != "", rx.text(row.webinar_title, size="1", color_scheme="indigo")),
                rx.text(
                    rx.cond(row.preview_sender != "", row.preview_sender + ": ", ""),
                    row.preview,
                    size="1",
                    color_scheme="gray",
                    trim="both",
                    class_name="conversation-preview",
                    style={"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"},
                    max_width="240px",
                ),
                spacing="1",
                align="start",
                width="100%",
            ),
            align="center",
            width="100%",
        ),
        on_click=InboxState.open_conversation(row.id),
        padding="2",
        border_radius="8px",
        cursor="pointer",
        background_color=rx.cond(InboxState.selected == row.id, rx.color("indigo", 3), "transparent"),
        _hover={"background_color": rx.color("gray", 3)},
        class_name="conversation-item",
        custom_attrs={"data-conversation-id": row.id},
        width="100%",
    )


def conversation_list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Inbox", size="6", as_="h1"),
            rx.cond(InboxState.unread_total > 0, rx.badge(InboxState.unread_total, color_scheme="red")),
            rx.spacer(),
            rx.button(
                rx.icon("pen_line", size=14),
                "New",
                size="2",
                on_click=InboxState.start_compose,
                id="inbox-new",
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            InboxState.conversations.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(InboxState.conversations, conversation_item),
                spacing="1",
                width="100%",
                id="conversation-list",
            ),
            rx.text("No conversations yet.", size="2", color_scheme="gray", id="inbox-empty"),
        ),
        width="100%",
        spacing="3",
    )


def thread_message(item: ThreadMessage) -> rx.Component:
    return rx.flex(
        rx.box(
            rx.text(item.sender, size="1", weight="bold", color_scheme="gray"),
            rx.text(
                item.content,
                size="2",
                white_space="pre-wrap",
                word_break="break-word",
                class_name="thread-text",
            ),
            rx.moment(item.created_at, format="MMM D, HH:mm", size="1", color_scheme="gray"),
            padding="2",
            border_radius="10px",
            max_width="80%",
            background_color=rx.cond(item.mine, rx.color("indigo", 4), rx.color("gray", 3)),
        ),
        justify=rx.cond(item.mine, "end", "start"),
        width="100%",
        class_name="thread-message",
    )


def thread_view() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon_button(
                rx.icon("arrow_left", size=16),
                variant="ghost",
                on_click=InboxState.close_conversation,
                aria_label="Back to conversations",
                display=rx.breakpoints(initial="flex", md="none"),
            ),
            rx.heading(InboxState.selected_title, size="4", as_="h2", id="thread-title"),
            align="center",
        ),
        rx.auto_scroll(
            rx.vstack(rx.foreach(InboxState.thread, thread_message), spacing="2", width="100%"),
            id="thread-messages",
            height="55vh",
            width="100%",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    id="inbox-reply",
                    name="content",
                    placeholder="Write a reply…",
                    max_length=CONTENT_MAX,
                    width="100%",
                    auto_complete="off",
                    aria_label="Reply",
                ),
                rx.button("Send", type="submit", loading=InboxState.sending, id="inbox-reply-send"),
                width="100%",
            ),
            on_submit=InboxState.send_reply,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def _result(user: UserPick) -> rx.Component:
    return rx.button(
        rx.text(user.name),
        rx.text("@", user.username, color_scheme="gray", size="1"),
        variant="soft",
        color_scheme="gray",
        size="1",
        on_click=InboxState.pick(user.id),
        class_name="recipient-result",
    )


def _picked(user: UserPick) -> rx.Component:
    return rx.badge(
        user.name,
        rx.icon("x", size=12, on_click=InboxState.unpick(user.id), cursor="pointer"),
        size="2",
        class_name="recipient-picked",
    )


def compose_view() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("New conversation", size="4", as_="h2"),
            rx.spacer(),
            rx.button("Cancel", variant="ghost", on_click=InboxState.cancel_compose),
            width="100%",
        ),
        rx.hstack(
            rx.text("To:", size="2"), rx.foreach(InboxState.picked, _picked), wrap="wrap", align="center"
        ),
        rx.input(
            id="inbox-search",
            placeholder="Search people by username or name",
            on_change=InboxState.search_users.debounce(250),  # type: ignore[attr-defined]
            width="100%",
            auto_complete="off",
            aria_label="Search recipients",
        ),
        rx.flex(rx.foreach(InboxState.search_results, _result), gap="2", wrap="wrap", id="recipient-results"),
        rx.form(
            rx.vstack(
                rx.text_area(
                    id="inbox-first-message",
                    name="content",
                    placeholder="Your message",
                    max_length=CONTENT_MAX,
                    rows="4",
                    width="100%",
                ),
                rx.button(
                    "Send",
                    type="submit",
                    loading=InboxState.sending,
                    id="inbox-start-send",
                    disabled=InboxState.picked.length() == 0,
                ),  # type: ignore[attr-defined]
                width="100%",
                align="end",
            ),
            on_submit=InboxState.start_conversation,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def detail_pane() -> rx.Component:
    return rx.cond(
        InboxState.composing,
        compose_view(),
        rx.cond(
            InboxState.selected > 0,
            thread_view(),
            rx.center(
                rx.text("Pick a conversation or start a new one.", color_scheme="gray"),
                padding="9",
                width="100%",
            ),
        ),
    )


@rx.page(route=routes.INBOX, title="Inbox · Webinars", on_load=[AuthState.sync_session, InboxState.load])
def inbox_page() -> rx.Component:
    narrow_hidden = rx.breakpoints(initial="none", md="block")
    return template(
        rx.cond(
            InboxState.loaded,
            rx.grid(
                rx.card(
                    conversation_list(),
                    width="100%",
                    display=rx.cond((InboxState.selected > 0) | InboxState.composing, narrow_hidden, "block"),
                ),
                rx.card(
                    detail_pane(),
                    width="100%",
                    display=rx.cond((InboxState.selected > 0) | InboxState.composing, "block", narrow_hidden),
                ),
                columns=rx.breakpoints(initial="1", md="1fr 2fr"),  # type: ignore[arg-type]
                spacing="4",
                width="100%",
                align_items="start",
            ),
            rx.center(rx.spinner(size="3"), padding="9"),
        ),
    )
