"""Turn a member photo (a chosen file or a webcam frame) into a small upright RGB JPEG.

Every photo is stored the same way whatever its source: EXIF orientation applied, RGB
(transparency flattened onto white), at most ``max_side`` pixels on its longer side, JPEG
at quality 85 with no metadata (no camera, time or GPS tags leave the terminal).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps

from shared.errors import PhotoTooLarge, PhotoUnreadable

__all__ = [
    "DEFAULT_MAX_SIDE",
    "JPEG_QUALITY",
    "MAX_PHOTO_FILE_BYTES",
    "MAX_PHOTO_PIXELS",
    "load_photo_bytes",
    "normalise_photo",
    "normalise_photo_bytes",
]

DEFAULT_MAX_SIDE = 640
JPEG_QUALITY = 85
MAX_PHOTO_FILE_BYTES = 50 * 1024 * 1024
"""A chosen file larger than this is refused before it is read."""
MAX_PHOTO_PIXELS = 80_000_000
"""An image with more pixels than this is refused before it is decoded."""
_MIN_SIDE = 16


def normalise_photo(image: Image.Image, max_side: int = DEFAULT_MAX_SIDE) -> bytes:
    """``image`` upright, RGB, downscaled to fit ``max_side``, as JPEG bytes.

    ``image`` itself is not changed.
    """
    _check_max_side(max_side)
    upright = ImageOps.exif_transpose(image)
    rgb = _flatten_to_rgb(upright)
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def normalise_photo_bytes(data: bytes, max_side: int = DEFAULT_MAX_SIDE) -> bytes:
    """Encoded image bytes (e.g. a webcam frame as PNG or JPEG) as a normalised JPEG.

    ``PhotoUnreadable`` when the bytes are not an image, ``PhotoTooLarge`` when it has
    more than ``MAX_PHOTO_PIXELS`` pixels.
    """
    _check_max_side(max_side)
    return _normalise_encoded(io.BytesIO(data), max_side, {})


def load_photo_bytes(path: Path, max_side: int = DEFAULT_MAX_SIDE) -> bytes:
    """The image file a person chose at ``path`` as a normalised JPEG.

    ``PhotoUnreadable`` when it is missing or not an image, ``PhotoTooLarge`` when it is
    larger than ``MAX_PHOTO_FILE_BYTES`` or has more than ``MAX_PHOTO_PIXELS`` pixels.
    """
    _check_max_side(max_side)
    where = {"path": str(path)}
    try:
        size = path.stat().st_size
    except OSError:
        raise PhotoUnreadable(**where) from None
    if size > MAX_PHOTO_FILE_BYTES:
        raise PhotoTooLarge(max_bytes=MAX_PHOTO_FILE_BYTES, **where)
    return _normalise_encoded(path, max_side, where)


def _normalise_encoded(source: Path | BinaryIO, max_side: int, where: dict[str, str]) -> bytes:
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise PhotoTooLarge(max_pixels=MAX_PHOTO_PIXELS, **where)
            image.draft(None, (max_side, max_side))  # JPEG: decode at a reduced scale
            image.load()
            return normalise_photo(image, max_side)
    except Image.DecompressionBombError:
        raise PhotoTooLarge(max_pixels=MAX_PHOTO_PIXELS, **where) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise PhotoUnreadable(**where) from None


def _check_max_side(max_side: int) -> None:
    if max_side < _MIN_SIDE:
        raise ValueError(f"max_side must be at least {_MIN_SIDE}")


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB, with any transparency composited onto white."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat
