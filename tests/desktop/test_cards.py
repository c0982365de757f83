"""Member card artwork: the QR code scans back to the payload, Chinese renders, files are whole."""

from __future__ import annotations

import io
import os
import uuid

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from desktop.cards import (
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    CardFace,
    card_layout,
    card_png_bytes,
    find_cjk_font,
    load_font,
    render_card,
    save_card_pdf,
    save_card_png,
)
from shared.card import encode_card
from shared.kinds import Role

PAYLOAD = encode_card(str(uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF)), 7, b"k" * 32)
FACE = CardFace(
    name="张三丰", member_no="D1000001", branch_name="测试店", payload=PAYLOAD, title="会员卡"
)
QR_MODULES = 29  # a card payload (49 to 58 characters) is a version 3 code at level M


def decode(image: Image.Image) -> list[str]:
    return [
        found.text
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2)
    ]


def scan(image: Image.Image) -> zxingcpp.Barcode:
    [found] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2)
    return found


@pytest.mark.parametrize("dpi", [150, 300, 600])
def test_the_qr_code_scans_back_to_exactly_the_payload(dpi):
    image = render_card(FACE, dpi)

    assert decode(image) == [PAYLOAD]


def test_the_card_is_id1_sized_at_the_dpi():
    image = render_card(FACE, 300)

    assert image.size == (round(CARD_WIDTH_MM * 300 / 25.4), round(CARD_HEIGHT_MM * 300 / 25.4))
    assert image.size == (1011, 638)
    assert image.mode == "RGB"


def test_the_qr_code_sits_in_its_square_behind_a_four_module_quiet_zone():
    layout = card_layout(QR_MODULES, 300)
    found = scan(render_card(FACE, 300))

    assert found.ec_level == "M"
    assert layout.module_px >= 10  # about a millimetre a module at 300 dpi
    corner = found.position.top_left
    quiet = 4 * layout.module_px
    assert (corner.x, corner.y) == (layout.qr_left + quiet, layout.qr_top + quiet)
    far = found.position.bottom_right
    end = (layout.qr_left + layout.qr_side - quiet, layout.qr_top + layout.qr_side - quiet)
    assert (far.x, far.y) == end  # zxing's far corner is just past the last module
    assert layout.qr_left + layout.qr_side < layout.width
    assert layout.text_right < layout.qr_left


def test_the_code_still_scans_from_a_blurred_tilted_phone_photo_of_the_card():
    card = render_card(FACE, 300)
    photo = Image.new("RGB", (1400, 1000), (200, 190, 170))
    photo.paste(card.rotate(8, expand=True, fillcolor=(200, 190, 170)), (100, 60))
    photo = photo.resize((700, 500)).filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=50)

    with Image.open(out) as reloaded:
        assert decode(reloaded) == [PAYLOAD]


def test_the_card_is_white_with_black_modules():
    image = render_card(FACE, 300)

    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert image.getpixel((image.width - 1, image.height - 1)) == (255, 255, 255)


def test_a_chinese_font_is_found_and_draws_real_glyphs():
    font_file = find_cjk_font(bold=True)
    assert font_file is not None
    font = load_font(font_file, 64)
    family, _style = font.getname()  # type: ignore[union-attr]
    assert "CJK" in (family or "") or "Hei" in (family or "")

    glyphs = [_glyph(font, char) for char in "张李"]
    assert glyphs[0].getbbox() is not None
    assert ImageChops.difference(glyphs[0], glyphs[1]).getbbox() is not None


def test_two_chinese_names_draw_differently_on_the_card():
    zhang = render_card(FACE, 300)
    li = render_card(CardFace("李四光", "D1000001", "测试店", PAYLOAD, "会员卡"), 300)

    changed = ImageChops.difference(zhang, li).getbbox()
    assert changed is not None
    layout = card_layout(QR_MODULES, 300)
    assert changed[2] <= layout.text_right


