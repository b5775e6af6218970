"""The production server's worker: uvicorn under gunicorn, without websocket compression.

uvicorn accepts permessage-deflate by default and every browser offers it, so each open tab
kept a zlib compressor and decompressor for its whole life: ~40 KiB per connected tab
(`bench/chat_fanout.py`, whose client offers deflate as a browser does: 168 -> 120 KiB per
tab at 200 tabs, docs/performance.md). Reflex's own default server (granian) does not
negotiate compression either. The socket carries small deltas (a chat message is ~1 KB);
the join snapshot (~45 KB) is the one large frame a tab receives.
"""

from __future__ import annotations

from typing import Any, ClassVar

from uvicorn.workers import UvicornWorker


class WebinarWorker(UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {**UvicornWorker.CONFIG_KWARGS, "ws_per_message_deflate": False}
