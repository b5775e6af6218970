from webinar_app.realtime.broker import Event, InProcessBroker


def test_publish_reaches_only_subscribers_of_the_topic():
    broker = InProcessBroker()
    seen: list[tuple[str, Event]] = []
    broker.subscribe("room:1", lambda topic, event: seen.append((topic, event)))
    broker.publish("room:2", Event("chat", {"id": 1}))
    broker.publish("room:1", Event("chat", {"id": 2}))
    assert seen == [("room:1", Event("chat", {"id": 2}))]


def test_failing_subscriber_does_not_stop_the_others():
    broker = InProcessBroker()
    seen: list[int] = []

    def broken(topic: str, event: Event) -> None:
        raise RuntimeError("boom")

    broker.subscribe("user:7", broken)
    broker.subscribe("user:7", lambda topic, event: seen.append(event.data["n"]))
    broker.publish("user:7", Event("notification", {"n": 3}))
    assert seen == [3]


def test_unsubscribe_stops_delivery_and_forgets_the_topic():
    broker = InProcessBroker()
    seen: list[Event] = []
    stop = broker.subscribe("room:1", lambda topic, event: seen.append(event))
    stop()
    broker.publish("room:1", Event("chat"))
    assert seen == []
    assert broker.subscriber_count("room:1") == 0
