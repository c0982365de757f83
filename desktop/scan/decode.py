"""Read the QR codes in one camera frame: a PIL image in, their texts exactly as encoded out.

The pipeline (``bench.decode`` measures it on generated webcam-like frames):

1. grayscale; a frame longer than ``MAX_SIDE`` pixels is box-shrunk to that;
2. a texture search (a fifth of a zxing-cpp attempt's time) finds the spot where the
   frame is most finely textured all over an area of a code's size. A code's modules
   make such texture; a desk, a blank card or an edge does not. With no such spot the
   frame holds no readable code and nothing else runs: most empty frames stop here, which
   keeps an empty frame cheaper than one with a code;
3. one attempt on the whole frame;
4. only when it reads nothing: when zxing-cpp saw a QR symbol it could not read (finder
   patterns found, error correction failed), retries on that symbol's region; else, if
   the spot is textured well above what a desk shows, retries on a window around the
   spot, and on the whole spot when it is bigger than that window. A retry denoises,
   sharpens and enlarges the region and reads it with two binarizers, a few ways in turn
   until one reads: that is what reads a small card 10 to 30 cm away that lens blur has
   smeared past where zxing-cpp finds its finder patterns at all, and a phone screen whose
   moire breaks them up.

zxing-cpp is the default backend: on the same frames it finds more codes in a fraction
of pyzbar's time. pyzbar stays selectable (the texture search and one attempt, no
retries); as a second opinion on the retry regions it found nothing zxing-cpp did not,
so the default pipeline does not call it.

A wrong text is worse than none, so:

* a text is the code's bytes decoded as strict UTF-8; a code whose bytes are not UTF-8 is
  dropped, never guessed at. zbar runs in its binary mode for this: left alone it guesses
  a charset and turns some UTF-8 Chinese into Shift-JIS mojibake (会员 -> 莨壼遭);
* only regular (Model 2) QR codes are read: Micro QR's weak checksum let a corner of a
  blurred card's code decode as a made-up ``854``. Every retry is one more chance of a
  misread that the code's error correction lets through; none was seen in 2,500 frames
  and 500 empty ones (``bench.decode`` seeds 1 and 5 to 9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ctypes import string_at
from dataclasses import dataclass
from enum import StrEnum

import zxingcpp
from PIL import Image, ImageChops, ImageFilter
from pyzbar import wrapper as zbar  # type: ignore[import-untyped]

__all__ = ["MAX_SIDE", "DecoderBackend", "decode_frame"]

MAX_SIDE = 1280
"""Longer frames are shrunk to this many pixels on their long side before decoding."""

Box = tuple[int, int, int, int]

_REGION_MARGIN = 0.3  # around an unread symbol, as a share of its size
_MIN_REGION = 8  # pixels; zxing reports some failed symbols with no usable position
_SEARCH_SIDE = 320  # the texture search box-shrinks the frame to about this long side
_SEARCH_CELL = 8  # pixels of the shrunk frame a side of a search cell: 32 at 1280
_MIN_TEXTURE = 4  # mean absolute detail below which no code was ever read (bench.decode)
_MIN_RETRY_TEXTURE = 5  # below this a retry never read a code; 4 of 5 empty frames are
_WINDOW_CELLS = 3  # cells either side of the spot's best: 224 pixels, a small card's code
_MAX_ENLARGED = 900  # pixels on the long side of an enlarged region
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
    spot = _textured_spot(gray)
    if spot is None:
        return []
    attempt = _READERS[DecoderBackend(backend)](gray)
    if attempt.texts or backend != DecoderBackend.ZXING:
        return _unique(attempt.texts)
    texts = [text for box in attempt.unread for text in _retry(gray.crop(box), _RETRIES)]
    if texts or spot.texture < _MIN_RETRY_TEXTURE:
        return _unique(texts)
    texts = _retry(gray.crop(spot.window), _RETRIES)
    if not texts and spot.patch is not None:
        texts = _retry(gray.crop(spot.patch), _PATCH_RETRIES)
    return _unique(texts)


def _grayscale(image: Image.Image) -> Image.Image:
    gray = image.convert("L")  # a copy even when already grayscale: thumbnail() is in place
    gray.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)  # only ever shrinks
    return gray


@dataclass(frozen=True)
class _Spot:
    """Where a frame is most finely textured all over: where a code would be."""

    texture: int  # how textured, on the scale of _MIN_TEXTURE
    window: Box  # a small code's size and more around the spot's most textured part
    patch: Box | None  # around all of the spot when it is bigger than the window


def _textured_spot(gray: Image.Image) -> _Spot | None:
    """The frame's most finely textured spot; None if nowhere a code's size is textured enough.

    The frame, box-shrunk to about 320 pixels on its long side, less its local mean, is
    averaged over cells (32 frame pixels at 1280): a code's modules keep every cell over it
    high. A cell counts by the least of it and its 8 neighbours, so edges and lines, which
    are thin, count little. It takes about a fifth of one zxing-cpp attempt.
    """
    shrink = max(1, round(max(gray.size) / _SEARCH_SIDE))
    small = gray.reduce(shrink)
    detail = ImageChops.difference(small, small.filter(ImageFilter.BoxBlur(2)))
    cells = detail.reduce(_SEARCH_CELL)
    least = cells.filter(ImageFilter.MinFilter(3))
    texture = least.getextrema()[1]
    if not isinstance(texture, int) or texture < _MIN_TEXTURE:
        return None
    solid = least.tobytes()
    best = solid.index(texture)
    columns, step = cells.width, shrink * _SEARCH_CELL
    x, y = best % columns, best // columns
    reach = _WINDOW_CELLS
    window = (x - reach, y - reach, x + reach, y + reach)
    left, top, right, bottom = _patch(solid, columns, best, texture // 2)
    patch = (left - 2, top - 2, right + 2, bottom + 2)  # 1 for the min filter, 1 of margin
    inside = patch[0] >= window[0] and patch[1] >= window[1]
    inside = inside and patch[2] <= window[2] and patch[3] <= window[3]
    return _Spot(
        texture,
        _frame_box(window, step, gray.size),
        None if inside else _frame_box(patch, step, gray.size),
    )


def _patch(values: bytes, columns: int, start: int, floor: int) -> Box:
    """The cells (left, top, right, bottom) around the 4-connected cells >= ``floor``."""
    seen, todo = {start}, [start]
    while todo:
        cell = todo.pop()
        x = cell % columns
        near = [cell - columns, cell + columns]
        near += [cell - 1] if x > 0 else []
        near += [cell + 1] if x + 1 < columns else []
        for other in near:
            if 0 <= other < len(values) and other not in seen and values[other] >= floor:
                seen.add(other)
                todo.append(other)
    xs, ys = [cell % columns for cell in seen], [cell // columns for cell in seen]
    return min(xs), min(ys), max(xs), max(ys)


def _frame_box(cells: Box, step: int, size: tuple[int, int]) -> Box:
    """Cells (left, top, right, bottom, inclusive) as a box of frame pixels, clipped."""
    left, top, right, bottom = cells
    return (
        max(0, left * step),
        max(0, top * step),
        min(size[0], (right + 1) * step),
        min(size[1], (bottom + 1) * step),
    )


@dataclass(frozen=True)
class _CleanUp:
    """Denoise, sharpen, enlarge: a blurred, noisy code made crisp enough for zxing-cpp."""

    denoise: float  # Gaussian blur radius first (evens out noise and moire); 0 for none
    radius: float  # unsharp mask radius and percent, in the region's pixels
    percent: int
    factor: int  # then enlarged this many times, fewer if it would pass _MAX_ENLARGED

    def apply(self, region: Image.Image) -> Image.Image:
        image = region.filter(ImageFilter.GaussianBlur(self.denoise)) if self.denoise else region
        image = image.filter(ImageFilter.UnsharpMask(self.radius, self.percent, threshold=0))
        factor = max(1, min(self.factor, _MAX_ENLARGED // max(region.size)))
        return image.resize((image.width * factor, image.height * factor), _BICUBIC)


def _retry(region: Image.Image, cleanups: tuple[_CleanUp, ...]) -> list[str]:
    """Read a region that may hold a code, each clean-up with each binarizer, until one reads."""
    for cleanup in cleanups:
        image = cleanup.apply(region)
        for binarizer in _BINARIZERS:
            texts = _read_zxing(image, binarizer).texts
            if texts:
                return texts
    return []


_BICUBIC = Image.Resampling.BICUBIC
_RETRIES = (
    _CleanUp(denoise=1.0, radius=1.5, percent=800, factor=4),
    _CleanUp(denoise=0, radius=1.5, percent=500, factor=4),
    _CleanUp(denoise=1.0, radius=1.5, percent=500, factor=4),
)
# A spot bigger than the window is a bigger code: coarser modules, under coarser moire.
_PATCH_RETRIES = (_CleanUp(denoise=2, radius=3, percent=300, factor=2),)
_BINARIZERS = (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram)


def _read_zxing(
    gray: Image.Image, binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
) -> _Attempt:
    found = zxingcpp.read_barcodes(
        gray, formats=_qr_only(), try_rotate=False, binarizer=binarizer, return_errors=True
    )
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


def _qr_only() -> zxingcpp.BarcodeFormats:
    # Made per call: a module-level instance outlives nanobind's teardown in the GUI
    # process, which then reports it as leaked at every exit.
    return zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
