"""Opt-in tracemalloc snapshots of a backend worker, to find where memory per connection goes.

Only registered when `WEBINAR_TRACEMALLOC=1` (see webinar_app.py): tracing slows every
allocation, so it is a diagnosis tool, never on in production. Granian workers have no
handy way to receive a signal in their event loop's thread, so the trigger is a file:
writing a label to `data/tracemalloc.trigger` makes every worker write
`data/memstats-<pid>-<label>.txt` (RSS, glibc, pymalloc and RSS by mapping: which allocator holds
the memory) and, unless `WEBINAR_TRACEMALLOC_FRAMES=0`, `data/tracemalloc-<pid>-<label>.snap`
(compare those with `bench/memtrace_diff.py`). A label ending in `trim` calls `malloc_trim(0)`
first. Used by `bench/chat_fanout.py --tracemalloc`.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import sys
import threading
import tracemalloc
from collections import Counter

from webinar_app.core.config import DATA_DIR

log = logging.getLogger(__name__)

TRIGGER = DATA_DIR / "tracemalloc.trigger"


def enabled() -> bool:
    return os.environ.get("WEBINAR_TRACEMALLOC") == "1"


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mapping_stats() -> str:
    """RSS by kind of mapping: glibc heap, thread stacks/arenas, pymalloc arenas (1 MiB), other anon."""
    rss: Counter[str] = Counter()
    count: Counter[str] = Counter()
    kind = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                size = end - start
                name = fields[5] if len(fields) > 5 else ""
                if name.startswith("["):
                    kind = name
                elif name:
                    kind = "file"
                elif size == 2**20:
                    kind = "anon 1 MiB (pymalloc arenas)"
                elif size >= 2**26 - 2**22:
                    kind = "anon ~64 MiB (glibc thread arenas)"
                elif 2**23 <= size <= 2**23 + 2**16:
                    kind = "anon 8 MiB (thread stacks)"
                else:
                    kind = f"anon other ({'<1 MiB' if size < 2**20 else '>=1 MiB'})"
                count[kind] += 1
            elif fields[0] == "Rss:":
                rss[kind] += int(fields[1])
    return "\n".join(f"  {k}: {v / 1024:.1f} MiB in {count[k]} mappings" for k, v in rss.most_common())


def _pymalloc_summary() -> str:
    """The arena lines of `sys._debugmallocstats()`, which writes to the C-level stderr."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out:
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()
    keep = ("# arenas allocated current", "# bytes in allocated blocks", "# bytes in available blocks",
            "Total", "# arenas highwater", "unused pools", "# bytes lost")
    return "\n".join(f"  pymalloc {ln.strip()}" for ln in text.splitlines() if ln.strip().startswith(keep))


def malloc_stats(trim: bool = False) -> str:
    """RSS vs what glibc's malloc and Python hold: tells heap growth from retained free memory."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _Mallinfo2
    line = []
    for step in ("before trim", "after trim") if trim else ("now",):
        if step == "after trim":
            libc.malloc_trim(0)
        info = libc.mallinfo2()
        line.append(
            f"{step}: rss {_rss() / 2**20:.1f} MiB; malloc arena {info.arena / 2**20:.1f} MiB "
            f"(in use {info.uordblks / 2**20:.1f}, free {info.fordblks / 2**20:.1f}), "
            f"mmapped {info.hblkhd / 2**20:.1f} MiB; python blocks {sys.getallocatedblocks()}; "
            f"threads {threading.active_count()}"
        )
    line.append(mapping_stats())
    line.append(_pymalloc_summary())
    return "\n".join(line)


def census(top: int = 40) -> str:
    """Live objects by type and every task's await chain: what each connected tab leaves behind."""
    kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    lines = [f"  {n:8d} {name}" for name, n in kinds.most_common(top)]
    lines.append(_task_chains())
    return "\n".join(lines)


def _task_chains() -> str:
    """Every task's await chain (coroutine qualnames): what each connection keeps suspended."""
    chains: Counter[str] = Counter()
    for task in asyncio.all_tasks():
        names, coro = [], task.get_coro()
        while coro is not None and len(names) < 60:
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            names.append(code.co_qualname if code else type(coro).__name__)
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        chains[" > ".join(names)] += 1
    return "\n".join(f"  task x{n}: {chain}" for chain, n in chains.most_common(20))


async def tracemalloc_lifespan() -> None:
    """Trace this worker's allocations; snapshot whenever the trigger file names a new label."""
    frames = int(os.environ.get("WEBINAR_TRACEMALLOC_FRAMES", "30"))
    if frames:  # 0: only the malloc statistics (tracing slows the worker and moves the figures)
        tracemalloc.start(frames)
    done: set[str] = set()
    while True:
        await asyncio.sleep(0.5)
        try:
            label = TRIGGER.read_text().strip()
        except OSError:
            continue
        if not label or label in done:
            continue
        done.add(label)
        gc.collect()  # what is left is reachable (or in the allocator's free lists)
        stats = malloc_stats(trim=label.endswith("trim")) + "\n" + census()
        (DATA_DIR / f"memstats-{os.getpid()}-{label}.txt").write_text(stats + "\n")
        if not tracemalloc.is_tracing():
            continue
        path = DATA_DIR / f"tracemalloc-{os.getpid()}-{label}.snap"
        tracemalloc.take_snapshot().dump(str(path))  # in the loop: a thread would hold the GIL anyway
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()  # the next label's peak is what happened since this one
        log.warning("tracemalloc %s: %s (traced %.1f MiB, peak %.1f MiB)", label, path,
                    current / 2**20, peak / 2**20)
