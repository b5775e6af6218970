"""Accepting uploaded images: decode for real (not by extension), then re-encode resized.

Re-encoding drops anything that is not pixels (EXIF, polyglot payloads).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from webinar_app.services.errors import Invalid

Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


def normalise_image(data: bytes, *, field: str, max_side: int, max_bytes: int) -> bytes:
    """Return PNG/JPEG bytes of at most `max_side` pixels per side, or raise Invalid."""
    if not data:
        raise Invalid.field(field, "The submitted file is empty.")
    if len(data) > max_bytes:
        raise Invalid.field(field, f"The file is too large (max {max_bytes // (1024 * 1024)} MB).")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid.field(
            field,
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
        ) from None
    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.convert("RGBA").save(out, format="PNG", optimize=True)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=88)
    return out.getvalue()


def image_suffix(data: bytes) -> str:
    return ".png" if data.startswith(b"\x89PNG") else ".jpg"
