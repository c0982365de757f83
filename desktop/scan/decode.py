"""Read the QR codes in one camera frame: a PIL image in, their texts exactly as encoded out.

The pipeline (``bench.decode`` measures it on generated webcam-like frames):

1. grayscale; a frame longer than ``MAX_SIDE`` pixels is box-shrunk to that;
2. one attempt on the whole frame;
3. only when it reads nothing but zxing-cpp saw a QR symbol it could not read (finder
   patterns found, error correction failed), retries on that symbol's region: sharpened,
   then enlarged twice and sharpened, then enlarged three times. A frame without a code
   gives no such region, so it costs the one attempt and no more.

zxing-cpp is the default backend: on the same frames it finds more codes in a fraction
of pyzbar's time. pyzbar stays selectable (one attempt, no retries: zbar reports no
unread symbols); as a second opinion on the retry regions it found nothing zxing-cpp did
not, so the default pipeline does not call it.

A wrong text is worse than none, so:

* a text is the code's bytes decoded as strict UTF-8; a code whose bytes are not UTF-8 is
  dropped, never guessed at. zbar runs in its binary mode for this: left alone it guesses
  a charset and turns some UTF-8 Chinese into Shift-JIS mojibake (会员 -> 莨壼遭);
* only regular (Model 2) QR codes are read: Micro QR's weak checksum let a corner of a
  blurred card's code decode as a made-up ``854``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ctypes import string_at
from dataclasses import dataclass
from enum import StrEnum

import zxingcpp
from PIL import Image, ImageFilter
from pyzbar import wrapper as zbar  # type: ignore[import-untyped]

__all__ = ["MAX_SIDE", "DecoderBackend", "decode_frame"]

MAX_SIDE = 1280
"""Longer frames are shrunk to this many pixels on their long side before decoding."""

Box = tuple[int, int, int, int]

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
_REGION_MARGIN = 0.3  # around an unread symbol, as a share of its size
_MIN_REGION = 8  # pixels; zxing reports some failed symbols with no usable position
_ZBAR_GRAY = 0x30303859  # fourcc "Y800": 8-bit grayscale
_ZBAR_CFG_BINARY = 4  # zbar.h ZBAR_CFG_BINARY: raw bytes, no charset guess; old zbar lacks it


class DecoderBackend(StrEnum):
    """The library that reads the codes (a terminal setting); zxing-cpp by default."""

    ZXING = "zxing"
    PYZBAR = "pyzbar"


@dataclass(frozen=True)
class _Attempt:
    texts: list[str]
    unread: list[Box]  # where a QR symbol was seen but could not be read


def decode_frame(image: Image.Image, backend: DecoderBackend = DecoderBackend.ZXING) -> list[str]:
    """The texts of the QR codes in ``image``, each once, in the order found; [] for none."""
    gray = _grayscale(image)
    attempt = _READERS[DecoderBackend(backend)](gray)
    if attempt.texts:
        return _unique(attempt.texts)
    return _unique(text for box in attempt.unread for text in _retry(gray.crop(box)))


def _grayscale(image: Image.Image) -> Image.Image:
    gray = image.convert("L")  # a copy even when already grayscale: thumbnail() is in place
    gray.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)  # only ever shrinks
    return gray


def _retry(region: Image.Image) -> list[str]:
    """Read an unread symbol's region, trying each way of cleaning it up until one works."""
    for clean in _CLEAN_UPS:
        texts = _read_zxing(clean(region)).texts
        if texts:
            return texts
    return []


def _sharpen(region: Image.Image) -> Image.Image:
    return region.filter(ImageFilter.UnsharpMask(radius=2, percent=150, threshold=3))


def _enlarge(region: Image.Image, factor: int) -> Image.Image:
    size = (region.width * factor, region.height * factor)
    return region.resize(size, Image.Resampling.BICUBIC)


_CLEAN_UPS: tuple[Callable[[Image.Image], Image.Image], ...] = (
    _sharpen,
    lambda region: _sharpen(_enlarge(region, 2)),
    lambda region: _enlarge(region, 3),
)


def _read_zxing(gray: Image.Image) -> _Attempt:
    found = zxingcpp.read_barcodes(gray, formats=_QR, try_rotate=False, return_errors=True)
    texts = [text for code in found if code.valid and (text := _utf8(code.bytes)) is not None]
    unread = [_region(code.position, gray.size) for code in found if not code.valid]
    return _Attempt(texts, [box for box in unread if _big_enough(box)])


def _region(position: zxingcpp.Position, size: tuple[int, int]) -> Box:
    """The symbol's bounding box with a margin, clipped to the image."""
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    margin = _REGION_MARGIN * max(max(xs) - min(xs), max(ys) - min(ys))
    return (
        max(0, int(min(xs) - margin)),
        max(0, int(min(ys) - margin)),
        min(size[0], int(max(xs) + margin)),
        min(size[1], int(max(ys) + margin)),
    )


def _big_enough(box: Box) -> bool:
    return box[2] - box[0] >= _MIN_REGION and box[3] - box[1] >= _MIN_REGION


def _read_pyzbar(gray: Image.Image) -> _Attempt:
    texts = [text for data in _zbar_scan(gray) if (text := _utf8(data)) is not None]
    return _Attempt(texts, [])


def _zbar_scan(gray: Image.Image) -> list[bytes]:
    """The raw bytes of every QR code zbar finds in a grayscale image."""
    pixels = gray.tobytes()
    scanner = zbar.zbar_image_scanner_create()
    image = zbar.zbar_image_create()
    try:
        zbar.zbar_image_scanner_set_config(
            scanner, zbar.ZBarSymbol.NONE, zbar.ZBarConfig.CFG_ENABLE, 0
        )
        zbar.zbar_image_scanner_set_config(
            scanner, zbar.ZBarSymbol.QRCODE, zbar.ZBarConfig.CFG_ENABLE, 1
        )
        raw = zbar.zbar_image_scanner_set_config(
            scanner, zbar.ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1
        )
        zbar.zbar_image_set_format(image, _ZBAR_GRAY)
        zbar.zbar_image_set_size(image, gray.width, gray.height)
        zbar.zbar_image_set_data(image, pixels, len(pixels), None)
        zbar.zbar_scan_image(scanner, image)
        found = list(_zbar_symbols(image))
    finally:
        zbar.zbar_image_destroy(image)
        zbar.zbar_image_scanner_destroy(scanner)
    # Without binary mode (an older zbar) only ASCII survives zbar's charset guess intact.
    return found if raw == 0 else [data for data in found if data.isascii()]


def _zbar_symbols(image: object) -> Iterable[bytes]:
    symbol = zbar.zbar_image_first_symbol(image)
    while symbol:
        length: int = zbar.zbar_symbol_get_data_length(symbol)
        yield string_at(zbar.zbar_symbol_get_data(symbol), length)
        symbol = zbar.zbar_symbol_next(symbol)


_READERS: dict[DecoderBackend, Callable[[Image.Image], _Attempt]] = {
    DecoderBackend.ZXING: _read_zxing,
    DecoderBackend.PYZBAR: _read_pyzbar,
}


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))
