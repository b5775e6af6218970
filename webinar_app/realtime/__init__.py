"""The one way services push events to connected browsers: `publish(topic, kind, **data)`.

Topics are strings such as `room:42` (a live room) or `user:7` (a person). In-process by
default; with REDIS_URL every backend process gets every event through Redis pub/sub and
hands it to the browsers connected to it (`hub`).
"""

from webinar_app.realtime.broker import (
    Event,
    InProcessBroker,
    get_broker,
    publish,
    set_broker,
    subscribe,
)

__all__ = ["Event", "InProcessBroker", "get_broker", "publish", "set_broker", "subscribe"]