def test_a_very_long_name_is_shortened_and_stays_clear_of_the_qr_code():
    long_face = CardFace(
        name="欧阳" + "娜" * 60,
        member_no="D" + "9" * 40,
        branch_name="北京市朝阳区大望路华贸中心健身会所旗舰店" * 3,
        payload=PAYLOAD,
        title="会员卡" * 10,
    )
    short_face = CardFace("", "", "", PAYLOAD, "")
    layout = card_layout(QR_MODULES, 300)

    long_image = render_card(long_face, 300)
    blank = render_card(short_face, 300)

    changed = ImageChops.difference(long_image, blank).getbbox()
    assert changed is not None
    assert changed[2] <= layout.text_right  # nothing drawn right of the text column
    assert decode(long_image) == [PAYLOAD]


def test_save_card_png_writes_a_card_sized_png(tmp_path):
    path = tmp_path / "card.png"

    save_card_png(FACE, path, dpi=300)

    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1011, 638)
        assert round(image.info["dpi"][0]) == 300
        assert decode(image.convert("RGB")) == [PAYLOAD]
    assert os.listdir(tmp_path) == ["card.png"]


def test_card_png_bytes_is_the_same_card():
    with Image.open(io.BytesIO(card_png_bytes(FACE, 300))) as image:
        assert ImageChops.difference(image.convert("RGB"), render_card(FACE, 300)).getbbox() is None


def test_save_card_pdf_writes_one_card_sized_page_that_still_scans(tmp_path):
    path = tmp_path / "card.pdf"

    save_card_pdf(FACE, path, dpi=300)

    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    width_pt, height_pt = CARD_WIDTH_MM / 25.4 * 72, CARD_HEIGHT_MM / 25.4 * 72
    media_box = data.split(b"/MediaBox", 1)[1].split(b"]", 1)[0].strip(b" [")
    x0, y0, x1, y1 = (float(n) for n in media_box.split())
    assert (x0, y0) == (0, 0)
    assert x1 == pytest.approx(width_pt, abs=0.2)
    assert y1 == pytest.approx(height_pt, abs=0.2)
    embedded = data[data.index(b"\xff\xd8\xff") :]  # the page's image, a JPEG stream
    with Image.open(io.BytesIO(embedded)) as image:
        assert image.size == (1011, 638)
        assert decode(image.convert("RGB")) == [PAYLOAD]


def test_saving_over_an_old_file_replaces_it_whole(tmp_path):
    path = tmp_path / "card.png"
    path.write_bytes(b"old")

    save_card_png(FACE, path)

    with Image.open(path) as image:
        assert image.size == (1011, 638)


def test_a_failed_save_leaves_no_file_behind(tmp_path):
    path = tmp_path / "missing-folder" / "card.pdf"

    with pytest.raises(FileNotFoundError):
        save_card_pdf(FACE, path)
    assert list(tmp_path.iterdir()) == []


def test_a_card_needs_a_payload_and_a_sane_dpi():
    with pytest.raises(ValueError):
        render_card(CardFace("张三", "D1", "店", "", "会员卡"))
    with pytest.raises(ValueError):
        render_card(FACE, dpi=10)


def test_without_a_font_file_pillows_own_font_still_draws():
    font = load_font(None, 40)

    assert _glyph(font, "A").getbbox() is not None


def test_a_printed_card_checks_the_member_in(terminal, login_as):
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="王小明")
    profile = terminal.members.profile(member_id)
    face = CardFace(
        name=profile.name,
        member_no=profile.member_no,
        branch_name="测试店",
        payload=terminal.members.card_payload(member_id),
        title="会员卡",
    )

    [scanned] = decode(render_card(face, 300))

    assert terminal.checkins.check_in_code(scanned).member_id == member_id


def _glyph(font, char: str) -> Image.Image:
    image = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(image).text((8, 8), char, font=font, fill=255)
    return image
