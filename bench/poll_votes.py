"""1,000 attendees in one live room vote in one poll within 10 s; result pushes and vote latency.

Issue 8's benchmark: every vote counted; results pushed to all clients batched (at most 4 result
pushes per second to any client); p99 latency from a vote to a result that includes it.

Same setup and protocol as `chat_fanout.py` (imported, not copied): the production backend with
Redis on a fresh PostgreSQL database, a webinar live by the clock, N registrants, N
python-socketio clients booting `/live/<id>` exactly as the compiled frontend does. The boot event
(`hydrate_and_load`) queues the page's on_load server-side (pages/live.py: AuthState.sync_session,
LiveState.load, ChatState.open_room, QuestionsState.open_questions, PollsState.open_polls,
ReactionsState.open_reactions, HandsState.open_hands), so each tab joins the polls topic as a
browser does; the bench waits until every client's PollsState is loaded (`--emit-on-load` also
emits the four engagement handlers again, as a frontend re-running on_load would).

The host (admin) then creates a 4-option single-choice poll (results to everyone) and opens it
over REST; once every client shows it open, each client votes once at a uniformly random moment
within `--window` s through the websocket event `PollsState.vote(poll_id, option_ids)`.

What a client counts as a *result push*: an `event` update whose PollsState delta carries the
poll's item, after the client saw the poll open, except the voter's own vote response. The vote
response is told apart exactly: it is the first update after the client sent its vote in which
the item's `voted` is true (the handler replaces only `voted` / `my_choices`, and the state lock
serialises it with the hub's deliveries, so it never carries newer counts than a push the client
already had). Pushes per second = per client, arrivals in each whole second since the votes
began (fixed buckets); also the most in any sliding 1 s window, which is stricter: a throttle that
starts flushes 0.25 s apart may still land 5 in a sliding second through delivery jitter.

Vote -> result latency: the ballots' ranks come from the database after the run (PollBallot ids
in order; ids are taken from the sequence at INSERT, a few ms before COMMIT, so they follow
commit order except for votes committing within those few ms of each other). For voter i with
rank r_i, latency = arrival of the first result push at *that voter's* client with
`total_votes >= r_i`, minus the moment the client emitted its vote (one process, one clock).
Approximation: near-simultaneous commits may swap ranks by one or two, so a count can be taken to
include a vote a few ms before it really does; at these rates (~100 votes/s, 0.25 s windows)
that moves no figure by more than a window.

Also checked: ballots in the DB == votes sent == votes answered, and the last result every
client holds == that number. Backend CPU (process tree, from the first vote to the end of the
drain) and RSS.

    .venv/bin/python bench/poll_votes.py [--clients 1000] [--window 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from typing import Any

import aiohttp
from _server import fresh_database, percentile, prepare, production_backend
from chat_fanout import (
    NAMESPACE,
    Client,
    Protocol,
    backend_tree,
    connect_all,
    raise_nofile,
    seed,
    tree_cpu,
    tree_rss,
)

OPTIONS = ["Yes", "No", "Maybe", "Later"]


class PollProtocol(Protocol):
    """Adds the live page's engagement on_load events and the PollsState var names."""

    def __init__(self) -> None:
        super().__init__()
        from webinar_app.state.engagement_polls import PollsState
        from webinar_app.state.engagement_questions import QuestionsState
        from webinar_app.state.engagement_reactions import HandsState, ReactionsState

        self.polls_state = PollsState.get_full_name()
        self.polls_var = "polls_rx_state_"
        # pages/live.py on_load after ChatState.open_room (which Client.join already emits)
        self.on_load = [
            f"{QuestionsState.get_full_name()}.open_questions",
            f"{self.polls_state}.open_polls",
            f"{ReactionsState.get_full_name()}.open_reactions",
            f"{HandsState.get_full_name()}.open_hands",
        ]


