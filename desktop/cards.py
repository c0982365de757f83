"""Member card artwork: the card's QR payload with title, name, member number and branch.

A card is an ISO/IEC 7810 ID-1 card (85.60 x 53.98 mm) drawn at a chosen dpi on white:
text on the left, the QR code (error correction M, 4-module quiet zone, whole pixels per
module) on the right. Text too long for its line is shrunk, then cut with "…", and never
reaches the QR code's quiet zone. The image can be saved as a card-sized PNG or PDF;
printing is left to the UI, which draws ``render_card``'s image at card size.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

from desktop.store.atomic import write_atomic

__all__ = [
    "CARD_HEIGHT_MM",
    "CARD_WIDTH_MM",
    "CardFace",
    "CardLayout",
    "FontFile",
    "card_layout",
    "card_png_bytes",
    "find_cjk_font",
    "load_font",
    "render_card",
    "save_card_pdf",
    "save_card_png",
]

CARD_WIDTH_MM = 85.60
CARD_HEIGHT_MM = 53.98
MIN_DPI = 72
MAX_DPI = 1200
QUIET_ZONE_MODULES = 4

_MM_PER_INCH = 25.4
_EDGE_MM = 4.0  # left edge to the text
_QR_EDGE_MM = 2.0  # right edge to the QR code's quiet zone
_QR_TARGET_MM = 42.0  # the QR code with its quiet zone, before rounding to whole pixels
_GAP_MM = 1.0  # text to the quiet zone
_ELLIPSIS = "…"
_PDF_JPEG_QUALITY = 95

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CardFace:
    """What one card shows; ``title`` comes from the UI, already in the user's language."""

    name: str
    member_no: str
    branch_name: str
    payload: str
    title: str = "MemberDesk"


@dataclass(frozen=True)
class FontFile:
    """A font file and the face inside it (a ``.ttc`` holds several)."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class CardLayout:
    """Pixel geometry of a card: its size, the QR square (with quiet zone), the text column."""

    width: int
    height: int
    qr_left: int
    qr_top: int
    qr_side: int
    module_px: int
    text_left: int
    text_right: int


@dataclass(frozen=True)
class _Line:
    """One line of text: vertical slot (mm from the top), font sizes (mm), weight, colour."""

    top_mm: float
    bottom_mm: float
    max_mm: float
    min_mm: float
    bold: bool
    colour: RGB


_ACCENT: RGB = (178, 34, 34)
_TITLE = _Line(3.5, 9.0, 4.2, 2.5, True, _ACCENT)
_NAME = _Line(13.0, 26.0, 9.0, 4.5, True, (17, 17, 17))
_MEMBER_NO = _Line(27.5, 34.0, 4.8, 3.0, False, (51, 51, 51))
_BRANCH = _Line(43.5, 50.0, 3.6, 2.5, False, (102, 102, 102))
_RULE_MM = (10.3, 10.9, 12.0)  # accent rule under the title: top, bottom, length


def render_card(face: CardFace, dpi: int = 300) -> Image.Image:
    """The card as an RGB image of ID-1 size at ``dpi`` (72 to 1200)."""
    matrix = _qr_matrix(face.payload)
    layout = card_layout(len(matrix), dpi)
    card = Image.new("RGB", (layout.width, layout.height), "white")
    card.paste(_qr_image(matrix, layout.module_px), (layout.qr_left, layout.qr_top))
    draw = ImageDraw.Draw(card)
    _draw_rule(draw, layout, dpi)
    for line, text in (
        (_TITLE, face.title),
        (_NAME, face.name),
        (_MEMBER_NO, face.member_no),
        (_BRANCH, face.branch_name),
    ):
        _draw_line(draw, layout, dpi, line, text)
    return card


def card_layout(qr_modules: int, dpi: int) -> CardLayout:
    """Where things go on a card at ``dpi`` whose QR code is ``qr_modules`` modules wide."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between {MIN_DPI} and {MAX_DPI}")
    width, height = _px(CARD_WIDTH_MM, dpi), _px(CARD_HEIGHT_MM, dpi)
    modules = qr_modules + 2 * QUIET_ZONE_MODULES
    module_px = _px(_QR_TARGET_MM, dpi) // modules
    if module_px < 1:
        raise ValueError("the QR payload is too long for a card at this dpi")
    qr_side = module_px * modules
    qr_left = width - _px(_QR_EDGE_MM, dpi) - qr_side
    return CardLayout(
        width=width,
        height=height,
        qr_left=qr_left,
        qr_top=(height - qr_side) // 2,
        qr_side=qr_side,
        module_px=module_px,
        text_left=_px(_EDGE_MM, dpi),
        text_right=qr_left - _px(_GAP_MM, dpi),
    )


