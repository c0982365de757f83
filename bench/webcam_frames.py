"""Synthetic webcam-like frames of QR cards, deterministic for a seed, for tests and benches.

A frame is a cluttered desk scene with a card (or a phone showing the card) held in front
of the camera, then spoilt the way a cheap webcam spoils it: placed at a random size,
rotated up to 20 degrees, tilted in perspective, lit by a glare spot, blurred, washed out,
noisy and JPEG re-encoded. A phone screen adds its dark bezel and the moire that its
red/green/blue subpixels make on the camera's sensor. Pillow only.

    look = random_look(rng)                    # or Look(angle=15, blur=1.5) for one effect
    frame = webcam_frame(qr_source("MD1:..."), rng, (1280, 720), look)
    for frame, payload in frame_set(500, seed=1): ...
"""

from __future__ import annotations

import io
import math
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from desktop.cards import CardFace, render_card
from shared.card import encode_card

Size = tuple[int, int]
Point = tuple[float, float]
Rgb = tuple[int, int, int]

FRAME_SIZE: Size = (1280, 720)
CARD_SIZE: Size = (856, 540)  # an ID-1 card (85.6 x 54 mm) at 10 px/mm
FILL_FACTOR_SCALE = 2.0  # see _paste_quad
CARD_DPI = 254  # 10 px/mm: CARD_SIZE
CJK_SHARE = 0.2  # share of frame_set payloads that are UTF-8 Chinese texts
_SURNAMES = "张李王赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
_GIVEN = "三四五六伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


@dataclass(frozen=True)
class Look:
    """How one frame shows its card; the defaults are a clean, straight, sharp shot."""

    width: float = 0.45  # card (or phone) width as a share of the frame width
    angle: float = 0.0  # rotation in degrees, either way
    tilt: float = 0.0  # perspective: each corner moves up to this share of the card width
    blur: float = 0.0  # Gaussian blur radius in pixels
    noise: float = 0.0  # sensor noise amplitude as a share of the full range
    contrast: float = 1.0  # 1 as printed, 0.3 badly washed out
    brightness: float = 1.0  # exposure: below 1 underexposed, above 1 overexposed
    glare: float = 0.0  # strength (0 to 1) of a bright reflection over the card
    jpeg: int | None = None  # JPEG quality of a re-encode, None for none
    phone: bool = False  # shown on a phone screen rather than printed


def random_look(rng: random.Random) -> Look:
    """A deliberately hard mix: every effect at once, each drawn evenly over its range.

    The card is 20% to 60% of the frame wide: an ID-1 card 10 to 30 cm from a webcam
    with a 70 degree field of view. Its QR code then has 2.4 to 7 pixels a module at
    1280x720, and the blur (0.3 to 2 pixels) is independent of that size.
    """
    return Look(
        width=rng.uniform(0.2, 0.6),
        angle=rng.uniform(-20.0, 20.0),
        tilt=rng.uniform(0.0, 0.1),
        blur=rng.uniform(0.3, 2.0),
        noise=rng.uniform(0.0, 0.08),
        contrast=rng.uniform(0.35, 1.0),
        brightness=rng.uniform(0.7, 1.25),
        glare=rng.uniform(0.3, 0.8) if rng.random() < 0.4 else 0.0,
        jpeg=rng.randint(30, 85) if rng.random() < 0.7 else None,
        phone=rng.random() < 0.25,
    )


def qr_source(payload: str) -> Image.Image:
    """A plain member card (RGB, ``CARD_SIZE``) with ``payload`` as its QR code."""
    card = Image.new("RGB", CARD_SIZE, (250, 248, 242))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, CARD_SIZE[0], 110), fill=(178, 34, 52))
    draw.text((40, 40), "MemberDesk", fill=(255, 255, 255), font_size=40)
    for row in range(4):
        draw.rectangle((40, 180 + row * 60, 300 - row * 40, 200 + row * 60), fill=(90, 90, 90))
    code = qrcode.QRCode(border=4, box_size=10)
    code.add_data(payload)
    qr = code.make_image().get_image().convert("RGB")
    side = 400
    card.paste(qr.resize((side, side), Image.Resampling.LANCZOS), (CARD_SIZE[0] - side - 20, 125))
    return card