class PollClient(Client):
    """A chat client that also follows the polls state and votes once."""

    proto: PollProtocol

    def __init__(self, proto: PollProtocol, url: str, access_token: str, path: str) -> None:
        super().__init__(proto, url, access_token, path, {}, [], None)
        self.polls_vars: dict[str, Any] = {}
        self.polls_ready = asyncio.Event()
        self.poll_id = 0
        self.poll_open = asyncio.Event()
        self.last_polls: list[dict[str, Any]] = []
        self.vote_sent: float | None = None
        self.vote_answered: float | None = None
        self.pushes: list[tuple[float, int]] = []  # (arrival, total_votes) of each result push
        self.last_total = -1

    async def load_engagement(self) -> None:
        for name in self.proto.on_load:
            await self.sio.emit("event", {"name": name, "router_data": self.proto.router_data(self.path)},
                                namespace=NAMESPACE)

    def poll_seen(self, poll_id: int) -> None:
        """Called once the host's REST call has named the poll: it may already be open here."""
        self.poll_id = poll_id
        if any(p["id"] == poll_id and p["status"] == "open" for p in self.last_polls):
            self.poll_open.set()

    async def vote(self, option_id: int) -> None:
        self.vote_sent = time.perf_counter()
        await self.sio.emit("event", {
            "name": f"{self.proto.polls_state}.vote",
            "payload": {"poll_id": self.poll_id, "option_ids": [option_id]},
            "router_data": self.proto.router_data(self.path),
        }, namespace=NAMESPACE)

    async def _on_event(self, update: dict[str, Any]) -> None:
        now = time.perf_counter()
        await super()._on_event(update)
        polls = (update.get("delta") or {}).get(self.proto.polls_state)
        if not polls:
            return
        self.polls_vars.update(polls)
        if self.polls_vars.get("loaded_rx_state_") and (
            self.polls_vars.get("allowed_rx_state_") or self.polls_vars.get("error_rx_state_")
        ):
            self.polls_ready.set()
        if self.proto.polls_var not in polls:
            return
        self.last_polls = polls[self.proto.polls_var]
        if not self.poll_id:
            return  # the push can beat the host's REST answer: `poll_seen` looks at it then
        item = next((p for p in polls[self.proto.polls_var] if p["id"] == self.poll_id), None)
        if item is None:
            return
        if not self.poll_open.is_set():
            if item["status"] == "open":
                self.poll_open.set()  # the host's poll_changed; counting starts after it
            return
        if self.vote_sent is not None and self.vote_answered is None and item["voted"]:
            self.vote_answered = now  # the response to this client's own vote, not a push
            return
        self.pushes.append((now, int(item["total_votes"])))
        self.last_total = int(item["total_votes"])


async def gather_limited(coros: list[Any], concurrency: int) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(coro: Any) -> None:
        async with semaphore:
            await coro

    await asyncio.gather(*(one(c) for c in coros))


async def host_opens_poll(url: str, host_token: str, webinar_id: int) -> tuple[int, list[int]]:
    headers = {"Authorization": f"Bearer {host_token}"}
    async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(60)) as http:
        async with http.post("/api/engagement/polls/", headers=headers, json={
            "event": webinar_id, "question": "Shall we run the demo again?", "options": OPTIONS,
            "multiple": False, "results_visibility": "everyone",
        }) as response:
            assert response.status == 201, await response.text()
            poll = await response.json()
        async with http.post(f"/api/engagement/polls/{poll['id']}/open/", headers=headers) as response:
            assert response.status == 200, await response.text()
    return int(poll["id"]), [int(o["id"]) for o in poll["options"]]


