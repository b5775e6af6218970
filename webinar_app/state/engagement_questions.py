"""The live room's Q&A: questions sorted by votes, asked and upvoted live, moderated by hosts.

A state of its own, joined to `qa:<id>` only, so a burst of upvotes loads and saves this
small state and never the chat's. Pushed events are applied in place:

- `question_changed` carries the full (host) view of one question; this tab redacts it for
  its viewer (hidden questions dropped and anonymous authors blanked unless the viewer hosts
  or asked it), keeps its own `voted` flag, and re-sorts with `questions.sort_key`.
- `question_votes` carries every count of the room (throttled): counts change in place.
- `question_deleted` removes one.

Redaction reads `_host` / `_me`, backend-only vars set from the token at load: a browser
cannot set them, and every handler still re-checks the user and lets the service decide.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from webinar_app.core.db import session_scope
from webinar_app.realtime import Event
from webinar_app.services.engagement import access, questions
from webinar_app.services.errors import Conflict, DomainError, Invalid
from webinar_app.services.webinars import is_host
from webinar_app.state.auth import login_redirect, user_for
from webinar_app.state.engagement_common import RoomTopics, as_int, in_thread, room_id
from webinar_app.state.forms import message_of, typed_draft

MAX_LENGTH = questions.MAX_LENGTH
# Host menu actions -> the flags `questions.moderate` takes.
MODERATION: dict[str, tuple[dict[str, bool], str]] = {
    "answer": ({"answered": True}, "Marked as answered"),
    "unanswer": ({"answered": False}, "Marked as not answered"),
    "pin": ({"pinned": True}, "Pinned"),
    "unpin": ({"pinned": False}, "Unpinned"),
    "hide": ({"hidden": True}, "Hidden from attendees"),
    "unhide": ({"hidden": False}, "Visible again"),
}


@dataclasses.dataclass
class QuestionItem:
    id: int
    text: str
    author_name: str
    anonymous: bool
    votes: int
    voted: bool
    mine: bool
    pinned: bool
    answered: bool
    hidden: bool
    created_at: str


def item_from(data: dict[str, Any], *, voted: bool | None = None) -> QuestionItem:
    return QuestionItem(
        id=int(data["id"]),
        text=str(data["text"]),
        author_name=str(data.get("author_name") or questions.ANONYMOUS),
        anonymous=bool(data.get("anonymous")),
        votes=int(data.get("votes") or 0),
        voted=bool(data.get("voted")) if voted is None else voted,
        mine=bool(data.get("mine")),
        pinned=bool(data.get("pinned")),
        answered=bool(data.get("answered")),
        hidden=bool(data.get("hidden")),
        created_at=str(data.get("created_at") or ""),
    )


def _key(item: QuestionItem) -> tuple[int, int, int, int]:
    return questions.sort_key(dataclasses.asdict(item))


class QuestionsState(RoomTopics, rx.State):
    webinar_id: int = 0
    questions: list[QuestionItem] = []
    loaded: bool = False
    allowed: bool = False
    error: str = ""
    # For drawing the host menu only; the service decides who may moderate.
    is_host: bool = False
    asking: bool = False
    # What is typed (for the counter); `ask` reads the submitted form, not this.
    draft: str = ""
    _sent: str = ""  # the text just sent (`forms.typed_draft` drops its late echo)
    _host: bool = False
    _me: int = 0
    _room: int = 0

    @rx.var
    def question_count(self) -> int:
        return len(self.questions)

    def _room_topics(self, webinar_id: int) -> list[str]:
        return [access.qa_topic(webinar_id)]

    @rx.event
    async def open_questions(self) -> Any:
        """Page load: the room's questions as this user may see them; join `qa:<id>`."""
        self.loaded = False
        self._leave()
        webinar_id = room_id(self)
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            if webinar_id is None:
                self.error, self.allowed, self.loaded, self.questions = "Not found.", False, True, []
                return None
            try:
                webinar = access.require_reader(session, user, webinar_id)
                items = questions.list_for(session, user, webinar_id)
            except DomainError as exc:
                self.error, self.allowed, self.loaded, self.questions = message_of(exc), False, True, []
                return None
            host, me = is_host(user, webinar), user.id or 0
        self.webinar_id, self._host, self.is_host, self._me = webinar_id, host, host, me
        self.questions = [item_from(d) for d in items]
        self.allowed, self.error, self.loaded = True, "", True
        self._join_room(webinar_id)
        return None

    @rx.event
    def leave_questions(self) -> None:
        self._leave()

    @rx.event
    def set_draft(self, value: Any) -> None:
        draft = typed_draft(value, sent=self._sent, limit=MAX_LENGTH)
        if draft is not None:
            self.draft, self._sent = draft, ""

    @rx.event
    async def ask(self, form_data: dict[str, Any]) -> Any:
        text = form_data.get("text", "")
        if not isinstance(text, str):
            return rx.toast.error("Invalid question.")
        # By name (the checkbox's native input: "on") or by id (Reflex's ref: a bool).
        anonymous = form_data.get("anonymous") in ("on", "true", True)
        anonymous = anonymous or form_data.get("question-anonymous") is True
        webinar_id = room_id(self)
        if webinar_id is None:
            return rx.toast.error("Not found.")
        self.asking = True
        try:
            with session_scope() as session:
                user = await user_for(self, session)
                if user is None:
                    return login_redirect(self)
                user_id = user.id or 0
            data = {"event": webinar_id, "text": text, "anonymous": anonymous}
            try:
                await in_thread(user_id, lambda s, u: questions.ask(s, u, data))
            except Invalid as exc:
                return rx.toast.error(" ".join(next(iter(exc.errors.values()))))
            except DomainError as exc:
                return rx.toast.error(message_of(exc))
        finally:
            self.asking = False
        # The question itself arrives through the hub, like everyone else's.
        self.draft, self._sent = "", text
        return [rx.set_value("question-input", ""), rx.toast.success("Question sent")]

    @rx.event
    async def toggle_vote(self, question_id: Any) -> Any:
        """Upvote, or take the upvote back (`voted` only picks which; the service counts)."""
        qid = as_int(question_id)
        current = next((q for q in self.questions if q.id == qid), None)
        if qid is None or current is None:
            return None
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        action = questions.unvote if current.voted else questions.vote
        try:
            answer = await in_thread(user_id, lambda s, u: action(s, u, qid))
        except Conflict:  # already upvoted (another tab): show it as such
            self._set_votes(qid, None, voted=True)
            return None
        except DomainError as exc:
            return rx.toast.error(message_of(exc))
        self._set_votes(qid, int(answer["votes"]), voted=not current.voted)
        return None

    def _set_votes(self, qid: int, votes: int | None, *, voted: bool) -> None:
        self.questions = sorted(
            (
                dataclasses.replace(q, voted=voted, votes=q.votes if votes is None else votes)
                if q.id == qid
                else q
                for q in self.questions
            ),
            key=_key,
        )

    @rx.event
    async def moderate(self, question_id: Any, change: str) -> Any:
        """Host menu: answer / unanswer / pin / unpin / hide / unhide (the service checks hosts)."""
        qid = as_int(question_id)
        if qid is None or change not in MODERATION:
            return rx.toast.error("Invalid request.")
        flags, done = MODERATION[change]
        return await self._act(lambda s, u: questions.moderate(s, u, qid, flags), done)

    @rx.event
    async def delete_question(self, question_id: Any) -> Any:
        """The asker withdraws a question, or a host removes it."""
        qid = as_int(question_id)
        if qid is None:
            return rx.toast.error("Invalid request.")
        return await self._act(lambda s, u: questions.delete(s, u, qid), "Question removed")

    async def _act(self, action: Any, done: str) -> Any:
        with session_scope() as session:
            user = await user_for(self, session)
            if user is None:
                return login_redirect(self)
            user_id = user.id or 0
        try:
            await in_thread(user_id, action)
        except DomainError as exc:
            return rx.toast.error(message_of(exc))
        return rx.toast.success(done)

    # ---------------------------------------------------------------- pushed events

    async def _on_realtime(self, topic: str, event: Event) -> None:
        if not self._listens_to(topic):
            return
        data = event.data
        if event.kind == "question_changed":
            seen = questions.visible_to(data["question"], host=self._host, viewer_id=self._me)
            qid = int(data["question"]["id"])
            rest = [q for q in self.questions if q.id != qid]
            if seen is None:
                if len(rest) != len(self.questions):
                    self.questions = rest
                return
            before = next((q for q in self.questions if q.id == qid), None)
            item = item_from(seen, voted=before.voted if before is not None else False)
            self.questions = sorted([*rest, item], key=_key)
        elif event.kind == "question_deleted":
            gone = int(data["id"])
            if any(q.id == gone for q in self.questions):
                self.questions = [q for q in self.questions if q.id != gone]
        elif event.kind == "question_votes":
            counts = {int(k): int(v) for k, v in (data.get("counts") or {}).items()}
            if all(q.votes == counts.get(q.id, 0) for q in self.questions):
                return
            self.questions = sorted(
                (dataclasses.replace(q, votes=counts.get(q.id, 0)) for q in self.questions), key=_key
            )
