"""N signed-in browsers in one live room; 1 chat message per second; delivery latency to each.

Runs the production backend (`reflex run --env prod --backend-only`, granian workers, REDIS_URL
set, so state lives in Redis and events cross workers through Redis pub/sub) on a fresh
PostgreSQL database. Seeds an admin host, a webinar that is live by the clock (started a minute
ago, 2 h long), N confirmed registrants and 200 messages of history. Then N load-generator
clients speak Reflex's websocket protocol with python-socketio, exactly as the compiled
frontend (`.web/utils/state.js`, `.web/utils/context.jsx`) does:

1. connect to `/_event` (socket.io path and namespace, websocket transport) with
   `?token=<fresh client token>` and, in the socket.io CONNECT packet's auth, the boot event
   `<root>.hydrate_and_load` carrying the browser's LocalStorage values (`vars`: the AuthState
   access token) and the compiled `initialState` hashes, with `router_data` for the page `/live/<webinar_id>`;
2. emit `event` `{name: <ChatState>.open_room, router_data}`: the handler checks access through
   the stored token, sends the last 200 messages and joins the room.

Messages are then posted over REST (`POST /api/communications/chat/`, a different registrant's
bearer token each time), so every delivery also proves "a REST-posted message reaches browsers".
Each client parses every `event` update (`{delta, events, final}`) it receives and records the
first arrival of each message text in the chat feed's block vars (`state/chat_feed.py`). Latency = arrival -
moment the POST was issued (one process, one clock). Memory per client = growth of the summed
RSS of the backend's process tree (psutil; Redis and PostgreSQL are separate processes and
excluded) between "server warm" and "N clients joined", divided by N.

Targets on a 2-core machine: 200 clients p99 <= 250 ms; 1,000 clients every message delivered,
p99 <= 1 s; <= 100 KiB per connected client.

    .venv/bin/python bench/chat_fanout.py [--clients 200] [--seconds 60] [--workers 2]
        [--profile out.txt]   # py-spy (raw collapsed stacks) of the workers while sending
        [--tracemalloc]       # memory breakdown per worker in data/ (core/memtrace.py, memtrace_diff.py);
                              # WEBINAR_TRACEMALLOC_FRAMES=0: malloc statistics only, no tracing
        [--connect-only]      # only open the websockets: what a bare connection costs
        [--steps 4]           # join in 4 groups, RSS after each: fixed growth vs cost per tab
        [--warm 40] [--settle 30]  # tabs opened and closed first; watch the idle RSS before measuring
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import subprocess
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import aiohttp
import psutil
import socketio
from _server import fresh_database, percentile, prepare, production_backend

HISTORY = 200
# socket.io-client takes the URL's path (`<backend>/_event`) as the namespace, and `path` too.
NAMESPACE = "/_event"
MARK = re.compile(r"^fanout #(\d+) ")


def raise_nofile(wanted: int) -> None:
    """Sockets: N websockets here and N on the server (it inherits this limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(wanted, soft)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ------------------------------------------------------------------ seeding


def seed(clients: int) -> tuple[int, list[str]]:
    from sqlmodel import Session

    from webinar_app.core import db
    from webinar_app.core.security import encode_token, hash_password, utcnow
    from webinar_app.models import ChatMessage, Registration, User, Webinar

    password_hash = hash_password("bench-password-1")  # one hash: the bench measures the chat
    with Session(db.get_engine()) as session:
        host = User(username="host", username_key="host", email="host@bench.io", email_key="host@bench.io",
                    password_hash=password_hash, role="admin", is_active=True, email_verified=True)
        session.add(host)
        session.flush()
        start = utcnow() - timedelta(minutes=1)  # live by the clock: chat is open
        webinar = Webinar(title="Fan-out", start_at=start, end_at=start + timedelta(hours=2), duration=120,
                          organizer_id=host.id, confirmed_count=clients)  # type: ignore[arg-type]
        people = [
            User(username=f"chat{i}", username_key=f"chat{i}", email=f"chat{i}@bench.io",
                 email_key=f"chat{i}@bench.io", first_name="Chat", last_name=f"User {i}",
                 password_hash=password_hash, is_active=True, email_verified=True)
            for i in range(clients)
        ]
        session.add(webinar)
        session.add_all(people)
        session.flush()
        session.add_all(Registration(user_id=u.id, webinar_id=webinar.id) for u in people)  # type: ignore[arg-type]
        now = utcnow()
        session.add_all(
            ChatMessage(webinar_id=webinar.id, user_id=people[i % clients].id,  # type: ignore[arg-type]
                        message=f"history message {i}: " + "lorem ipsum dolor sit amet " * 2,
                        created_at=now - timedelta(seconds=HISTORY - i))
            for i in range(HISTORY)
        )
        session.commit()
        tokens = [
            encode_token("access", {"user_id": str(u.id), "role": u.role, "username": u.username,
                                    "email": u.email})[0]
            for u in people
        ]
        return webinar.id, tokens  # type: ignore[return-value]


# ------------------------------------------------------------------ the protocol


class Protocol:
    """Names and the boot payload as the compiled frontend has them (same code, same env)."""

    def __init__(self) -> None:
        from reflex.state import State, _resolve_delta, state_snapshot_hashes

        import webinar_app.webinar_app  # noqa: F401  (registers every state, as the backend does)
        from webinar_app.state.auth import AuthState
        from webinar_app.state.chat import ChatState
        from webinar_app.state.chat_feed import SLOTS, ChatFeedState

        self.root = State.get_full_name()
        self.chat = ChatState.get_full_name()
        self.feed = ChatFeedState.get_full_name()
        self.access_key = f"{AuthState.get_full_name()}.access_token_rx_state_"
        self.slots = [f"s{k}_rx_state_" for k in range(SLOTS)]
        self.loaded, self.allowed, self.error = "loaded_rx_state_", "allowed_rx_state_", "error_rx_state_"
        snapshot = asyncio.run(_resolve_delta(State(_reflex_internal_init=True).dict(initial=True)))
        self.hashes = state_snapshot_hashes(snapshot)  # `initialStateHashes` of context.jsx
        self.schema = State._to_frontend_schema()  # `stateSchema`
        self.connect_only = False

    @staticmethod
    def router_data(path: str) -> dict[str, Any]:
        return {"pathname": path, "asPath": path}

    def boot(self, access_token: str, path: str) -> dict[str, Any]:
        """The CONNECT auth: `{event: hydrate_and_load(vars, hashes), state_schema}`."""
        event = {
            "name": f"{self.root}.hydrate_and_load",
            "payload": {"vars": {self.access_key: access_token}, "hashes": self.hashes},
            "router_data": self.router_data(path),
        }
        return {"event": event, "state_schema": self.schema}


class Client:
    def __init__(self, proto: Protocol, url: str, access_token: str, path: str,
                 sent: dict[int, float], latencies: list[float], sizes: list[int] | None,
                 by_message: dict[int, list[float]] | None = None) -> None:
        self.proto, self.url, self.access_token, self.path = proto, url, access_token, path
        self.sent, self.latencies, self.sizes = sent, latencies, sizes
        self.by_message = by_message if by_message is not None else {}
        self.chat_vars: dict[str, Any] = {}
        self.seen: set[int] = set()
        self.history_len = 0
        self.token = ""  # set on join
        self.ready = asyncio.Event()
        # Offer permessage-deflate as every browser does (aiohttp's default is not to): a server
        # that accepts it keeps a zlib compressor and decompressor per connection.
        self.sio = socketio.AsyncClient(reconnection=False, websocket_extra_options={"compress": 15})
        self.sio.on("event", self._on_event, namespace=NAMESPACE)

    async def join(self) -> None:
        self.token = token = str(uuid.uuid4())  # the tab's session token (sessionStorage in a browser)
        if self.proto.connect_only:  # the websocket alone: no hydrate, no room (memory breakdown)
            await self.sio.connect(f"{self.url}?token={token}", socketio_path="/_event",
                                   transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=60)
            self.ready.set()
            return
        await self.sio.connect(
            f"{self.url}?token={token}", socketio_path="/_event", transports=["websocket"],
            auth=self.proto.boot(self.access_token, self.path), namespaces=[NAMESPACE], wait_timeout=60,
        )
        await self.sio.emit("event", {"name": f"{self.proto.chat}.open_room",
                                      "router_data": self.proto.router_data(self.path)}, namespace=NAMESPACE)

    async def _on_event(self, update: dict[str, Any]) -> None:
        now = time.perf_counter()
        delta = update.get("delta") or {}
        # the messages live in the feed's blocks (all of them on join, then the changed one)
        feed = delta.get(self.proto.feed) or {}
        chat = {**feed, **(delta.get(self.proto.chat) or {})}
        if not chat:
            return
        if self.sizes is not None and self.ready.is_set():
            self.sizes.append(len(json.dumps(update)))
        for key in self.proto.slots:
            for item in feed.get(key) or ():
                match = MARK.match(item.get("text", ""))
                if match is None:
                    continue
                seq = int(match.group(1))
                if seq not in self.seen and seq in self.sent:
                    self.seen.add(seq)
                    self.latencies.append(now - self.sent[seq])
                    self.by_message.setdefault(seq, []).append(now - self.sent[seq])
        if all(key in feed for key in self.proto.slots):  # the join snapshot
            self.history_len = sum(len(feed[key]) for key in self.proto.slots)
        self.chat_vars.update(chat)
        if self.chat_vars.get(self.proto.loaded) and (
            self.chat_vars.get(self.proto.allowed) or self.chat_vars.get(self.proto.error)
        ):
            self.ready.set()


# ------------------------------------------------------------------ measuring


def backend_tree(port: int) -> list[psutil.Process]:
    """`reflex run ... --backend-port <port>` and everything under it (granian, its workers)."""
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "--backend-port" in cmd and str(port) in cmd and any("reflex" in c for c in cmd[:2]):
            return [proc, *proc.children(recursive=True)]
    raise RuntimeError("backend process not found")


def tree_rss(tree: list[psutil.Process]) -> int:
    total = 0
    for proc in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def tree_cpu(tree: list[psutil.Process]) -> float:
    total = 0.0
    for proc in tree:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


async def snapshot(label: str, wanted: bool) -> None:
    """With --tracemalloc: every worker writes data/memstats-<pid>-<label>.txt (+ a tracemalloc snapshot)."""
    if not wanted:
        return
    from webinar_app.core.memtrace import TRIGGER

    TRIGGER.write_text(label)
    await asyncio.sleep(8)  # the workers poll twice a second; dumping a big snapshot takes a while


async def connect_all(clients: list[Client], concurrency: int) -> float:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(client: Client) -> None:
        async with semaphore:
            await client.join()
            await asyncio.wait_for(client.ready.wait(), 120)

    began = time.perf_counter()
    await asyncio.gather(*(one(c) for c in clients))
    return time.perf_counter() - began


async def run(
    proto: Protocol, url: str, webinar_id: int, tokens: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    path = f"/live/{webinar_id}"
    port = int(url.rsplit(":", 1)[1])
    tree = backend_tree(port)
    sent: dict[int, float] = {}
    latencies: list[float] = []
    sizes: list[int] = []
    by_message: dict[int, list[float]] = {}

    # Warm the workers (imports, pools, first state) with a few tabs that then close.
    warm = [Client(proto, url, tokens[i % len(tokens)], path, {}, [], None)
            for i in range(args.warm or 2 * args.workers)]
    await connect_all(warm, 8)
    for c in warm:
        await c.sio.disconnect()
    await asyncio.sleep(3)
    tree = backend_tree(port)
    rss_before = tree_rss(tree)
    for _ in range(args.settle // 5):  # does the idle server itself still grow?
        await asyncio.sleep(5)
        now = tree_rss(tree)
        print(f"  idle: RSS {now / 2**20:.1f} MiB ({(now - rss_before) / 2**20:+.1f} MiB since warm)")
    rss_before = tree_rss(tree)
    await snapshot("warm", args.tracemalloc)

    clients = [Client(proto, url, tokens[i], path, sent, latencies, sizes if i == 0 else None, by_message)
               for i in range(len(tokens))]
    connect_seconds = 0.0
    step = -(-len(clients) // max(1, args.steps))
    previous, joined = rss_before, 0
    for first in range(0, len(clients), step):
        group = clients[first:first + step]
        connect_seconds += await connect_all(group, args.connect_concurrency)
        await asyncio.sleep(3)
        joined += len(group)
        now = tree_rss(tree)
        if args.steps > 1:  # the marginal cost of each group: fixed growth shows in the first one
            print(f"  {joined:5d} joined: RSS {now / 2**20:.1f} MiB, this group "
                  f"{(now - previous) / 1024 / len(group):.1f} KiB per client, per worker "
                  f"{[round(p.memory_info().rss / 2**20, 1) for p in tree[1:]]} MiB")
        previous = now
    rss_after = tree_rss(tree)
    for _ in range(args.settle // 5):  # and after the join: does anything held per join go away?
        await asyncio.sleep(5)
        now = tree_rss(tree)
        per_client = (now - rss_before) / 1024 / len(clients)
        print(f"  joined, idle: RSS {now / 2**20:.1f} MiB ({per_client:.1f} KiB per client)")
    await snapshot("joined", args.tracemalloc)
    await snapshot("joined-trim", args.tracemalloc)
    if proto.connect_only:
        print(f"websocket only: {(rss_after - rss_before) / 1024 / len(clients):.1f} KiB per connection")
        for c in clients:
            await c.sio.disconnect()
        raise SystemExit(0)
    denied = [c for c in clients if not c.chat_vars.get(proto.allowed)]
    history_ok = sum(1 for c in clients if c.history_len == HISTORY)
    print(f"connected {len(clients)} clients in {connect_seconds:.1f} s; "
          f"history of {HISTORY} on join: {history_ok}/{len(clients)}; denied: {len(denied)}")

    profiler = None
    if args.profile:
        pid = tree[0].pid  # `reflex run`; --subprocesses follows granian and its workers
        profiler = subprocess.Popen(
            ["py-spy", "record", "--subprocesses", "--nonblocking", "-p", str(pid), "-f", "raw",
             "-d", str(args.seconds + 5), "-o", args.profile],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1)

    statuses: Counter[int] = Counter()
    post_latencies: list[float] = []
    rng = random.Random(4)
    cpu_before = tree_cpu(tree)
    async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(30)) as http:

        async def post(seq: int) -> None:
            sender = rng.randrange(len(tokens))
            text = f"fanout #{seq} from chat{sender}: the quick brown fox jumps over the lazy dog"
            sent[seq] = began = time.perf_counter()
            async with http.post("/api/communications/chat/", json={"event": webinar_id, "message": text},
                                 headers={"Authorization": f"Bearer {tokens[sender]}"}) as response:
                await response.read()
                statuses[response.status] += 1
            post_latencies.append(time.perf_counter() - began)
            if response.status != 201:
                sent.pop(seq, None)

        start = time.perf_counter()
        posts = []
        for seq in range(args.seconds):
            await asyncio.sleep(max(0.0, start + seq - time.perf_counter()))
            posts.append(asyncio.create_task(post(seq)))
        await asyncio.gather(*posts)
    expected = len(sent) * len(clients)
    deadline = time.perf_counter() + args.drain
    while len(latencies) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    cpu_seconds = tree_cpu(tree) - cpu_before
    if profiler is not None:
        profiler.wait(timeout=args.seconds + 30)
    for c in clients:
        await c.sio.disconnect()
    if args.tracemalloc:
        await asyncio.sleep(5)
        await snapshot("left", args.tracemalloc)
        await snapshot("left-trim", args.tracemalloc)
    return {
        "clients": len(clients), "messages": len(sent), "statuses": statuses, "expected": expected,
        "latencies": latencies, "post_latencies": post_latencies, "rss_before": rss_before,
        "rss_after": rss_after, "cpu_seconds": cpu_seconds, "sizes": sizes, "by_message": by_message,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60, help="messages are sent 1 per second")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--connect-concurrency", type=int, default=20)
    parser.add_argument("--warm", type=int, default=0, help="tabs that open and close before measuring")
    parser.add_argument("--settle", type=int, default=0,
                        help="after warming, print RSS every 5 s for this long before measuring")
    parser.add_argument("--steps", type=int, default=1,
                        help="connect the clients in this many groups and print RSS after each")
    parser.add_argument("--drain", type=float, default=15.0, help="wait this long for late deliveries")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra backend environment, e.g. REFLEX_OPLOCK_ENABLED=true (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="latency of each message")
    parser.add_argument("--connect-only", action="store_true",
                        help="only open the websockets (no hydrate, no room): their memory alone")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="malloc statistics (and tracemalloc snapshots unless "
                             "WEBINAR_TRACEMALLOC_FRAMES=0) of each worker at warm/joined/left, in data/")
    parser.add_argument("--profile", default="", help="write py-spy raw stacks of the workers here")
    args = parser.parse_args()

    raise_nofile(2 * args.clients + 1024)
    database_url = fresh_database("webinar_bench_chat")
    prepare(database_url)
    os.environ.update(item.split("=", 1) for item in args.server_env)  # bench_env copies os.environ
    if args.tracemalloc:
        from webinar_app.core.memtrace import TRIGGER

        os.environ["WEBINAR_TRACEMALLOC"] = "1"
        TRIGGER.unlink(missing_ok=True)
    webinar_id, tokens = seed(args.clients)
    proto = Protocol()
    proto.connect_only = args.connect_only
    with production_backend(database_url, args.workers) as url:
        result = asyncio.run(run(proto, url, webinar_id, tokens, args))

    latencies = result["latencies"]
    delivered, expected = len(latencies), result["expected"]
    kib = (result["rss_after"] - result["rss_before"]) / 1024 / result["clients"]
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    worst = max(latencies, default=0.0) * 1000
    posts = result["post_latencies"]
    sizes = result["sizes"]
    print(f"clients={result['clients']} workers={args.workers} {' '.join(args.server_env)} "
          f"messages={result['messages']} "
          f"(POST statuses {dict(result['statuses'])}, POST p50 {percentile(posts, 50) * 1000:.0f} ms)")
    print(f"delivered {delivered}/{expected} ({100 * delivered / max(expected, 1):.2f}%)")
    print(f"delivery latency p50: {p50:.0f} ms  p99: {p99:.0f} ms  max: {worst:.0f} ms")
    print(f"backend RSS {result['rss_before'] / 2**20:.0f} MiB -> {result['rss_after'] / 2**20:.0f} MiB: "
          f"{kib:.1f} KiB per connected client")
    print(f"backend CPU while sending: {result['cpu_seconds']:.1f} s for {result['messages']} messages "
          f"({1000 * result['cpu_seconds'] / max(delivered, 1):.2f} ms per delivery)")
    if args.verbose:
        for seq, values in sorted(result["by_message"].items()):
            print(f"  message {seq:3d}: {len(values)} deliveries, first {min(values) * 1000:.0f} ms, "
                  f"p50 {percentile(values, 50) * 1000:.0f} ms, last {max(values) * 1000:.0f} ms")
    if sizes:
        print(f"update size at one client: mean {sum(sizes) / len(sizes):.0f} B, max {max(sizes)} B")


if __name__ == "__main__":
    main()
