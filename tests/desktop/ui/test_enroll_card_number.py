"""An old card number another member holds is refused under the card field, by the
members service, and the dialog writes nothing at all then (member, fields or card)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from desktop.terminal import Terminal
from desktop.ui.context import DeskContext
from desktop.ui.i18n import install_translators
from tests.desktop.ui.test_enroll_dialog import click_ok, make_dialog

TAKEN = "This card number already belongs to member T1000001."


def live_numbers(terminal: Terminal, member_id: str) -> list[tuple[str, str]]:
    return sorted((c.kind, c.number) for c in terminal.members.cards(member_id) if not c.revoked)


def test_enrolling_with_a_taken_card_number_says_so_under_the_card_and_enrolls_nobody(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts
):
    holder = terminal.members.enroll(name="张三")  # T1000001
    terminal.members.attach_card(holder, "OLD-1")
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("李四")
    dialog.mobile_edit.setText("13800138000")
    assert dialog.accept_scan("OLD-1\r\n")

    click_ok(dialog)
    qtbot.waitUntil(lambda: dialog.error_text("card") != "")

    assert dialog.error_text("card") == TAKEN
    assert dialog.error_text("form") == "" and dialog.error_text("mobile") == ""
    assert dialog.focusWidget() is dialog.card_edit
    assert dialog.isVisible() and not dialog.busy and not dialog.is_edit
    assert row_counts() == before


def test_the_holders_own_member_number_is_taken_too(qtbot, desk, terminal, row_counts):
    terminal.members.enroll(name="张三")  # its QR card carries T1000001
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("李四")
    dialog.card_edit.setText("T1000001")

    click_ok(dialog)
    qtbot.waitUntil(lambda: dialog.error_text("card") != "")

    assert dialog.error_text("card") == TAKEN
    assert row_counts() == before


def test_editing_with_a_taken_card_number_keeps_the_other_changes_unsaved(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts
):
    holder = terminal.members.enroll(name="张三")
    terminal.members.attach_card(holder, "OLD-1")
    member_id = terminal.members.enroll(name="李四")
    dialog = make_dialog(qtbot, desk, member_id=member_id)
    qtbot.waitUntil(lambda: not dialog.busy)
    before = row_counts()
    dialog.name_edit.setText("李四四")
    dialog.card_edit.setText("OLD-1")

    click_ok(dialog)
    qtbot.waitUntil(lambda: dialog.error_text("card") != "")

    assert dialog.error_text("card") == TAKEN
    assert dialog.isVisible() and not dialog.busy
    assert row_counts() == before
    assert terminal.members.profile(member_id).name == "李四"


def test_a_number_freed_by_revoking_its_card_can_be_added_when_editing(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts
):
    holder = terminal.members.enroll(name="张三")
    old = terminal.members.attach_card(holder, "OLD-1")
    terminal.members.revoke_card(holder, old)
    member_id = terminal.members.enroll(name="李四")
    dialog = make_dialog(qtbot, desk, member_id=member_id)
    qtbot.waitUntil(lambda: not dialog.busy)
    before = row_counts()
    dialog.card_edit.setText("OLD-1")

    with qtbot.waitSignal(dialog.member_saved):
        click_ok(dialog)

    assert not dialog.isVisible()
    assert row_counts()["events"] == before["events"] + 1  # the card; no field changed
    assert live_numbers(terminal, member_id) == [("imported", "OLD-1"), ("qr", "T1000002")]
    assert terminal.checkins.check_in_code("OLD-1").member_id == member_id


@pytest.mark.parametrize("desk_language", ["zh_CN"])
def test_a_chinese_desk_says_it_in_chinese(qtbot, desk: DeskContext, terminal, desk_language):
    holder = terminal.members.enroll(name="张三")
    terminal.members.attach_card(holder, "OLD-1")
    app = QApplication.instance()
    installed = install_translators(app, desk_language)
    try:
        dialog = make_dialog(qtbot, desk)
        dialog.name_edit.setText("李四")
        dialog.card_edit.setText("OLD-1")
        click_ok(dialog)
        qtbot.waitUntil(lambda: dialog.error_text("card") != "")
        assert dialog.error_text("card") == "此卡号已属于会员 T1000001。"
    finally:
        for translator in installed:
            app.removeTranslator(translator)
        QLocale.setDefault(QLocale("en"))
