"""Streaming recording uploads: chunks to a temp file, a size limit and a content check on the way.

Both doors feed this one writer: the REST route parses the multipart stream itself and the UI's
`rx.upload_files_chunk` handler gets chunks from Reflex, so a 2 GiB upload never sits in memory
and the limit is enforced while the bytes arrive (the browser's limit is only advisory).

Rules that hold on every path:
- the stored name is random (`<uuid>.<ext>` from the detected type); the client's filename,
  with its `../` or absolute paths, is never used for anything on disk;
- the temp file lives in RECORDINGS_DIR itself, so finishing is one atomic `os.replace`;
- on any failure (too large, not a video, client gone, database error) nothing is left behind.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from webinar_app.core.config import get_settings
from webinar_app.services.errors import Invalid, TooLarge

FIELD = "file"
# Enough to see an MP4 `ftyp` box, an EBML DocType, Ogg's first pages and several TS packets.
SNIFF_BYTES = 4096
TS_PACKET = 188
TEMP_PREFIX = ".upload-"
TEMP_SUFFIX = ".part"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(mp4|mov|webm|mkv|ogv|ts)$")

# HEIF/AVIF still images use ISO-BMFF `ftyp` boxes too: a photo renamed .mp4 is not a video.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"pnot", b"skip"}

NOT_VIDEO = (
    "The file is not a supported video (MP4, MOV, WebM, MKV, Ogg Theora/VP8 or MPEG-TS). "
    "Its content was checked, not its name."
)
EMPTY = "The submitted file is empty."


def too_large_message(max_bytes: int) -> str:
    return f"The file is too large (max {human_size(max_bytes)})."


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class VideoType:
    content_type: str
    extension: str


MP4 = VideoType("video/mp4", "mp4")
MOV = VideoType("video/quicktime", "mov")
WEBM = VideoType("video/webm", "webm")
MKV = VideoType("video/x-matroska", "mkv")
OGV = VideoType("video/ogg", "ogv")
MPEG_TS = VideoType("video/mp2t", "ts")
CONTENT_TYPES = {t.extension: t.content_type for t in (MP4, MOV, WEBM, MKV, OGV, MPEG_TS)}


def sniff_video(head: bytes) -> VideoType | None:
    """What video container `head` (the file's first bytes) starts, judged by magic bytes only."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        brand = head[8:12]
        if box_size < 8 or brand in _IMAGE_BRANDS:
            return None
        return MOV if brand == b"qt  " else MP4
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[0:4], "big") >= 8:
        return MOV  # pre-`ftyp` QuickTime files start with a movie atom
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in head[:64] else MKV
    if head.startswith(b"OggS"):
        # Ogg is a container: Vorbis/Opus audio-only files are not recordings.
        return OGV if (b"\x80theora" in head or b"OVP80" in head) else None
    packets = len(head) // TS_PACKET
    if packets >= 3 and all(head[i * TS_PACKET] == 0x47 for i in range(min(packets, 8))):
        return MPEG_TS
    return None


def recordings_root() -> Path:
    root = get_settings().recordings_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def resolve_stored(name: str | None) -> Path | None:
    """The file for a stored name, or None: names we did not generate never reach the disk."""
    if not name or not _STORED_NAME.match(name):
        return None
    path = recordings_root() / name
    return path if path.is_file() else None


def delete_stored(name: str | None) -> None:
    path = resolve_stored(name)
    if path is not None:
        path.unlink(missing_ok=True)


@dataclass
class StoredFile:
    """A finished, checked upload, still under its temp name until `place` moves it."""

    temp_path: Path
    name: str
    size: int
    content_type: str
    placed: bool = False

    @property
    def path(self) -> Path:
        return self.temp_path.parent / self.name

    def place(self) -> None:
        """Atomic: the final name either holds the whole file or does not exist."""
        os.replace(self.temp_path, self.path)
        self.placed = True

    def discard(self) -> None:
        """Undo everything (the caller's database work failed)."""
        self.temp_path.unlink(missing_ok=True)
        if self.placed:
            self.path.unlink(missing_ok=True)


class RecordingUpload:
    """Write one upload chunk by chunk; `finish()` checks it, `abort()` (or an error) removes it.

    Used as a context manager, any exception inside the block removes the temp file.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = get_settings().max_recording_bytes if max_bytes is None else max_bytes
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=recordings_root())
        self.temp_path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._head = bytearray()
        self._kind: VideoType | None = None
        self.size = 0
        self.closed = False

    def __enter__(self) -> RecordingUpload:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.abort()

    def write(self, data: bytes) -> None:
        """Append a chunk; refuses (and cleans up) as soon as the limit or the type is wrong."""
        if self.closed:
            raise RuntimeError("upload already finished")
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            self.abort()
            raise TooLarge({FIELD: [too_large_message(self.max_bytes)]})
        if self._kind is None and len(self._head) < SNIFF_BYTES:
            self._head += data[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES:
                self._check_type()
        self._file.write(data)

    def _check_type(self) -> None:
        self._kind = sniff_video(bytes(self._head))
        if self._kind is None:
            self.abort()
            raise Invalid({FIELD: [NOT_VIDEO]})

    def finish(self) -> StoredFile:
        """Close, check the type (small files end before the sniff window fills), hand over."""
        if self.size == 0:
            self.abort()
            raise Invalid({FIELD: [EMPTY]})
        if self._kind is None:
            self._check_type()
        assert self._kind is not None
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        except OSError:
            self.abort()
            raise
        self.closed = True
        return StoredFile(
            temp_path=self.temp_path,
            name=f"{uuid.uuid4().hex}.{self._kind.extension}",
            size=self.size,
            content_type=self._kind.content_type,
        )

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.closed = True
        self.temp_path.unlink(missing_ok=True)


def check_declared_length(content_length: str | None, *, slack: int = 1024 * 1024) -> None:
    """Refuse before reading a byte when the client already says the body is too big.

    `slack` covers multipart boundaries and the small text fields next to the file.
    """
    if not content_length or not content_length.strip().isdigit():
        return
    max_bytes = get_settings().max_recording_bytes
    if int(content_length) > max_bytes + slack:
        raise TooLarge({FIELD: [too_large_message(max_bytes)]})
