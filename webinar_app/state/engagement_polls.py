"""The live room's polls: hosts prepare, open and close them; attendees vote once and see
the results as bars when the poll shows them to everyone.

Interface (a benchmark drives this state over the websocket, keep these stable):

- var `polls: list[PollItem]`, each with `id`, `question`, `status` ("draft" / "open" /
  "closed"), `multiple`, `results_visibility`, `options` (each `id`, `text`, `votes`,
  `percent`), `total_votes` (int, ballots cast; 0 while hidden), `voted`, `my_choices`
  (option ids) and `show_results`;
- handler `vote(poll_id: int, option_ids: list[int])`: one ballot (one option for a
  single-choice poll), refused by the service when the poll is not open or already voted.

Pushed events (`polls:<id>`, plus `room-hosts:<id>` for hosts' tabs) are applied in place:
`poll_changed` carries the host view of one poll, which this tab redacts for an attendee
(drafts dropped, counts hidden when results are for hosts only) while keeping its own
`voted` / `my_choices`; `poll_results` updates one poll's counts; `poll_deleted` removes one.
`_host` is a backend-only var (set from the token at load) used for that redaction only.

The host's create form lives in `PollFormState`, so a keystroke there never loads the list.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.realtime import Event
from webinar_app.services.engagement import access, polls
from webinar_app.services.errors import DomainError, Invalid
from webinar_app.services.webinars import is_host
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.engagement_common import RoomTopics, as_int, in_thread, room_id
from webinar_app.state.forms import message_of


@dataclasses.dataclass
class PollOptionItem:
    id: int
    text: str
    votes: int = 0
    percent: int = 0


@dataclasses.dataclass
class PollItem:
    id: int
    question: str
    status: str
    multiple: bool
    results_visibility: str
    options: list[PollOptionItem]
    total_votes: int = 0
    voted: bool = False
    my_choices: list[int] = dataclasses.field(default_factory=list)
    show_results: bool = False


def _percent(votes: int, total: int) -> int:
    """Share of ballots (a multiple-choice poll's options may add up to more than 100)."""
    return round(votes * 100 / total) if total else 0


def item_from(data: dict[str, Any], *, host: bool, mine: list[int] | None = None) -> PollItem:
    """A poll dict (service shape) as this viewer may see it; `mine` overrides its ballot."""
    visible = polls.results_visible(data, host)
    show = visible and data.get("total_votes") is not None
    total = int(data.get("total_votes") or 0) if show else 0
    choices = [int(c) for c in (data.get("my_choices") or [])] if mine is None else list(mine)
    return PollItem(
        id=int(data["id"]),
        question=str(data["question"]),
        status=str(data["status"]),
        multiple=bool(data.get("multiple")),
        results_visibility=str(data.get("results_visibility") or polls.EVERYONE),
        options=[
            PollOptionItem(
                id=int(o["id"]),
                text=str(o["text"]),
                votes=int(o.get("votes") or 0) if show else 0,
                percent=_percent(int(o.get("votes") or 0), total) if show else 0,
            )
            for o in data.get("options") or []
        ],
        total_votes=total,
        voted=bool(choices),
        my_choices=choices,
        show_results=show,
    )


def with_counts(item: PollItem, counts: dict[int, int], total: int) -> PollItem:
    return dataclasses.replace(
        item,
        total_votes=total,
        options=[
            dataclasses.replace(o, votes=counts.get(o.id, 0), percent=_percent(counts.get(o.id, 0), total))
            for o in item.options
        ],
    )


def _option_ids(value: Any) -> list[int] | None:
    items = value if isinstance(value, list) else [value]
    ids = [as_int(v) for v in items]
    return None if any(i is None for i in ids) else ids  # type: ignore[return-value]


class PollsState(RoomTopics, rx.State):
    webinar_id: int = 0
    polls: list[PollItem] = []
    loaded: bool = False
    allowed: bool = False
    error: str = ""
    # For drawing host controls only; the service decides who may run polls.
    is_host: bool = False
    voting: int = 0
    _host: bool = False
    _room: int = 0

    @rx.var
    def open_count(self) -> int:
        return sum(1 for p in self.polls if p.status == polls.OPEN)

    def _topics(self, webinar_id: int, host: bool) -> list[str]:
        return [access.polls_topic(webinar_id)] + ([access.hosts_topic(webinar_id)] if host else [])

    def _room_topics(self, webinar_id: int) -> list[str]:
        return self._topics(webinar_id, self._host)

    @rx.event
    async def open_polls(self) -> Any:
        """Page load: the room's polls as this user may see them; join the polls topic(s)."""
        self.loaded = False
        self._leave()
        webinar_id = room_id(self)
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            if webinar_id is None:
                self.error, self.allowed, self.loaded, self.polls = "Not found.", False, True, []
                return None
            try:
                webinar = access.require_reader(session, user, webinar_id)
                items = polls.list_for(session, user, webinar_id)
            except DomainError as exc:
                self.error, self.allowed, self.loaded, self.polls = message_of(exc), False, True, []
                return None
            host = is_host(user, webinar)
        self.webinar_id, self._host, self.is_host = webinar_id, host, host
        self.polls = [item_from(d, host=host) for d in items]
        self.allowed, self.error, self.loaded = True, "", True
        self._join_room(webinar_id)
        return None

    @rx.event
    def leave_polls(self) -> None:
        self._leave()

    @rx.event(background=True)
    async def vote(self, poll_id: int, option_ids: list[int]) -> Any:
        """Cast this user's ballot; the results come back through the hub (throttled).

        A background event: the ballot is committed outside this tab's state lock, so while
        1,000 votes queue for the database this tab's result pushes are not held up behind
        its own vote (bench/poll_votes.py); the lock is taken only to read the user and to
        mark the poll voted.
        """
        return await self._cast(poll_id, option_ids)

    @rx.event(background=True)
    async def vote_form(self, poll_id: int, form_data: dict[str, Any]) -> Any:
        """A multiple-choice poll's checkboxes (`choice-<option id>` fields) submitted together."""
        ids = [
            int(k.removeprefix("choice-"))
            for k, v in form_data.items()
            if k.startswith("choice-") and k[7:].isdigit() and v not in ("", None, False)
        ]
        if not ids:
            return rx.toast.error("Choose at least one option.")
        return await self._cast(poll_id, ids)

    async def _cast(self, poll_id: Any, option_ids: Any) -> Any:
        pid, ids = as_int(poll_id), _option_ids(option_ids)
        if pid is None or ids is None:
            return rx.toast.error("Invalid request.")
        async with self:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                user_id = user.id or 0
            self.voting = pid
        failure: Any = None
        try:
            answer = await in_thread(
                user_id, lambda s, u: polls.vote(s, u, pid, {"options": ids}, with_total=False)
            )
        except Invalid as exc:
            failure = rx.toast.error(" ".join(next(iter(exc.errors.values()))))
        except DomainError as exc:
            failure = rx.toast.error(message_of(exc))
        async with self:
            self.voting = 0
            if failure is not None:
                return failure
            chosen = [int(i) for i in answer["options"]]
            self.polls = [
                dataclasses.replace(p, voted=True, my_choices=chosen) if p.id == pid else p
                for p in self.polls
            ]
        return rx.toast.success("Thanks for voting")

    @rx.event
    async def open_poll(self, poll_id: Any) -> Any:
        return await self._host_action(
            poll_id, lambda s, u, pid: polls.set_status(s, u, pid, polls.OPEN), "Poll opened"
        )

    @rx.event
    async def close_poll(self, poll_id: Any) -> Any:
        return await self._host_action(
            poll_id, lambda s, u, pid: polls.set_status(s, u, pid, polls.CLOSED), "Poll closed"
        )

    @rx.event
    async def delete_poll(self, poll_id: Any) -> Any:
        return await self._host_action(poll_id, polls.delete, "Poll deleted")

    async def _host_action(self, poll_id: Any, action: Any, done: str) -> Any:
        """Open / close / delete: the user re-checked, the service checks host powers."""
        pid = as_int(poll_id)
        if pid is None:
            return rx.toast.error("Invalid request.")
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        try:
            await in_thread(user_id, lambda s, u: action(s, u, pid))
        except DomainError as exc:
            return rx.toast.error(message_of(exc))
        return rx.toast.success(done)

    # ---------------------------------------------------------------- pushed events

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._listens_to(topic):
            return
        data = event.data
        if event.kind == "poll_changed":
            poll = data["poll"]
            pid = int(poll["id"])
            rest = [p for p in self.polls if p.id != pid]
            if poll.get("status") == polls.DRAFT and not self._host:
                if len(rest) != len(self.polls):
                    self.polls = rest
                return
            before = next((p for p in self.polls if p.id == pid), None)
            item = item_from(poll, host=self._host, mine=before.my_choices if before is not None else [])
            self.polls = sorted([*rest, item], key=lambda p: p.id)
        elif event.kind == "poll_deleted":
            gone = int(data["id"])
            if any(p.id == gone for p in self.polls):
                self.polls = [p for p in self.polls if p.id != gone]
        elif event.kind == "poll_results":
            pid = int(data["poll_id"])
            counts = {int(k): int(v) for k, v in (data.get("counts") or {}).items()}
            total = int(data.get("total") or 0)
            self.polls = [
                with_counts(p, counts, total) if p.id == pid and p.show_results else p for p in self.polls
            ]


class PollFormState(rx.State):
    """The host's "new poll" form: the option rows are drawn from here (2 to 10)."""

    options: list[str] = ["", ""]
    multiple: bool = False
    visibility: str = polls.EVERYONE
    creating: bool = False

    @rx.var
    def can_add(self) -> bool:
        return len(self.options) < polls.MAX_OPTIONS

    @rx.var
    def can_remove(self) -> bool:
        return len(self.options) > polls.MIN_OPTIONS

    @rx.event
    def add_option(self) -> None:
        if len(self.options) < polls.MAX_OPTIONS:
            self.options = [*self.options, ""]

    @rx.event
    def remove_option(self, index: int) -> None:
        i = as_int(index)
        if i is not None and len(self.options) > polls.MIN_OPTIONS and 0 <= i < len(self.options):
            self.options = [o for n, o in enumerate(self.options) if n != i]

    @rx.event
    def set_option(self, index: int, value: Any) -> None:
        i = as_int(index)
        if i is not None and 0 <= i < len(self.options) and isinstance(value, str):
            self.options = [value[: polls.MAX_OPTION] if n == i else o for n, o in enumerate(self.options)]

    @rx.event
    def set_multiple(self, value: Any) -> None:
        self.multiple = value is True or value == "multiple"

    @rx.event
    def set_visibility(self, value: Any) -> None:
        self.visibility = value if value in polls.VISIBILITIES else polls.EVERYONE

    @rx.event
    async def create(self, form_data: dict[str, Any]) -> Any:
        """A draft poll (attendees see it once opened). The service checks host powers."""
        webinar_id = room_id(self)
        if webinar_id is None:
            return rx.toast.error("Not found.")
        data = {
            "event": webinar_id,
            "question": form_data.get("question", ""),
            # The submitted inputs win over the synced copy (a last keystroke may be in flight).
            "options": [
                t
                for i, o in enumerate(self.options)
                if (t := str(form_data.get(f"option-{i}", o) or "").strip())
            ],
            "multiple": self.multiple,
            "results_visibility": self.visibility,
        }
        self.creating = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                user_id = user.id or 0
            try:
                await in_thread(user_id, lambda s, u: polls.create(s, u, data))
            except Invalid as exc:
                return rx.toast.error(" ".join(" ".join(v) for v in exc.errors.values()))
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        finally:
            self.creating = False
        self.options, self.multiple, self.visibility = ["", ""], False, polls.EVERYONE
        return [rx.set_value("poll-question", ""), rx.toast.success("Draft poll created: open it when ready")]