def card_png_bytes(face: CardFace, dpi: int = 300) -> bytes:
    """The card as PNG bytes (for a print preview or ``QImage.fromData``)."""
    out = io.BytesIO()
    _write_png(render_card(face, dpi), dpi, out)
    return out.getvalue()


def save_card_png(face: CardFace, path: Path, dpi: int = 300) -> None:
    """Write the card to ``path`` as a PNG that says its dpi, so it prints card-sized."""
    image = render_card(face, dpi)
    write_atomic(path, lambda handle: _write_png(image, dpi, handle))


def save_card_pdf(face: CardFace, path: Path, dpi: int = 300) -> None:
    """Write the card to ``path`` as a one-page PDF exactly the size of the card."""
    image = render_card(face, dpi)
    write_atomic(path, lambda handle: _write_pdf(image, dpi, face, handle))


def _write_png(image: Image.Image, dpi: int, handle: BinaryIO) -> None:
    image.save(handle, format="PNG", dpi=(dpi, dpi), optimize=True)


def _write_pdf(image: Image.Image, dpi: int, face: CardFace, handle: BinaryIO) -> None:
    image.save(
        handle,
        format="PDF",
        resolution=float(dpi),
        title=f"{face.title} {face.member_no}",
        quality=_PDF_JPEG_QUALITY,
        subsampling=0,  # 4:4:4 keeps the QR modules' edges sharp
    )


# --- QR code ---------------------------------------------------------------------------


def _qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules of ``payload`` (True is dark), without quiet zone."""
    if not payload:
        raise ValueError("a card needs a QR payload")
    # M, not Q: a webcam reads bigger modules better than it needs more redundancy
    # (bench.decode: 29 modules at M against 33 at Q for a card payload).
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return cast(list[list[bool]], code.get_matrix())


def _qr_image(matrix: list[list[bool]], module_px: int) -> Image.Image:
    """Black modules on white with the quiet zone, ``module_px`` pixels per module."""
    modules = len(matrix) + 2 * QUIET_ZONE_MODULES
    small = Image.new("L", (modules, modules), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                small.putpixel((x + QUIET_ZONE_MODULES, y + QUIET_ZONE_MODULES), 0)
    side = modules * module_px
    return small.resize((side, side), Image.Resampling.NEAREST)


# --- text ------------------------------------------------------------------------------


def _draw_rule(draw: ImageDraw.ImageDraw, layout: CardLayout, dpi: int) -> None:
    top, bottom, length = _RULE_MM
    right = min(layout.text_left + _px(length, dpi), layout.text_right)
    box = (layout.text_left, _px(top, dpi), right, _px(bottom, dpi))
    draw.rectangle(box, fill=_ACCENT)


def _draw_line(
    draw: ImageDraw.ImageDraw, layout: CardLayout, dpi: int, line: _Line, text: str
) -> None:
    """``text`` on one line in its slot, shrunk then cut so it ends before the QR code."""
    text = " ".join(text.split())
    if not text:
        return
    width = layout.text_right - layout.text_left
    font_file = find_cjk_font(line.bold)
    font, shown = _fit(text, font_file, _px(line.max_mm, dpi), _px(line.min_mm, dpi), width)
    _, ink_top, _, ink_bottom = draw.textbbox((0, 0), shown, font=font)
    slot_top, slot_bottom = _px(line.top_mm, dpi), _px(line.bottom_mm, dpi)
    y = (slot_top + slot_bottom - ink_top - ink_bottom) // 2
    draw.text((layout.text_left, y), shown, font=font, fill=line.colour)


def _fit(
    text: str, font_file: FontFile | None, max_px: int, min_px: int, width: int
) -> tuple[Font, str]:
    """The largest font from ``max_px`` down to ``min_px`` that fits, and the text to show."""
    size = max_px
    font = load_font(font_file, size)
    extent = _extent(font, text)
    if extent > width:
        size = max(min_px, max_px * width // extent)
        font = load_font(font_file, size)
        while size > min_px and _extent(font, text) > width:
            size -= 1
            font = load_font(font_file, size)
    return font, _ellipsise(text, font, width)


def _ellipsise(text: str, font: Font, width: int) -> str:
    """``text`` if it fits in ``width``, else its longest prefix that fits with "…"."""
    if _extent(font, text) <= width:
        return text
    low, high = 0, len(text)  # the prefix length: text[:low] + "…" fits, longer may not
    while low < high:
        mid = (low + high + 1) // 2
        if _extent(font, text[:mid].rstrip() + _ELLIPSIS) <= width:
            low = mid
        else:
            high = mid - 1
    shown = text[:low].rstrip() + _ELLIPSIS
    return shown if _extent(font, shown) <= width else ""


def _extent(font: Font, text: str) -> int:
    """How far right of the origin the text's ink reaches."""
    return int(font.getbbox(text)[2])


