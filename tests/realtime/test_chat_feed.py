"""The room feed: what each push carries, and that the blocks always read as the room's
latest messages in order (the same list every tab of the room is shown)."""

from __future__ import annotations

from typing import Any

from webinar_app.realtime import Event
from webinar_app.state.chat_feed import BLOCK, SLOTS, ChatItem, RoomFeed


def item(i: int, text: str | None = None) -> ChatItem:
    return ChatItem(id=i, user_id=1, username="u", name="U", role="", text=text or f"m{i}", created_at="")


def shown(feed: RoomFeed) -> list[int]:
    """The ids as the page lays them out: blocks by their `order`, messages within a block."""
    snap = feed.snapshot()
    blocks = sorted(range(SLOTS), key=lambda k: snap["order"][k])
    return [m["id"] for k in blocks for m in snap[f"s{k}"]]


def test_a_room_of_200_opens_with_every_message_in_order() -> None:
    feed = RoomFeed(item(i) for i in reversed(range(1, 201)))
    assert shown(feed) == list(range(1, 201))
    assert feed.snapshot()["count"] == 200


def test_a_new_message_pushes_only_the_block_being_filled() -> None:
    feed = RoomFeed(item(i) for i in range(1, 201))
    changed = feed.add(item(201))
    slot_vars = [k for k in changed if k.startswith("s")]
    assert len(slot_vars) == 1 and [m["id"] for m in changed[slot_vars[0]]] == [201]
    assert changed["count"] == 201 and "order" not in changed
    assert shown(feed)[-1] == 201


def test_a_full_block_recycles_the_oldest_and_the_order_follows() -> None:
    feed = RoomFeed(item(i) for i in range(1, 201))
    for i in range(201, 201 + BLOCK):
        feed.add(item(i))
    assert feed.count == 200 + BLOCK
    changed = feed.add(item(201 + BLOCK))
    assert "order" in changed
    assert [m["id"] for k, v in changed.items() if k.startswith("s") for m in v] == [201 + BLOCK]
    ids = shown(feed)
    assert ids == list(range(BLOCK + 1, 202 + BLOCK))  # the oldest block left the window
    for i in range(202 + BLOCK, 600):  # and it stays in order, bounded, over many rotations
        feed.add(item(i))
    ids = shown(feed)
    assert ids == sorted(ids) and ids[-1] == 599 and 200 <= len(ids) <= 200 + BLOCK


def test_duplicates_deletes_and_edits() -> None:
    feed = RoomFeed(item(i) for i in range(1, 51))
    assert feed.add(item(50)) == {}  # the same message twice (two doors, one push each)
    changed = feed.delete(10)
    assert 10 not in shown(feed) and changed["count"] == 49
    assert feed.delete(10) == {}
    changed = feed.edit(item(20, "edited"))
    texts = {m["id"]: m["text"] for v in changed.values() if isinstance(v, list) for m in v}
    assert texts[20] == "edited"
    assert feed.edit(item(999)) == {}


def test_a_restored_message_goes_back_into_its_place() -> None:
    feed = RoomFeed(item(i) for i in range(1, 61) if i != 30)
    feed.add(item(30))
    assert shown(feed) == list(range(1, 61))
    full = RoomFeed(item(i) for i in range(100, 300))
    assert full.add(item(5)) == {}  # older than anything shown: not shown


def test_events_from_the_service_shape() -> None:
    feed = RoomFeed([])
    message: dict[str, Any] = {"id": 7, "user": 3, "username": "ann", "first_name": "Ann",
                               "last_name": "", "user_role": "admin", "message": "<b>hi</b>",
                               "created_at": "2026-12-02T07:00:00Z"}
    changed = feed.apply(Event("chat_message", {"message": message}))
    pushed = [m for v in changed.values() if isinstance(v, list) for m in v]
    assert pushed == [{"id": 7, "user_id": 3, "username": "ann", "name": "Ann", "role": "admin",
                       "text": "<b>hi</b>", "created_at": "2026-12-02T07:00:00Z"}]
    assert feed.apply(Event("chat_deleted", {"id": 7}))["count"] == 0
    assert feed.apply(Event("chat_slow_mode", {"seconds": 5})) == {}


def test_a_feed_knows_when_it_lags_behind_the_database() -> None:
    feed = RoomFeed(item(i) for i in range(1, 11))
    assert feed.agrees_with([item(i) for i in range(1, 11)])
    assert feed.agrees_with([item(i) for i in range(1, 10)])  # the feed is ahead: a newer push
    assert not feed.agrees_with([item(i) for i in range(1, 12)])  # it missed message 11
    assert not feed.agrees_with([])  # the room was emptied while it kept old messages
    assert not feed.agrees_with([item(i) for i in range(1, 10)] + [item(10, "edited meanwhile")])
    assert RoomFeed([]).agrees_with([])


def test_joining_tabs_share_the_dumped_blocks_until_a_block_changes() -> None:
    feed = RoomFeed(item(i) for i in range(1, 31))
    first, second = feed.snapshot(), feed.snapshot()
    assert all(first[f"s{k}"] is second[f"s{k}"] for k in range(SLOTS))
    changed = feed.edit(item(30, "edited"))
    slot = next(k for k in changed if k.startswith("s"))
    after = feed.snapshot()
    assert after[slot] is changed[slot] and after[slot] is not first[slot]
    assert [m["text"] for m in after[slot]][-1] == "edited"
    assert [m["text"] for m in first[slot]][-1] == "m30"  # what was sent before is not rewritten
    untouched = next(f"s{k}" for k in range(SLOTS) if f"s{k}" != slot)
    assert after[untouched] is first[untouched]
    feed.delete(30)
    assert [m["id"] for m in feed.snapshot()[slot]][-1] == 29
