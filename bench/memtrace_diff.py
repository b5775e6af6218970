"""Compare tracemalloc snapshots of the backend workers (written by `chat_fanout.py --tracemalloc`).

    .venv/bin/python bench/memtrace_diff.py warm joined [--clients 200] [--top 25] [--by lineno]

Sums every worker's `data/tracemalloc-<pid>-<label>.snap` and prints the biggest growths from
the first label to the second, grouped by `lineno`, `filename` or `traceback` (traceback:
the frames of each allocation site, innermost last, trimmed to `--frames`), in KiB per client
when `--clients` is given.
"""

from __future__ import annotations

import argparse
import glob
import tracemalloc
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def load(label: str) -> dict[str, tracemalloc.Snapshot]:
    snaps = {}
    for path in sorted(glob.glob(str(DATA / f"tracemalloc-*-{label}.snap"))):
        pid = Path(path).name.split("-")[1]
        snaps[pid] = tracemalloc.Snapshot.load(path).filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
    return snaps


def short(filename: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--by", default="lineno", choices=["lineno", "filename", "traceback"])
    parser.add_argument("--frames", type=int, default=12)
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    scale = 1024 * (args.clients or 1)
    unit = "KiB/client" if args.clients else "KiB"
    growth: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = 0
    for pid, snap in after.items():
        if pid not in before:
            continue
        for stat in snap.compare_to(before[pid], args.by):
            if args.by == "traceback":
                frames = list(stat.traceback)[-args.frames:]
                key = "\n      ".join(f"{short(f.filename)}:{f.lineno}" for f in frames)
            elif args.by == "filename":
                key = short(stat.traceback[0].filename)
            else:
                key = f"{short(stat.traceback[0].filename)}:{stat.traceback[0].lineno}"
            growth[key][0] += stat.size_diff
            growth[key][1] += stat.count_diff
            total += stat.size_diff
    print(f"workers {sorted(after)}; traced growth {total / scale:.1f} {unit}")
    for key, (size, count) in sorted(growth.items(), key=lambda kv: -kv[1][0])[: args.top]:
        print(f"{size / scale:8.2f} {unit} {count:+9d} blocks  {key}")


if __name__ == "__main__":
    main()
