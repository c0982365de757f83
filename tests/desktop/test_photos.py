"""Member photos: upright, RGB, small JPEGs without metadata, from files or webcam frames."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from desktop.photos import (
    MAX_PHOTO_FILE_BYTES,
    MAX_PHOTO_PIXELS,
    load_photo_bytes,
    normalise_photo,
    normalise_photo_bytes,
)
from shared.errors import PhotoTooLarge, PhotoUnreadable

ORIENTATION = ExifTags.Base.Orientation
ROTATE_90_CW = 6  # EXIF: turn the stored pixels 90 degrees clockwise to view them


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def sideways_photo() -> bytes:
    """A camera JPEG stored 400 wide x 200 high, red on its left half, tagged to be turned
    clockwise: upright it is 200 x 400, red on top. It also carries a GPS-ish tag."""
    stored = Image.new("RGB", (400, 200), "blue")
    stored.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATE_90_CW
    exif[ExifTags.Base.Make] = "PhoneCam"
    out = io.BytesIO()
    stored.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def colour_near(pixel, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_exif_orientation_is_applied(tmp_path):
    path = tmp_path / "camera.jpg"
    path.write_bytes(sideways_photo())

    photo = opened(load_photo_bytes(path))

    assert photo.format == "JPEG"
    assert photo.mode == "RGB"
    assert photo.size == (200, 400)
    assert colour_near(photo.getpixel((100, 50)), (255, 0, 0))
    assert colour_near(photo.getpixel((100, 350)), (0, 0, 255))


def test_no_metadata_leaves_the_terminal():
    photo = opened(normalise_photo_bytes(sideways_photo()))

    assert dict(photo.getexif()) == {}
    assert "exif" not in photo.info


def test_a_large_photo_is_scaled_to_fit_max_side_keeping_its_shape():
    big = Image.new("RGB", (4000, 3000), "green")

    photo = opened(normalise_photo(big))

    assert photo.size == (640, 480)
    assert opened(normalise_photo(big, max_side=300)).size == (300, 225)
    assert big.size == (4000, 3000)  # the caller's image is untouched


def test_a_small_photo_is_not_enlarged():
    assert opened(normalise_photo(Image.new("RGB", (120, 90), "white"))).size == (120, 90)


def test_the_jpeg_is_saved_at_quality_85():
    image = Image.linear_gradient("L").convert("RGB")
    reference = io.BytesIO()
    image.save(reference, format="JPEG", quality=85)

    photo = opened(normalise_photo(image))

    assert photo.quantization == opened(reference.getvalue()).quantization  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "CMYK", "1"])
def test_every_mode_becomes_rgb(mode):
    image = Image.new("RGB", (50, 40), (10, 200, 30)).convert(mode)

    assert opened(normalise_photo(image)).mode == "RGB"


def test_transparency_is_flattened_onto_white():
    clear = Image.new("RGBA", (40, 40), (0, 0, 0, 0))

    photo = opened(normalise_photo(clear))

    assert colour_near(photo.getpixel((20, 20)), (255, 255, 255), tolerance=3)


def test_a_png_webcam_frame_is_normalised():
    out = io.BytesIO()
    Image.new("RGB", (1280, 720), "gray").save(out, format="PNG")

    photo = opened(normalise_photo_bytes(out.getvalue()))

    assert (photo.format, photo.size) == ("JPEG", (640, 360))


def test_a_file_that_is_not_an_image_is_a_typed_error(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("这不是照片", encoding="utf-8")

    with pytest.raises(PhotoUnreadable) as raised:
        load_photo_bytes(path)

    assert raised.value.code == "photo.unreadable"
    assert raised.value.params == {"path": str(path)}


def test_a_truncated_image_is_unreadable(tmp_path):
    path = tmp_path / "cut.jpg"
    path.write_bytes(sideways_photo()[:300])

    with pytest.raises(PhotoUnreadable):
        load_photo_bytes(path)


def test_a_missing_file_or_a_folder_is_unreadable(tmp_path):
    with pytest.raises(PhotoUnreadable):
        load_photo_bytes(tmp_path / "gone.jpg")
    with pytest.raises(PhotoUnreadable):
        load_photo_bytes(tmp_path)


def test_bytes_that_are_not_an_image_are_unreadable():
    with pytest.raises(PhotoUnreadable) as raised:
        normalise_photo_bytes(b"\x00\x01garbage")
    assert raised.value.params == {}


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels but holds one empty data chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_an_image_with_too_many_pixels_is_refused_before_decoding(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(png_header_only(9_200, 9_200))  # 84.6 M pixels

    with pytest.raises(PhotoTooLarge) as raised:
        load_photo_bytes(path)

    assert raised.value.code == "photo.too_large"
    assert raised.value.params == {"path": str(path), "max_pixels": MAX_PHOTO_PIXELS}


def test_a_decompression_bomb_is_too_large_not_a_crash():
    with pytest.raises(PhotoTooLarge):
        normalise_photo_bytes(png_header_only(20_000, 20_000))


def test_a_file_too_big_to_be_a_photo_is_refused_unread(tmp_path):
    path = tmp_path / "video.jpg"
    with path.open("wb") as handle:
        handle.truncate(MAX_PHOTO_FILE_BYTES + 1)  # sparse: no real disk used

    with pytest.raises(PhotoTooLarge) as raised:
        load_photo_bytes(path)

    assert raised.value.params["max_bytes"] == MAX_PHOTO_FILE_BYTES


def test_a_tiny_max_side_is_a_programming_error():
    with pytest.raises(ValueError):
        normalise_photo(Image.new("RGB", (10, 10)), max_side=4)
    with pytest.raises(ValueError):
        normalise_photo_bytes(b"", max_side=0)
