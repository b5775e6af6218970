"""Upload a 200 MB generated video to the production backend and watch its memory.

Runs `reflex run --env prod --backend-only` (granian workers) on a fresh PostgreSQL database,
generates a file with a valid MP4 `ftyp` header (streamed to disk, never held in memory),
sends it as `POST /api/recordings/` multipart with a hand-built, streamed body (httpx with a
generator and a Content-Length), and samples the RSS of the backend's whole process tree
every 50 ms. Prints throughput and peak RSS growth; target growth: under 50 MB, which is
only possible if the server streams the upload to disk instead of buffering it.

    .venv/bin/python bench/upload.py [--mb 200] [--chunk-kb 1024]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psutil
from _server import ROOT, fresh_database, prepare, production_backend

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
MB = 1024 * 1024


def generate_video(path: Path, size: int) -> None:
    """A valid ISO-BMFF header and random-looking payload, written 1 MiB at a time."""
    block = os.urandom(MB)
    with path.open("wb") as out:
        out.write(MP4_HEAD)
        left = size - len(MP4_HEAD)
        while left > 0:
            piece = block[: min(MB, left)]
            out.write(piece)
            left -= len(piece)


def seed_admin() -> None:
    from sqlmodel import Session

    from webinar_app.core import db
    from webinar_app.core.security import hash_password
    from webinar_app.models import User

    with Session(db.get_engine()) as session:
        session.add(
            User(username="uploader", username_key="uploader", email="up@bench.io", email_key="up@bench.io",
                 password_hash=hash_password("bench-password-1"), role="admin", is_active=True,
                 email_verified=True)
        )
        session.commit()


def multipart_body(path: Path, fields: dict[str, str], chunk: int) -> tuple[str, int, Iterator[bytes]]:
    """(content type, exact length, generator): the file is read chunk by chunk as it is sent."""
    boundary = uuid.uuid4().hex
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as source:
            while data := source.read(chunk):
                yield data
        yield tail

    return f"multipart/form-data; boundary={boundary}", length, body()


def backend_tree(port: int) -> list[psutil.Process]:
    """Every process of the backend's session (reflex, granian and its workers)."""
    listener = next(
        c.pid for c in psutil.net_connections(kind="tcp")
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid
    )
    session_id = os.getsid(listener)
    tree = []
    for proc in psutil.process_iter():
        try:
            if os.getsid(proc.pid) == session_id:
                tree.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return tree


def rss(tree: list[psutil.Process]) -> int:
    total = 0
    for proc in tree:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, tree: list[psutil.Process], interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.tree, self.interval = tree, interval
        self.peak = 0
        self.samples = 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak = max(self.peak, rss(self.tree))
            self.samples += 1
            time.sleep(self.interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--chunk-kb", type=int, default=1024)
    args = parser.parse_args()

    name = f"bench_upload_{secrets.token_hex(3)}"
    database_url = fresh_database(name)
    recordings_dir = ROOT / "data" / "bench-recordings"
    shutil.rmtree(recordings_dir, ignore_errors=True)
    os.environ["RECORDINGS_DIR"] = str(recordings_dir)
    prepare(database_url)
    seed_admin()
    workdir = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    video = workdir / "bench.mp4"
    size = args.mb * MB
    generate_video(video, size)
    try:
        with production_backend(database_url) as url:
            port = int(url.rsplit(":", 1)[1])
            with httpx.Client(base_url=url, timeout=300) as client:
                login = client.post("/api/accounts/auth/login/",
                                    json={"username": "uploader", "password": "bench-password-1"})
                headers = {"Authorization": f"Bearer {login.json()['access']}"}
                from webinar_app.core.security import utcnow

                start = utcnow() + timedelta(days=1)
                webinar = client.post("/api/webinars/", headers=headers, json={
                    "title": "Bench", "date": start.date().isoformat(), "time": start.strftime("%H:%M")})
                webinar_id = webinar.json()["id"]
                # Warm the route (first request imports and compiles lazily in each worker).
                client.get("/api/recordings/", headers=headers)

                tree = backend_tree(port)
                time.sleep(1.0)
                baseline = max(rss(tree) for _ in range(10) if time.sleep(0.05) is None)
                sampler = Sampler(tree)
                sampler.start()
                content_type, length, body = multipart_body(
                    video, {"event": str(webinar_id), "title": "Bench upload", "is_public": "false"},
                    args.chunk_kb * 1024,
                )
                began = time.perf_counter()
                response = client.post("/api/recordings/", content=body, headers={
                    **headers, "Content-Type": content_type, "Content-Length": str(length)})
                elapsed = time.perf_counter() - began
                time.sleep(0.2)
                sampler.stop_event.set()
                sampler.join()
                assert response.status_code == 201, response.text
                created = response.json()
                assert created["file_size"] == size, created
                ranged = httpx.get(created["recording_link"], headers={"Range": "bytes=0-23"}, timeout=30)
                assert ranged.status_code == 206 and ranged.content == MP4_HEAD[:24]

                growth = max(0, sampler.peak - baseline)
                print(f"uploaded {args.mb} MiB in {elapsed:.2f} s: {size / MB / elapsed:.1f} MiB/s")
                print(f"backend processes: {len(tree)}; RSS samples: {sampler.samples} (every 50 ms)")
                print(f"backend RSS baseline {baseline / MB:.1f} MiB, peak {sampler.peak / MB:.1f} MiB, "
                      f"peak growth {growth / MB:.1f} MiB (target < 50 MB)")
                print(f"stored: {created['content_type']}, {created['file_size']} bytes; Range read 206 OK")
                client.delete(f"/api/recordings/{created['id']}/", headers=headers)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(recordings_dir, ignore_errors=True)
        from webinar_app.core import db

        db.get_engine().dispose()
        import psycopg
        from _server import PG_ADMIN

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