def webcam_frame(
    source: Image.Image,
    rng: random.Random,
    size: Size = FRAME_SIZE,
    look: Look | None = None,
) -> Image.Image:
    """``source`` (a card image) as a webcam sees it; a random look unless one is given."""
    look = look or random_look(rng)
    frame = _scene(rng, size)
    _show(frame, source, look, rng)
    return _camera(frame, look, rng)


def empty_frame(rng: random.Random, size: Size = FRAME_SIZE) -> Image.Image:
    """A desk scene with no code in it: clutter, and half the time a card with no code."""
    look = random_look(rng)
    frame = _scene(rng, size)
    if rng.random() < 0.5:
        blank = Image.new("RGB", CARD_SIZE, (250, 248, 242))
        ImageDraw.Draw(blank).rectangle((0, 0, CARD_SIZE[0], 110), fill=(178, 34, 52))
        _show(frame, blank, look, rng)
    return _camera(frame, look, rng)


def frame_set(n: int, seed: int = 1, size: Size = FRAME_SIZE) -> Iterator[tuple[Image.Image, str]]:
    """``n`` (frame, expected text) pairs: member-card payloads and some Chinese texts.

    Made one at a time as they are asked for: 500 frames would hold 1.4 GB at once.
    """
    rng = random.Random(seed)
    key = rng.randbytes(32)
    for i in range(n):
        payload = _cjk_payload(rng) if rng.random() < CJK_SHARE else _card_payload(rng, key)
        yield webcam_frame(card_source(payload, rng, i), rng, size), payload


def card_source(payload: str, rng: random.Random, number: int = 1) -> Image.Image:
    """The real member card (``desktop.cards.render_card``) at the synthetic card's size."""
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
    face = CardFace(name, f"D{1_000_000 + number}", "MemberDesk 演示店", payload, "会员卡")
    return render_card(face, dpi=CARD_DPI)


def _card_payload(rng: random.Random, key: bytes) -> str:
    member = uuid.UUID(bytes=rng.randbytes(16), version=4)
    return encode_card(str(member), rng.choice((1, 1, 1, 2, 3, rng.randint(4, 10**6))), key)


def _cjk_payload(rng: random.Random) -> str:
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
    return f"会员:{name}:D{rng.randint(1_000_000, 9_999_999)}"


# --- the scene -------------------------------------------------------------------------


def _scene(rng: random.Random, size: Size) -> Image.Image:
    """A blurred desk: a two-colour gradient with boxes, blobs and lines of 'text'."""
    top, bottom = _muted(rng), _muted(rng)
    gradient = Image.linear_gradient("L").resize(size)
    scene = ImageOps.colorize(gradient, top, bottom)
    draw = ImageDraw.Draw(scene)
    w, h = size
    for _ in range(rng.randint(4, 10)):
        box = _box(rng, w, h)
        if rng.random() < 0.5:
            draw.rectangle(box, fill=_muted(rng))
        else:
            draw.ellipse(box, fill=_muted(rng))
    for _ in range(rng.randint(3, 12)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        draw.line((x, y, x + rng.uniform(30, 200), y), fill=_muted(rng), width=rng.randint(2, 5))
    return scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3.0)))


def _muted(rng: random.Random) -> Rgb:
    base = rng.randint(40, 220)
    return (
        _clip(base + rng.randint(-40, 40)),
        _clip(base + rng.randint(-40, 40)),
        _clip(base + rng.randint(-40, 40)),
    )


