"""A tab's states get only the event kinds they take: a chat message, pushed by the room
feed, must cost the tabs of the room no state round trip."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.realtime.test_throttle import _RecordingHub
from webinar_app.realtime import Event


class _Chat:
    pass


class _Player:
    pass


class _ClassRecordingHub(_RecordingHub):
    def __init__(self) -> None:
        super().__init__()
        self.classes: list[tuple[str, tuple[type[Any], ...]]] = []

    async def _deliver_now(
        self, topic: str, token: str, classes: tuple[type[Any], ...], event: Event
    ) -> None:
        self.classes.append((event.kind, classes))


def test_only_the_receivers_that_take_a_kind_are_delivered_it() -> None:
    async def scenario() -> list[tuple[str, tuple[type[Any], ...]]]:
        hub = _ClassRecordingHub()
        hub.start(asyncio.get_running_loop())
        hub.join("room:1", "tab", _Chat, kinds=frozenset({"chat_muted", "live_started"}))
        hub.join("room:1", "tab", _Player, kinds=frozenset({"attendee_count", "live_started"}))
        for kind in ("chat_message", "chat_muted", "attendee_count", "live_started"):
            hub._fan_out("room:1", Event(kind, {}))
        while hub._tasks:
            await asyncio.sleep(0.01)
        return hub.classes

    assert asyncio.run(scenario()) == [
        ("chat_muted", (_Chat,)),
        ("attendee_count", (_Player,)),
        ("live_started", (_Chat, _Player)),  # one round trip for the tab, both states
    ]
