import time

from webinar_app.realtime.broker import Event, InProcessBroker, get_broker, set_broker
from webinar_app.realtime.coalesce import publish_latest


def test_a_burst_of_counts_becomes_one_push_with_the_latest_value():
    previous = get_broker()
    broker = InProcessBroker()
    set_broker(broker)
    seen: list[Event] = []
    broker.subscribe("room:5", lambda topic, event: seen.append(event))
    try:
        for count in range(1, 101):  # 100 joins at once
            publish_latest("room:5", "attendee_count", window=0.2, count=count)
        assert seen == []  # nothing before the window closes
        time.sleep(0.4)
        assert seen == [Event("attendee_count", {"count": 100})]
        publish_latest("room:5", "attendee_count", window=0.2, count=99)  # a new window
        time.sleep(0.4)
        assert seen[-1] == Event("attendee_count", {"count": 99}) and len(seen) == 2
    finally:
        set_broker(previous)
