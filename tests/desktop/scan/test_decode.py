"""decode_frame on real QR card images made into webcam-like frames, through the real decoders."""

from __future__ import annotations

import random

import pytest
import qrcode  # type: ignore[import-untyped]
import zxingcpp
from PIL import Image, ImageDraw, ImageOps
from pyzbar import pyzbar  # type: ignore[import-untyped]

from bench.webcam_frames import Look, empty_frame, qr_source, webcam_frame
from desktop.scan import DecoderBackend, decode_frame
from desktop.scan.decode import _textured_spot
from shared.card import encode_card

KEY = bytes(range(32))
CARD = encode_card("0190f1c2-3b4a-7d5e-8f60-718293a4b5c6", 3, KEY)
OTHER_CARD = encode_card("0190f1c2-3b4a-7d5e-8f60-718293a4b5c7", 1, KEY)
# Left to guess the charset, zbar reads these UTF-8 bytes as Shift-JIS: 莨壼遭:譚主屁:D1000001.
CHINESE = "会员:李四:D1000001"
HALF = (640, 720)  # two of these side by side make one 1280x720 frame
# Small and blurred: the first attempt sees the code but cannot read it; the retry can.
ONLY_THE_RETRY_READS = Look(width=0.5, blur=2.0)
# Smaller and as blurred: zxing-cpp finds no finder pattern, so no unread symbol either.
SEEN_BY_NOTHING_BUT_ITS_TEXTURE = Look(width=0.22, blur=1.8)

BACKENDS = list(DecoderBackend)


def frame(
    payload: str, look: Look, seed: int = 0, size: tuple[int, int] = (1280, 720)
) -> Image.Image:
    return webcam_frame(qr_source(payload), random.Random(seed), size, look)


def side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    both = Image.new("RGB", (left.width + right.width, left.height))
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    return both


def symbols_seen(image: Image.Image) -> list[zxingcpp.Barcode]:
    """Every QR symbol one plain zxing-cpp attempt locates, read or not."""
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
    return zxingcpp.read_barcodes(image.convert("L"), formats=qr, return_errors=True)


