"""Starting real time in each backend process (a Reflex lifespan task)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from webinar_app.core.config import get_settings
from webinar_app.realtime.broker import InProcessBroker, get_broker, set_broker
from webinar_app.realtime.hub import hub
from webinar_app.realtime.redis_broker import RedisBroker

log = logging.getLogger(__name__)


def configure_broker() -> None:
    """Redis when REDIS_URL is set (several workers/processes), in-process otherwise."""
    url = get_settings().redis_url
    if url and not isinstance(get_broker(), RedisBroker):
        set_broker(RedisBroker(url))
    elif not url and not isinstance(get_broker(), InProcessBroker):
        set_broker(InProcessBroker())


async def realtime_lifespan() -> None:
    """Runs for the life of the worker: binds the hub to this loop, listens to Redis."""
    configure_broker()
    hub.start(asyncio.get_running_loop())
    broker = get_broker()
    if isinstance(broker, RedisBroker):
        log.info("realtime: listening on Redis channel %s", broker.channel)
        with contextlib.suppress(asyncio.CancelledError):
            await broker.listen()
