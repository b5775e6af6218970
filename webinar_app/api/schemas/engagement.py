"""Request bodies of `/api/engagement/` (for the docs; the services validate what arrives).

Answer shapes come from the services (`QuestionView.as_dict`, `polls.poll_dict`): the same
dicts are published to browsers, so REST and realtime agree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class QuestionIn(BaseModel):
    event: int
    text: str
    anonymous: bool = False


class QuestionModerationIn(BaseModel):
    answered: bool | None = None
    pinned: bool | None = None
    hidden: bool | None = None


class PollIn(BaseModel):
    event: int
    question: str
    options: list[str]
    multiple: bool = False
    results_visibility: Literal["everyone", "hosts"] = "everyone"


class PollUpdateIn(BaseModel):
    question: str | None = None
    options: list[str] | None = None
    multiple: bool | None = None
    results_visibility: Literal["everyone", "hosts"] | None = None


class PollVoteIn(BaseModel):
    """`options` (ids) for any poll, or `option` (one id) for a single-choice one."""

    options: list[int] | None = None
    option: int | None = None


class ReactionIn(BaseModel):
    event: int
    emoji: Literal["thumbs_up", "heart", "clap", "laugh", "wow", "party"]


class EventIn(BaseModel):
    event: int


class ClearHandsIn(BaseModel):
    event: int
    user: int | None = None