def first_symbol_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the first QR symbol zxing-cpp locates in ``image``."""
    position = symbols_seen(image)[0].position
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def first_attempt_reads(image: Image.Image) -> list[str]:
    """What one plain zxing-cpp attempt reads: what decode_frame does before any retry."""
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
    return [code.text for code in zxingcpp.read_barcodes(image.convert("L"), formats=qr)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_clean_card_reads_as_its_payload(backend: DecoderBackend) -> None:
    assert decode_frame(frame(CARD, Look()), backend) == [CARD]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_utf8_chinese_payload_comes_back_exactly(backend: DecoderBackend) -> None:
    image = frame(CHINESE, Look())

    assert decode_frame(image, backend) == [CHINESE]


def test_stock_pyzbar_would_have_mangled_that_payload() -> None:
    """Why the pyzbar backend runs zbar in binary mode: the same frame, read the usual way."""
    found = pyzbar.decode(frame(CHINESE, Look()), symbols=[pyzbar.ZBarSymbol.QRCODE])

    assert [symbol.data.decode("utf-8") for symbol in found] == ["莨壼遭:譚主屁:D1000001"]


LOOKS = {
    "small": Look(width=0.22),
    "large": Look(width=0.6),
    "rotated 20 degrees": Look(angle=20.0),
    "rotated -20 degrees": Look(angle=-20.0),
    "tilted": Look(tilt=0.1),
    "blurred": Look(blur=2.0),
    "noisy": Look(noise=0.08),
    "low contrast": Look(contrast=0.35),
    "dark": Look(brightness=0.7),
    "overexposed": Look(brightness=1.25),
    "glare": Look(glare=0.8),
    "jpeg": Look(jpeg=30),
    "phone screen": Look(phone=True),
    "all at once": Look(
        width=0.4,
        angle=12,
        tilt=0.05,
        blur=1.2,
        noise=0.04,
        contrast=0.6,
        glare=0.4,
        jpeg=50,
        phone=True,
    ),
}


@pytest.mark.parametrize("look", LOOKS.values(), ids=LOOKS.keys())
@pytest.mark.parametrize("payload", [CARD, CHINESE], ids=["card", "chinese"])
def test_each_kind_of_webcam_spoiling_still_reads(look: Look, payload: str) -> None:
    assert decode_frame(frame(payload, look, seed=1)) == [payload]


def test_strong_moire_on_a_phone_still_reads() -> None:
    """Its dark bands break the finder patterns: zxing-cpp sees no symbol at all. The
    frame's most textured spot, smoothed over the moire's period, reads."""
    image = frame(CHINESE, Look(phone=True), seed=0)
    assert symbols_seen(image) == []

    assert decode_frame(image) == [CHINESE]


def test_a_small_blurred_code_zxing_does_not_even_see_is_found_by_its_texture() -> None:
    image = frame(CARD, SEEN_BY_NOTHING_BUT_ITS_TEXTURE, seed=2)
    assert symbols_seen(image) == []

    assert decode_frame(image) == [CARD]


@pytest.mark.parametrize("size", [(640, 360), (320, 240)])
def test_a_small_frame_reads(size: tuple[int, int]) -> None:
    """The texture search scales with the frame: a code in a small frame is not passed over."""
    assert decode_frame(frame(CARD, Look(width=0.6, blur=0.5), 0, size)) == [CARD]


def test_edges_and_lines_are_not_textured_like_a_code() -> None:
    """A frame of sharp boxes and lines gets no zxing-cpp attempt: only the texture search."""
    image = Image.new("L", (1280, 720), 120)
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 500, 400), fill=30)
    draw.ellipse((700, 200, 1100, 600), fill=230)
    for y in range(520, 700, 120):
        draw.line((100, y, 600, y), fill=0, width=3)

    assert _textured_spot(image) is None


def test_most_empty_desk_frames_get_no_zxing_attempt() -> None:
    """What keeps an empty frame cheaper than a code (bench.decode): most have no spot."""
    spots = [_textured_spot(empty_frame(random.Random(seed)).convert("L")) for seed in range(12)]

    assert sum(spot is None for spot in spots) >= 9


def test_every_card_frame_has_a_textured_spot_around_its_code() -> None:
    image = frame(CARD, SEEN_BY_NOTHING_BUT_ITS_TEXTURE, seed=2)
    code = first_symbol_box(frame(CARD, Look(width=0.22), seed=2))

    spot = _textured_spot(image.convert("L"))

    assert spot is not None
    left, top, right, bottom = spot.window
    assert left <= code[0] and top <= code[1] and right >= code[2] and bottom >= code[3]


def test_pyzbar_reads_an_ordinary_webcam_frame() -> None:
    look = Look(width=0.4, angle=8, blur=0.8, noise=0.03, contrast=0.8, jpeg=70)

    assert decode_frame(frame(CARD, look), DecoderBackend.PYZBAR) == [CARD]


def test_an_inverted_code_on_a_dark_mode_screen_reads() -> None:
    image = ImageOps.invert(frame(CARD, Look(phone=True)))

    assert decode_frame(image) == [CARD]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", range(3))
def test_a_frame_without_a_code_reads_as_nothing(backend: DecoderBackend, seed: int) -> None:
    assert decode_frame(empty_frame(random.Random(seed)), backend) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_codes_in_one_frame_are_both_read(backend: DecoderBackend) -> None:
    image = side_by_side(
        frame(CARD, Look(width=0.6), 1, HALF), frame(OTHER_CARD, Look(width=0.6), 2, HALF)
    )

    texts = decode_frame(image, backend)

    assert sorted(texts) == sorted([CARD, OTHER_CARD])


def test_the_same_code_twice_in_a_frame_is_one_text() -> None:
    image = side_by_side(
        frame(CARD, Look(width=0.6), 1, HALF), frame(CARD, Look(width=0.6), 2, HALF)
    )

    assert decode_frame(image) == [CARD]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_code_whose_bytes_are_not_utf8_is_dropped_not_guessed(backend: DecoderBackend) -> None:
    """会员:张三 in GBK: left alone, each library guesses a charset and returns a wrong text."""
    image = qrcode.make("会员:张三".encode("gbk")).get_image()
    by_zbar = [s.data.decode() for s in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]
    by_zxing = [code.text for code in zxingcpp.read_barcodes(image)]
    assert by_zbar == ["頗埜:桲\uf847"] and by_zxing == ["»áÔ±:ÕÅÈý"]  # must not come back

    assert decode_frame(image, backend) == []


def test_a_frame_only_the_retry_can_read_is_read() -> None:
    image = frame(CARD, ONLY_THE_RETRY_READS, 0, HALF)

    assert first_attempt_reads(image) == []
    assert decode_frame(image) == [CARD]


def test_no_retry_runs_once_the_first_attempt_has_read_a_code() -> None:
    """The hard code next to an easy one stays unread: it needs a retry, and none runs."""
    hard = frame(OTHER_CARD, ONLY_THE_RETRY_READS, 0, HALF)
    easy = frame(CARD, Look(width=0.6), 1, HALF)
    assert first_attempt_reads(hard) == [] and decode_frame(hard) == [OTHER_CARD]

    assert decode_frame(side_by_side(easy, hard)) == [CARD]


def test_a_big_frame_is_shrunk_and_still_reads() -> None:
    image = frame(CARD, Look(width=0.3, blur=1.0), 0, (2560, 1440))

    assert decode_frame(image) == [CARD]


def test_any_image_mode_is_accepted() -> None:
    image = frame(CARD, Look())

    for mode in ("L", "RGBA", "P", "CMYK"):
        assert decode_frame(image.convert(mode)) == [CARD], mode