async def run(proto: PollProtocol, url: str, webinar_id: int, tokens: list[str], host_token: str,
              args: argparse.Namespace) -> dict[str, Any]:
    path = f"/live/{webinar_id}"
    tree = backend_tree(int(url.rsplit(":", 1)[1]))
    warm = [PollClient(proto, url, tokens[i % len(tokens)], path) for i in range(2 * args.workers)]
    await connect_all(warm, 8)  # type: ignore[arg-type]
    for c in warm:
        await c.sio.disconnect()
    await asyncio.sleep(3)
    tree = backend_tree(int(url.rsplit(":", 1)[1]))
    rss_before = tree_rss(tree)

    clients = [PollClient(proto, url, token, path) for token in tokens]
    began = time.perf_counter()
    await connect_all(clients, args.connect_concurrency)  # type: ignore[arg-type]
    joined = time.perf_counter() - began
    began = time.perf_counter()

    async def load(c: PollClient) -> None:
        if args.emit_on_load:
            await c.load_engagement()
        await asyncio.wait_for(c.polls_ready.wait(), 120)

    await gather_limited([load(c) for c in clients], args.connect_concurrency)
    loaded = time.perf_counter() - began
    allowed = sum(1 for c in clients if c.polls_vars.get("allowed_rx_state_"))
    print(f"joined {len(clients)} clients in {joined:.1f} s; polls loaded in {loaded:.1f} s "
          f"(allowed {allowed}/{len(clients)})")
    rss_joined = tree_rss(tree)

    poll_id, option_ids = await host_opens_poll(url, host_token, webinar_id)
    for c in clients:
        c.poll_seen(poll_id)
    began = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(c.poll_open.wait() for c in clients)), args.open_timeout)
    late = [c for c in clients if not c.poll_open.is_set()]
    print(f"poll {poll_id} open at {len(clients) - len(late)}/{len(clients)} clients "
          f"{time.perf_counter() - began:.1f} s after the REST call")
    for c in late[:5]:  # they still vote; what does the server hold for their tab?
        print(f"  never saw it open: tab {c.token}, stored PollsState {stored_polls_state(proto, c.token)}")

    rng = random.Random(8)
    cpu_before = tree_cpu(tree)
    start = time.perf_counter()

    async def vote_later(c: PollClient, at: float, option: int) -> None:
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        await c.vote(option)

    plan = [(c, rng.uniform(0, args.window), rng.choice(option_ids)) for c in clients]
    await asyncio.gather(*(vote_later(*p) for p in plan))
    sent_done = time.perf_counter() - start
    deadline = time.perf_counter() + args.drain
    n = len(clients)
    while time.perf_counter() < deadline and not all(
        c.vote_answered is not None and c.last_total >= n for c in clients if c.poll_open.is_set()
    ):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # a last flush in flight still counts as a push
    cpu_seconds = tree_cpu(tree) - cpu_before
    elapsed = time.perf_counter() - start
    rss_after = tree_rss(tree)
    for c in clients:
        await c.sio.disconnect()
    return {"clients": clients, "poll_id": poll_id, "start": start, "sent_done": sent_done,
            "elapsed": elapsed, "cpu_seconds": cpu_seconds, "rss_before": rss_before,
            "rss_joined": rss_joined, "rss_after": rss_after}


def stored_polls_state(proto: PollProtocol, token: str) -> dict[str, Any] | str:
    """The tab's PollsState as the Redis state manager saved it (what a push would modify)."""
    import redis

    from webinar_app.state.engagement_polls import PollsState

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    data = redis.Redis.from_url(url).get(f"{token}_{proto.polls_state}")
    if data is None:
        return "missing"
    try:
        state = PollsState._deserialize(data)
        return {"_room": state._room, "loaded": state.loaded, "allowed": state.allowed,
                "polls": [p.id for p in state.polls]}
    except Exception as exc:  # a diagnostic: never fail the run over it
        return f"unreadable ({exc!r})"


def ballot_ranks(poll_id: int) -> dict[int, int]:
    """user id -> rank of its ballot (1-based, by id: insert order, about commit order)."""
    from sqlmodel import Session, col, select

    from webinar_app.core import db
    from webinar_app.models import PollBallot

    with Session(db.get_engine()) as session:
        rows = session.exec(select(PollBallot.user_id).where(PollBallot.poll_id == poll_id)
                            .order_by(col(PollBallot.id))).all()
    return {user_id: rank for rank, user_id in enumerate(rows, 1)}


def user_ids(clients: int) -> list[int]:
    from sqlmodel import Session, select

    from webinar_app.core import db
    from webinar_app.models import User

    with Session(db.get_engine()) as session:
        by_name = dict(session.exec(select(User.username, User.id)).all())
    return [by_name[f"chat{i}"] for i in range(clients)]


def host_token() -> str:
    from sqlmodel import Session, select

    from webinar_app.core import db
    from webinar_app.core.security import encode_token
    from webinar_app.models import User

    with Session(db.get_engine()) as session:
        host = session.exec(select(User).where(User.username == "host")).one()
        return encode_token("access", {"user_id": str(host.id), "role": host.role, "username": host.username,
                                       "email": host.email})[0]


