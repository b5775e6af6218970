"""The one way services push events to connected browsers: `publish(topic, event)`.

Topics are strings such as `room:42` or `user:7`. The default broker is in-process;
a Redis-backed broker (for several workers) plugs in behind the same two functions.
"""

from webinar_app.realtime.broker import Event, InProcessBroker, get_broker, publish, set_broker, subscribe

__all__ = ["Event", "InProcessBroker", "get_broker", "publish", "set_broker", "subscribe"]