def _box(rng: random.Random, w: int, h: int) -> tuple[float, float, float, float]:
    x, y = rng.uniform(-0.1 * w, w), rng.uniform(-0.1 * h, h)
    return (x, y, x + rng.uniform(0.05, 0.4) * w, y + rng.uniform(0.05, 0.4) * h)


def _clip(value: float) -> int:
    return max(0, min(255, round(value)))


# --- placing the card ------------------------------------------------------------------


def _show(frame: Image.Image, card: Image.Image, look: Look, rng: random.Random) -> None:
    """Draw ``card`` (printed, or on a phone) into ``frame`` as ``look`` says, glare and all."""
    subject = _phone(card, rng, _fit_width(card.size, frame.size, look)) if look.phone else card
    quad = _place(subject.size, frame.size, look, rng)
    _paste_quad(frame, subject, quad)
    if look.glare:
        _glare(frame, quad, look.glare, rng)


def _fit_width(subject: Size, frame: Size, look: Look) -> float:
    """The subject's width in frame pixels: ``look.width`` unless it would not fit."""
    return min(look.width * frame[0], 0.85 * frame[1] * subject[0] / subject[1])


def _place(subject: Size, frame: Size, look: Look, rng: random.Random) -> list[Point]:
    """The subject's four corners in the frame: scaled, tilted, rotated, inside the frame."""
    w = _fit_width(subject, frame, look)
    h = w * subject[1] / subject[0]
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    jitter = look.tilt * w
    tilted = [
        (x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)) for x, y in corners
    ]
    turned = _rotate(tilted, look.angle)
    return _inside(turned, frame, rng)


def _rotate(points: Sequence[Point], degrees: float) -> list[Point]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(x * c - y * s, x * s + y * c) for x, y in points]


def _inside(points: Sequence[Point], frame: Size, rng: random.Random) -> list[Point]:
    """``points`` (around the origin) moved to a random spot that keeps them in the frame."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    margin = 4
    lo_x, hi_x = margin - min(xs), frame[0] - margin - max(xs)
    lo_y, hi_y = margin - min(ys), frame[1] - margin - max(ys)
    dx = rng.uniform(lo_x, hi_x) if lo_x < hi_x else frame[0] / 2
    dy = rng.uniform(lo_y, hi_y) if lo_y < hi_y else frame[1] / 2
    return [(x + dx, y + dy) for x, y in points]


def _paste_quad(frame: Image.Image, subject: Image.Image, quad: list[Point]) -> None:
    """Draw ``subject`` into ``frame`` with its corners at ``quad`` (a perspective warp).

    A sensor pixel averages the light over about half its area (its fill factor): the
    subject is box-shrunk to twice its size in the frame, then sampled by the warp. What a
    phone's subpixel pattern leaves after that is the moire a real webcam shows.
    """
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    scale = FILL_FACTOR_SCALE * max(max(xs) - min(xs), max(ys) - min(ys)) / max(subject.size)
    if scale < 1:
        target = (max(1, round(subject.width * scale)), max(1, round(subject.height * scale)))
        subject = subject.resize(target, Image.Resampling.BOX)
    sw, sh = subject.size
    coeffs = _perspective(quad, [(0, 0), (sw, 0), (sw, sh), (0, sh)])
    warped = subject.convert("RGBA").transform(
        frame.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    frame.paste(warped, (0, 0), warped)


def _perspective(dst: Sequence[Point], src: Sequence[Point]) -> tuple[float, ...]:
    """Pillow's PERSPECTIVE coefficients mapping frame points ``dst`` to source ``src``."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -x * u, -y * u, u])
        rows.append([0, 0, 0, x, y, 1, -x * v, -y * v, v])
    return tuple(_solve(rows))


def _solve(rows: list[list[float]]) -> list[float]:
    """Solve the augmented linear system ``rows`` by Gauss-Jordan with partial pivoting."""
    n = len(rows)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


# --- the phone -------------------------------------------------------------------------