def sliding_max(times: list[float], width: float = 1.0) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def report(result: dict[str, Any], ranks: dict[int, int], users: list[int], args: argparse.Namespace) -> None:
    clients: list[PollClient] = result["clients"]
    n, start = len(clients), result["start"]
    sent = sum(1 for c in clients if c.vote_sent is not None)
    answered = sum(1 for c in clients if c.vote_answered is not None)
    ballots = len(ranks)
    finals = Counter(c.last_total for c in clients)
    print(f"clients={n} workers={args.workers} votes sent {sent} in {result['sent_done']:.1f} s, "
          f"answered {answered}, ballots in DB {ballots}")
    print(f"final result at the clients: {dict(sorted(finals.items()))} "
          f"({'every client saw ' + str(ballots) if set(finals) == {ballots} else 'NOT all final'})")

    buckets: list[int] = []
    sliding: list[int] = []
    for c in clients:
        times = [t for t, _ in c.pushes]
        buckets.extend(Counter(int(t - start) for t in times).values())
        sliding.append(sliding_max(times))
    gaps = [b[0] - a[0] for c in clients for a, b in zip(c.pushes, c.pushes[1:], strict=False)]
    pushes = sum(len(c.pushes) for c in clients)
    print(f"result pushes: {pushes} ({pushes / n:.1f} per client over {result['elapsed']:.1f} s); per client "
          f"per whole second: max {max(buckets, default=0)}, p99 {percentile(buckets, 99):.0f}, "
          f"p50 {percentile(buckets, 50):.0f} (over client-seconds with a push); "
          f"sliding 1 s window: max {max(sliding, default=0)}, p99 {percentile(sliding, 99):.0f}; "
          f"gap between pushes at a client: min {min(gaps, default=0) * 1000:.0f} ms, "
          f"p1 {percentile(gaps, 1) * 1000:.0f} ms, p50 {percentile(gaps, 50) * 1000:.0f} ms")

    latencies: list[float] = []
    missing = 0
    for c, user_id in zip(clients, users, strict=True):
        rank = ranks.get(user_id)
        if rank is None or c.vote_sent is None:
            continue
        first = next((t for t, total in c.pushes if t >= c.vote_sent and total >= rank), None)
        if first is None:
            missing += 1
        else:
            latencies.append(first - c.vote_sent)
    ms = [v * 1000 for v in latencies]
    print(f"vote -> result including it (at the voter): p50 {percentile(ms, 50):.0f} ms  "
          f"p99 {percentile(ms, 99):.0f} ms  max {max(ms, default=0):.0f} ms  "
          f"({len(ms)} votes, {missing} never saw a result including their vote)")
    answers = [(c.vote_answered - c.vote_sent) * 1000 for c in clients
               if c.vote_answered is not None and c.vote_sent is not None]
    print(f"vote response (own 'voted' delta): p50 {percentile(answers, 50):.0f} ms  "
          f"p99 {percentile(answers, 99):.0f} ms")
    mib = 2**20
    print(f"backend CPU from first vote to end of drain: {result['cpu_seconds']:.1f} s over "
          f"{result['elapsed']:.1f} s; RSS {result['rss_before'] / mib:.0f} MiB warm -> "
          f"{result['rss_joined'] / mib:.0f} MiB joined -> {result['rss_after'] / mib:.0f} MiB after votes")
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--window", type=float, default=10.0, help="every client votes once within this")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--connect-concurrency", type=int, default=20)
    parser.add_argument("--emit-on-load", action="store_true",
                        help="emit the engagement on_load handlers again after joining")
    parser.add_argument("--open-timeout", type=float, default=60.0,
                        help="wait this long for every client to show the opened poll")
    parser.add_argument("--drain", type=float, default=30.0, help="wait this long for the final results")
    args = parser.parse_args()

    raise_nofile(2 * args.clients + 1024)
    database_url = fresh_database("webinar_bench_polls")
    prepare(database_url)
    webinar_id, tokens = seed(args.clients)
    token = host_token()
    proto = PollProtocol()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with production_backend(database_url, args.workers) as url:
        result = asyncio.run(run(proto, url, webinar_id, tokens, token, args))
    report(result, ballot_ranks(result["poll_id"]), user_ids(args.clients), args)


if __name__ == "__main__":
    main()
