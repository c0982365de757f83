"""The card dialog: a preview, then PNG, PDF and print, all done off the GUI thread."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtPrintSupport import QPrinter

from desktop.terminal import Terminal
from desktop.ui.card_dialog import CardDialog
from desktop.ui.context import DeskContext
from tests.conftest import BRANCH_NAME


@pytest.fixture
def member_id(terminal: Terminal) -> str:
    return terminal.members.enroll(name="王小明", mobile="13800138000")


@pytest.fixture
def dialog(qtbot, desk: DeskContext, member_id: str) -> CardDialog:
    card = CardDialog(desk, member_id)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card.is_ready)
    return card


def decoded(path) -> list[str]:
    with Image.open(path) as image:
        return [
            b.text
            for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2)
        ]


def test_the_card_shows_the_member_and_branch(dialog: CardDialog, terminal, member_id):
    face = dialog.face
    assert face is not None
    assert (face.name, face.member_no, face.branch_name) == ("王小明", "T1000001", BRANCH_NAME)
    assert face.payload == terminal.members.card_payload(member_id)
    assert face.title == "Member card"
    assert not dialog.preview.pixmap().isNull()
    assert dialog.print_button.isEnabled() and dialog.png_button.isEnabled()


def test_a_saved_png_holds_a_qr_code_of_the_members_card(
    qtbot, dialog: CardDialog, terminal: Terminal, member_id, tmp_path
):
    target = tmp_path / "card.png"
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_png(target)
    assert saved.args == [str(target)]
    assert decoded(target) == [terminal.members.card_payload(member_id)]
    assert str(target) in dialog.status.text()


def test_a_saved_pdf_is_a_pdf(qtbot, dialog: CardDialog, tmp_path):
    target = tmp_path / "card.pdf"
    with qtbot.waitSignal(dialog.saved):
        dialog.save_pdf(target)
    assert target.read_bytes().startswith(b"%PDF")


def test_printing_paints_the_card_on_the_printer(qtbot, dialog: CardDialog, tmp_path):
    target = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    with qtbot.waitSignal(dialog.printed):
        dialog.print_card(printer)
    assert target.read_bytes().startswith(b"%PDF")
    assert dialog.print_button.isEnabled()


def test_a_failed_save_is_shown(qtbot, dialog: CardDialog, tmp_path):
    with qtbot.waitSignal(dialog.failed) as failed:
        dialog.save_png(tmp_path / "no-such-folder" / "card.png")
    assert failed.args[0]
    assert dialog.status.text() == failed.args[0]
    assert dialog.png_button.isEnabled()


def test_a_member_without_a_card_is_said(qtbot, desk: DeskContext, terminal, member_id):
    for card in terminal.members.cards(member_id):
        terminal.members.revoke_card(member_id, card.id)
    dialog = CardDialog(desk, member_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed) as failed:
        dialog.show()
    assert failed.args[0]
    assert not dialog.png_button.isEnabled()