def _phone(source: Image.Image, rng: random.Random, width_px: float) -> Image.Image:
    """``source`` on a bright phone screen in a dark bezel, drawn as RGB subpixels.

    A screen pixel is 0.5 to 1 camera pixel wide, so its subpixel stripes beat against
    the sensor's pixel grid as moire does.
    """
    pitch = rng.uniform(0.5, 1.0)  # camera pixels a screen pixel covers
    screen_w = max(64, round(width_px * 0.92 / pitch))
    screen_h = round(screen_w * source.height / source.width * 1.15)
    screen = Image.new("RGB", (screen_w, screen_h), (246, 246, 246))
    card_w = round(screen_w * 0.94)
    card = source.resize(
        (card_w, round(card_w * source.height / source.width)), Image.Resampling.BOX
    )
    screen.paste(card, ((screen_w - card.width) // 2, (screen_h - card.height) // 2))
    lit = ImageEnhance.Brightness(_subpixels(screen)).enhance(2.4)
    bezel = round(screen_w * 0.04)
    body = Image.new("RGB", (lit.width + 2 * bezel, lit.height + 2 * bezel), (0, 0, 0))
    ImageDraw.Draw(body).rounded_rectangle(
        (0, 0, body.width - 1, body.height - 1), radius=bezel * 2, fill=(22, 22, 26)
    )
    body.paste(lit, (bezel, bezel))
    return body


def _subpixels(screen: Image.Image) -> Image.Image:
    """Each screen pixel as three columns (red, green, blue) with a dark line below."""
    wide = screen.resize((screen.width * 3, screen.height * 3), Image.Resampling.NEAREST)
    stripe = bytes([255, 60, 60, 60, 255, 60, 60, 60, 255]) * screen.width
    dim = bytes(v // 3 for v in stripe)
    mask_bytes = (stripe + stripe + dim) * screen.height
    mask = Image.frombytes("RGB", wide.size, mask_bytes)
    return ImageChops.multiply(wide, mask)


# --- the camera ------------------------------------------------------------------------


def _glare(frame: Image.Image, quad: list[Point], strength: float, rng: random.Random) -> None:
    """Light ``frame`` with a soft bright reflection somewhere over the card at ``quad``."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    span = max(xs) - min(xs)
    cx, cy = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
    rx, ry = span * rng.uniform(0.12, 0.3), span * rng.uniform(0.08, 0.2)
    small = (frame.width // 4, frame.height // 4)
    mask = Image.new("L", small, 0)
    ImageDraw.Draw(mask).ellipse(
        ((cx - rx) / 4, (cy - ry) / 4, (cx + rx) / 4, (cy + ry) / 4), fill=round(255 * strength)
    )
    mask = mask.filter(ImageFilter.GaussianBlur(rx / 8)).resize(
        frame.size, Image.Resampling.BILINEAR
    )
    frame.paste((255, 255, 252), (0, 0, *frame.size), mask)


def _camera(frame: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    """Lens blur, exposure, washed-out contrast, sensor noise and JPEG, in that order."""
    if look.blur:
        frame = frame.filter(ImageFilter.GaussianBlur(look.blur))
    if look.brightness != 1.0:
        frame = ImageEnhance.Brightness(frame).enhance(look.brightness)
    if look.contrast != 1.0:
        frame = ImageEnhance.Contrast(frame).enhance(look.contrast)
    if look.noise:
        frame = _noisy(frame, look.noise, rng)
    if look.jpeg is not None:
        frame = _jpeg(frame, look.jpeg)
    return frame


def _noisy(frame: Image.Image, amplitude: float, rng: random.Random) -> Image.Image:
    """Add uniform noise of +-``amplitude`` (share of full range) to every channel."""
    raw = Image.frombytes("RGB", frame.size, rng.randbytes(frame.width * frame.height * 3))
    noise = raw.point([round(128 + (v - 128) * amplitude * 2) for v in range(256)] * 3)
    return ImageChops.add(frame, noise, scale=1.0, offset=-128)


def _jpeg(frame: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
