"""The Polls tab: hosts prepare, open, close and delete polls; attendees vote and see bars.

A single-choice poll is one click on an option; a multiple-choice one is checkboxes and a
"Vote" button. Results show as bars with percent and counts once the viewer voted or the
poll closed (hosts always), and only when the poll shows them to this viewer: the counts of
a hosts-only poll never reach an attendee's tab in the first place.
"""

from __future__ import annotations

import reflex as rx

from webinar_app.components.forms import labelled_radio
from webinar_app.services.engagement.polls import MAX_OPTION, MAX_QUESTION
from webinar_app.state.engagement_polls import PollFormState, PollItem, PollOptionItem, PollsState


def _option_row(index: rx.Var[int], text: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.input(
            name="option-" + index.to_string(),  # type: ignore[operator]
            value=text,
            on_change=lambda value: PollFormState.set_option(index, value),
            placeholder="Option " + (index + 1).to_string(),  # type: ignore[operator]
            max_length=MAX_OPTION,
            width="100%",
            class_name="poll-option-input",
            aria_label="Option",
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="gray",
            disabled=~PollFormState.can_remove,
            on_click=PollFormState.remove_option(index),
            class_name="poll-option-remove",
            aria_label="Remove option",
            type="button",
        ),
        width="100%",
        align="center",
    )


def create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("New poll", size="2", weight="bold"),
                rx.input(
                    name="question",
                    id="poll-question",
                    placeholder="Question",
                    max_length=MAX_QUESTION,
                    width="100%",
                    aria_label="Poll question",
                ),
                rx.foreach(PollFormState.options, lambda text, i: _option_row(i, text)),
                rx.button(
                    rx.icon("plus", size=14),
                    "Add option",
                    type="button",
                    size="1",
                    variant="ghost",
                    disabled=~PollFormState.can_add,
                    on_click=PollFormState.add_option,
                    id="poll-add-option",
                ),
                rx.hstack(
                    rx.radio_group.root(
                        rx.hstack(
                            labelled_radio("single", "Single choice", id="poll-single"),
                            labelled_radio("multiple", "Multiple choice", id="poll-multiple"),
                            align="center",
                            spacing="2",
                        ),
                        value=rx.cond(PollFormState.multiple, "multiple", "single"),
                        on_change=PollFormState.set_multiple,
                        size="1",
                    ),
                    rx.spacer(),
                    rx.select.root(
                        rx.select.trigger(id="poll-visibility", aria_label="Who sees the results"),
                        rx.select.content(
                            rx.select.item("Results: everyone", value="everyone"),
                            rx.select.item("Results: hosts only", value="hosts"),
                        ),
                        value=PollFormState.visibility,
                        on_change=PollFormState.set_visibility,
                        size="1",
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                rx.button(
                    "Create draft", type="submit", size="2", loading=PollFormState.creating, id="poll-create"
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=PollFormState.create,
            reset_on_submit=False,
        ),
        width="100%",
        id="poll-form",
    )


def _host_controls(p: PollItem) -> rx.Component:
    return rx.hstack(
        rx.cond(
            p.status == "open",
            rx.button(
                "Close",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=PollsState.close_poll(p.id),
                class_name="poll-close",
            ),
            rx.button("Open", size="1", on_click=PollsState.open_poll(p.id), class_name="poll-open"),
        ),
        rx.button(
            rx.icon("trash_2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=PollsState.delete_poll(p.id),
            class_name="poll-delete",
            aria_label="Delete poll",
        ),
        spacing="2",
        align="center",
    )


def _result_row(o: PollOptionItem) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(o.text, size="2"),
            rx.spacer(),
            rx.text(
                o.percent, "% · ", o.votes, size="1", color_scheme="gray", class_name="poll-result-figures"
            ),
            width="100%",
        ),
        rx.progress(value=o.percent, max=100, size="2"),
        spacing="1",
        width="100%",
        class_name="poll-result",
        custom_attrs={"data-option-id": o.id, "data-votes": o.votes, "data-percent": o.percent},
    )