def _px(mm: float, dpi: int) -> int:
    return round(mm * dpi / _MM_PER_INCH)


# --- fonts -----------------------------------------------------------------------------

_KNOWN_CJK_FONTS: dict[bool, tuple[str, ...]] = {
    False: (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "C:/Windows/Fonts/msyh.ttc",
        "C:/Windows/Fonts/simhei.ttf",
        "/System/Library/Fonts/PingFang.ttc",
    ),
    True: (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
        "C:/Windows/Fonts/msyhbd.ttc",
    ),
}


@functools.cache
def find_cjk_font(bold: bool = False) -> FontFile | None:
    """A font with Simplified Chinese glyphs (bold if there is one), or ``None``.

    Asks fontconfig first, then tries well-known paths; a bold request falls back to a
    regular face.
    """
    found = _fontconfig_cjk_font(bold) or _known_cjk_font(bold)
    if found is None and bold:
        return find_cjk_font(False)
    return found


@functools.lru_cache(maxsize=128)
def load_font(font: FontFile | None, size_px: int) -> Font:
    """``font`` at ``size_px`` pixels per em; Pillow's own font if ``font`` is ``None``
    or cannot be loaded (Chinese then shows as boxes, but a card is still made)."""
    if font is not None:
        try:
            return ImageFont.truetype(str(font.path), size_px, index=font.index)
        except OSError:
            pass
    return ImageFont.load_default(size_px)


def _fontconfig_cjk_font(bold: bool) -> FontFile | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = f"sans-serif:lang=zh-cn:weight={'bold' if bold else 'regular'}"
    try:
        done = subprocess.run(
            [fc_match, "--format=%{file}\\n%{index}\\n%{weight}\\n%{lang}", pattern],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        path, index, weight, langs = done.stdout.split("\n", 3)
        face = FontFile(Path(path), int(index or 0))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if "zh-cn" not in langs.split("|") or (bold and not _is_bold_weight(weight)):
        return None
    return face if face.path.is_file() else None


def _is_bold_weight(weight: str) -> bool:
    try:
        return float(weight) >= 150  # fontconfig: 80 regular, 200 bold
    except ValueError:
        return False


def _known_cjk_font(bold: bool) -> FontFile | None:
    for candidate in _KNOWN_CJK_FONTS[bold]:
        path = Path(candidate)
        if path.is_file():
            return FontFile(path, _simplified_chinese_face(path))
    return None


def _simplified_chinese_face(path: Path) -> int:
    """The index of the face named for Simplified Chinese (SC, GB) in a collection, or 0."""
    for index in range(32):
        try:
            family, _style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        if family and any(tag in family.split() for tag in ("SC", "GB")):
            return index
    return 0
