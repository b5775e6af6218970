"""The Q&A tab: the ask box (anonymous option, counter) and the questions sorted by votes.

Question text and names are text nodes (`rx.text`), never HTML. The host menu is drawn for
hosts only; the service refuses it for anyone else anyway. Hidden questions reach hosts'
tabs only, shown greyed.
"""

from __future__ import annotations

import reflex as rx

from webinar_app.state.chat import ChatState
from webinar_app.state.engagement_questions import MAX_LENGTH, QuestionItem, QuestionsState

Action = tuple[str, str, str]  # icon, label, moderate() action (also the item's class suffix)


def _menu_item(q: QuestionItem, action: Action) -> rx.Component:
    icon, label, name = action
    return rx.menu.item(
        rx.icon(icon, size=14),
        label,
        on_click=QuestionsState.moderate(q.id, name),
        class_name=f"question-{name}",
    )


def _toggle(q: QuestionItem, flag: rx.Var, undo: Action, do: Action) -> rx.Component:
    """A host action that flips a flag: the item undoing it when set, doing it otherwise."""
    return rx.cond(flag, _menu_item(q, undo), _menu_item(q, do))


UNANSWER, ANSWER = ("undo_2", "Mark not answered", "unanswer"), ("check", "Mark answered", "answer")
UNPIN, PIN = ("pin_off", "Unpin", "unpin"), ("pin", "Pin", "pin")
UNHIDE, HIDE = ("eye", "Unhide", "unhide"), ("eye_off", "Hide from attendees", "hide")


def _host_menu(q: QuestionItem) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                class_name="question-mod-menu",
                aria_label="Moderate question",
            ),
        ),
        rx.menu.content(
            _toggle(q, q.answered, UNANSWER, ANSWER),
            _toggle(q, q.pinned, UNPIN, PIN),
            _toggle(q, q.hidden, UNHIDE, HIDE),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("trash_2", size=14),
                "Delete",
                color_scheme="red",
                on_click=QuestionsState.delete_question(q.id),
                class_name="question-delete",
            ),
        ),
    )


def question_item(q: QuestionItem) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("arrow_big_up", size=16),
            rx.text(q.votes, class_name="question-votes"),
            size="1",
            variant=rx.cond(q.voted, "solid", "soft"),
            # Askers cannot upvote their own question (the service refuses it too).
            disabled=q.mine,
            on_click=QuestionsState.toggle_vote(q.id),
            class_name="question-upvote",
            aria_label="Upvote",
            aria_pressed=rx.cond(q.voted, "true", "false"),
            custom_attrs={"data-voted": rx.cond(q.voted, "true", "false")},
            flex_direction="column",
            height="auto",
            padding_y="1",
            gap="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(q.author_name, size="2", weight="bold", class_name="question-author"),
                # Hosts and the asker see the name, and that others do not.
                rx.cond(
                    q.anonymous & (q.author_name != "Anonymous"),
                    rx.badge(
                        "asked anonymously", color_scheme="gray", size="1", class_name="question-anon-badge"
                    ),
                ),
                rx.cond(
                    q.pinned,
                    rx.badge(
                        rx.icon("pin", size=12),
                        "Pinned",
                        color_scheme="indigo",
                        size="1",
                        class_name="question-pinned",
                    ),
                ),
                rx.cond(
                    q.answered,
                    rx.badge(
                        rx.icon("check", size=12),
                        "Answered",
                        color_scheme="green",
                        size="1",
                        class_name="question-answered",
                    ),
                ),
                rx.cond(
                    q.hidden, rx.badge("Hidden", color_scheme="gray", size="1", class_name="question-hidden")
                ),
                rx.spacer(),
                rx.cond(
                    QuestionsState.is_host,
                    _host_menu(q),
                    rx.cond(
                        q.mine,
                        rx.icon_button(
                            rx.icon("x", size=12),
                            size="1",
                            variant="ghost",
                            color_scheme="gray",
                            on_click=QuestionsState.delete_question(q.id),
                            class_name="question-withdraw",
                            aria_label="Withdraw my question",
                        ),
                    ),
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            # Plain text: no HTML is ever built from a question.
            rx.text(
                q.text, size="2", white_space="pre-wrap", word_break="break-word", class_name="question-text"
            ),
            spacing="1",
            width="100%",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding="2",
        border_radius="8px",
        background_color=rx.cond(q.pinned, rx.color("indigo", 2), "transparent"),
        opacity=rx.cond(q.hidden, "0.5", "1"),
        class_name="question-item",
        custom_attrs={"data-question-id": q.id, "data-hidden": rx.cond(q.hidden, "true", "false")},
    )


def ask_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(
                name="text",
                id="question-input",
                placeholder=rx.cond(
                    ChatState.is_open,
                    "Ask the speaker a question…",
                    "Questions open when the webinar goes live",
                ),
                max_length=MAX_LENGTH,
                value=QuestionsState.draft,
                on_change=QuestionsState.set_draft.debounce(150),  # type: ignore[attr-defined]
                rows="2",
                width="100%",
                aria_label="Your question",
            ),
            rx.hstack(
                rx.checkbox("Ask anonymously", name="anonymous", id="question-anonymous", size="1"),
                rx.spacer(),
                rx.text(
                    QuestionsState.draft.length().to_string(),  # type: ignore[attr-defined]
                    f" / {MAX_LENGTH}",
                    size="1",
                    color_scheme="gray",
                    id="question-counter",
                ),
                rx.button(
                    "Ask", type="submit", size="1", loading=QuestionsState.asking, id="question-submit"
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=QuestionsState.ask,
        reset_on_submit=False,
        width="100%",
    )


def questions_panel() -> rx.Component:
    return rx.vstack(
        rx.cond(
            QuestionsState.loaded,
            rx.cond(
                QuestionsState.allowed,
                rx.vstack(
                    ask_form(),
                    rx.scroll_area(
                        rx.cond(
                            QuestionsState.question_count > 0,
                            rx.vstack(
                                rx.foreach(QuestionsState.questions, question_item), spacing="1", width="100%"
                            ),
                            rx.text(
                                "No questions yet: be the first to ask.",
                                size="2",
                                color_scheme="gray",
                                id="questions-empty",
                            ),
                        ),
                        id="question-list",
                        type="auto",
                        scrollbars="vertical",
                        height=rx.breakpoints(initial="40vh", md="52vh"),  # type: ignore[arg-type]
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(
                    QuestionsState.error, icon="ban", color_scheme="red", width="100%", id="questions-error"
                ),
            ),
            rx.center(rx.spinner(), padding="6", width="100%"),
        ),
        width="100%",
        id="questions-panel",
    )