def _results(p: PollItem) -> rx.Component:
    return rx.vstack(
        rx.foreach(p.options, _result_row),
        rx.text(
            p.total_votes,
            rx.cond(p.total_votes == 1, " vote", " votes"),
            size="1",
            color_scheme="gray",
            class_name="poll-total",
        ),
        spacing="2",
        width="100%",
        class_name="poll-results",
        custom_attrs={"data-total": p.total_votes},
    )


def _ballot(p: PollItem) -> rx.Component:
    return rx.cond(
        p.multiple,
        rx.form(
            rx.vstack(
                rx.foreach(
                    p.options,
                    lambda o: rx.checkbox(
                        o.text,
                        name="choice-" + o.id.to_string(),
                        class_name="poll-choice",  # type: ignore[attr-defined]
                    ),
                ),
                rx.button(
                    "Vote",
                    type="submit",
                    size="1",
                    loading=PollsState.voting == p.id,
                    class_name="poll-submit",
                ),
                spacing="2",
                align="start",
            ),
            on_submit=lambda data: PollsState.vote_form(p.id, data),
            reset_on_submit=False,
        ),
        rx.vstack(
            rx.foreach(
                p.options,
                lambda o: rx.button(
                    o.text,
                    variant="outline",
                    width="100%",
                    justify="start",
                    loading=PollsState.voting == p.id,
                    on_click=PollsState.vote(p.id, [o.id]),
                    class_name="poll-vote",
                    custom_attrs={"data-option-id": o.id},
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def poll_card(p: PollItem) -> rx.Component:
    can_vote = (p.status == "open") & ~p.voted
    sees_results = p.show_results & (p.voted | (p.status != "open") | PollsState.is_host)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(p.question, size="3", weight="bold", class_name="poll-question"),
                rx.spacer(),
                rx.badge(
                    p.status,
                    color_scheme=rx.match(p.status, ("open", "green"), ("closed", "red"), "gray"),
                    class_name="poll-status",
                ),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.cond(
                    p.multiple,
                    rx.text("Multiple choice", size="1", color_scheme="gray"),
                    rx.text("Single choice", size="1", color_scheme="gray"),
                ),
                rx.cond(
                    p.results_visibility == "hosts",
                    rx.text("· results for hosts only", size="1", color_scheme="gray"),
                ),
                rx.spacer(),
                rx.cond(PollsState.is_host, _host_controls(p)),
                align="center",
                width="100%",
            ),
            rx.cond(can_vote, _ballot(p)),
            rx.cond(
                p.voted,
                rx.callout(
                    "Thanks for voting!",
                    icon="circle_check",
                    color_scheme="green",
                    size="1",
                    width="100%",
                    class_name="poll-thanks",
                ),
            ),
            rx.cond(
                sees_results,
                _results(p),
                rx.cond(
                    p.voted & ~p.show_results,
                    rx.text("The results are shown to the hosts only.", size="1", color_scheme="gray"),
                ),
            ),
            rx.cond(
                (p.status == "closed") & ~p.voted & ~p.show_results,
                rx.text("This poll is closed.", size="1", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="poll-item",
        custom_attrs={"data-poll-id": p.id, "data-status": p.status},
    )


def polls_panel() -> rx.Component:
    return rx.vstack(
        rx.cond(
            PollsState.loaded,
            rx.cond(
                PollsState.allowed,
                rx.vstack(
                    rx.cond(PollsState.is_host, create_form()),
                    rx.cond(
                        PollsState.polls.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.foreach(PollsState.polls, poll_card), spacing="3", width="100%", id="poll-list"
                        ),
                        rx.text(
                            rx.cond(
                                PollsState.is_host, "No polls yet: prepare one above.", "No polls right now."
                            ),
                            size="2",
                            color_scheme="gray",
                            id="polls-empty",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(PollsState.error, icon="ban", color_scheme="red", width="100%", id="polls-error"),
            ),
            rx.center(rx.spinner(), padding="6", width="100%"),
        ),
        width="100%",
        id="polls-panel",
    )
