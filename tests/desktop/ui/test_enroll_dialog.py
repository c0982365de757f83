"""The enrolment dialog: bad input is refused next to its field and nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from desktop.terminal import Terminal
from desktop.ui.context import DeskContext
from desktop.ui.enroll_dialog import EnrollDialog, parse_tags
from shared.errors import BirthdayInFuture, MobileInvalid, MobileTaken, NameEmpty, NameTooLong
from shared.kinds import Gender
from shared.model import Event


def make_dialog(qtbot, desk: DeskContext, **kwargs) -> EnrollDialog:
    dialog = EnrollDialog(desk, **kwargs)
    qtbot.addWidget(dialog)
    dialog.print_card_check.setChecked(False)
    dialog.show()
    return dialog


def click_ok(dialog: EnrollDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def last_event(terminal: Terminal) -> tuple[str, dict[str, Any]]:
    """The type and payload of the newest event."""
    with terminal.engine.connect() as conn:
        row = conn.execute(select(Event.type, Event.payload).order_by(Event.hlc.desc())).first()
    assert row is not None
    return row.type, row.payload


def assert_shown_under(dialog: EnrollDialog, field: str, widget) -> None:
    """The field's message is visible, in the same box as the field, below it."""
    label = dialog._errors[field]
    assert label.isVisible()
    assert label.parentWidget() is widget.parentWidget() or field == "birthday"
    assert (
        label.mapTo(dialog, label.rect().topLeft()).y()
        > widget.mapTo(dialog, widget.rect().topLeft()).y()
    )


@pytest.mark.parametrize(
    ("field", "fill", "error"),
    [
        ("name", lambda d: d.name_edit.setText("   "), NameEmpty()),
        ("name", lambda d: d.name_edit.setText("长" * 51), NameTooLong(length=51, max_length=50)),
        ("mobile", lambda d: d.mobile_edit.setText("12345"), MobileInvalid(text="12345")),
        (
            "birthday",
            lambda d: (
                d.birthday_given.setChecked(True),
                d.birthday_edit.setDate(QDate(2099, 1, 2)),
            ),
            BirthdayInFuture(birthday="2099-01-02"),
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_writes_nothing(
    qtbot, desk: DeskContext, row_counts, field, fill, error
):
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("王小明")
    dialog.mobile_edit.setText("13800138000")
    fill(dialog)
    click_ok(dialog)

    assert dialog.error_text(field) == desk.error_message(error)
    widget = {"name": dialog.name_edit, "mobile": dialog.mobile_edit}.get(
        field, dialog.birthday_edit
    )
    assert_shown_under(dialog, field, widget)
    assert dialog.focusWidget() is widget  # the first bad field has the focus
    others = [f for f in ("name", "mobile", "birthday", "card") if f != field]
    assert all(dialog.error_text(f) == "" for f in others)
    assert dialog.isVisible()
    assert not dialog.busy  # nothing was sent to be written
    desk.lanes.wait()
    assert row_counts() == before


def test_every_problem_is_shown_at_once_and_the_first_gets_the_focus(qtbot, desk, row_counts):
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.mobile_edit.setText("999")
    dialog.card_edit.setText("x" * 65)
    click_ok(dialog)
    assert dialog.error_text("name") == desk.error_message(NameEmpty())
    assert dialog.error_text("mobile") == desk.error_message(MobileInvalid(text="999"))
    assert dialog.error_text("card")
    assert dialog.focusWidget() is dialog.name_edit

    dialog.name_edit.setText("王小明")  # fixing one leaves the others
    click_ok(dialog)
    assert dialog.error_text("name") == ""
    assert dialog.error_text("mobile")
    assert dialog.focusWidget() is dialog.mobile_edit
    assert row_counts() == before


def test_a_valid_enrolment_writes_one_member_with_a_card_photo_and_old_card(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts, tmp_path
):
    picture = tmp_path / "face.png"
    Image.new("RGB", (800, 600), (200, 120, 90)).save(picture)
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText(" 王  小明 ")
    dialog.mobile_edit.setText("138 0013 8000")
    dialog.gender_combo.setCurrentIndex(dialog.gender_combo.findData(str(Gender.FEMALE)))
    dialog.birthday_given.setChecked(True)
    dialog.birthday_edit.setDate(QDate(1990, 5, 17))
    dialog.tags_edit.setText("瑜伽，私教, 瑜伽")
    dialog.consent_check.setChecked(True)
    dialog.set_photo_file(picture)
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.photo.has_photo
    assert dialog.accept_scan("OLD-00042\r\n")
    assert dialog.card_edit.text() == "OLD-00042"

    with qtbot.waitSignal(dialog.member_saved) as saved:
        click_ok(dialog)
    member_id = saved.args[0]
    assert dialog.member_id == member_id
    assert not dialog.isVisible()

    after = row_counts()
    assert after["members"] == before["members"] + 1
    assert after["cards"] == before["cards"] + 2  # its QR card and the imported number
    profile = terminal.members.profile(member_id)
    assert profile.name == "王 小明"
    assert profile.mobile == "13800138000"
    assert profile.gender == Gender.FEMALE
    assert profile.birthday == date(1990, 5, 17)
    assert profile.tags == ("瑜伽", "私教")
    assert profile.marketing_consent
    assert profile.photo_ref is not None and desk.blobs.has(profile.photo_ref)
    kinds = sorted((c.kind, c.number) for c in terminal.members.cards(member_id))
    assert kinds == [("imported", "OLD-00042"), ("qr", profile.member_no)]
    assert terminal.checkins.check_in_code("OLD-00042").member_id == member_id


def test_a_taken_mobile_is_shown_under_the_mobile_after_submitting(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts
):
    terminal.members.enroll(name="张三", mobile="13800138000")
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("李四")
    dialog.mobile_edit.setText("13800138000")
    click_ok(dialog)
    expected = desk.error_message(MobileTaken(mobile="13800138000", member_no="T1000001"))
    qtbot.waitUntil(lambda: dialog.error_text("mobile") == expected)
    assert dialog.focusWidget() is dialog.mobile_edit
    assert dialog.isVisible() and not dialog.busy
    assert row_counts() == before


def test_an_old_card_number_of_another_member_is_refused(qtbot, desk, terminal, row_counts):
    owner = terminal.members.enroll(name="张三")
    terminal.members.attach_card(owner, "OLD-1")
    before = row_counts()
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("李四")
    dialog.card_edit.setText("OLD-1")
    click_ok(dialog)
    qtbot.waitUntil(lambda: "T1000001" in dialog.error_text("card"))
    assert row_counts() == before


def test_a_member_qr_card_is_not_taken_as_an_old_card_number(qtbot, desk, terminal):
    payload = terminal.members.card_payload(terminal.members.enroll(name="张三"))
    dialog = make_dialog(qtbot, desk)
    assert dialog.accept_scan(payload)
    assert dialog.error_text("card")
    assert not dialog.accept_scan("\r\n")


def test_the_webcam_picture_becomes_the_photo(qtbot, desk: DeskContext, terminal: Terminal):
    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(QColor("#3366aa"))
    dialog = make_dialog(qtbot, desk, capture_photo=lambda: frame)
    dialog.name_edit.setText("王小明")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts only work in the active window
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert dialog.busy  # the frame is being turned into a photo
    qtbot.waitUntil(lambda: not dialog.busy)
    with qtbot.waitSignal(dialog.member_saved) as saved:
        click_ok(dialog)
    ref = terminal.members.profile(saved.args[0]).photo_ref
    assert ref is not None
    assert Image.open(desk.blobs.path(ref)).format == "JPEG"


def test_no_camera_picture_is_said_under_the_photo(qtbot, desk: DeskContext):
    dialog = make_dialog(qtbot, desk, capture_photo=lambda: None)
    dialog.take_photo()
    assert dialog.error_text("photo")
    assert not make_dialog(qtbot, desk).photo_camera_button.isEnabled()


def test_an_unreadable_photo_file_is_said_under_the_photo(qtbot, desk, tmp_path):
    bad = tmp_path / "not-a-picture.jpg"
    bad.write_bytes(b"hello")
    dialog = make_dialog(qtbot, desk)
    dialog.set_photo_file(bad)
    qtbot.waitUntil(lambda: dialog.error_text("photo") != "")
    assert not dialog.photo.has_photo


def test_editing_sends_only_the_fields_that_changed(
    qtbot, desk: DeskContext, terminal: Terminal, row_counts
):
    member_id = terminal.members.enroll(
        name="张三", mobile="13800138000", tags=("瑜伽",), birthday=date(1988, 2, 3)
    )
    dialog = make_dialog(qtbot, desk, member_id=member_id)
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.name_edit.text() == "张三"
    assert dialog.tags_edit.text() == "瑜伽"
    assert dialog.birthday_given.isChecked()
    assert dialog.birthday_edit.date() == QDate(1988, 2, 3)
    before = row_counts()

    dialog.mobile_edit.setText("139 0000 1111")
    with qtbot.waitSignal(dialog.member_saved):
        click_ok(dialog)

    kind, payload = last_event(terminal)
    assert kind == "member.updated"
    assert payload["changes"] == {"mobile": "13900001111"}
    assert row_counts()["events"] == before["events"] + 1
    profile = terminal.members.profile(member_id)
    assert (profile.name, profile.mobile, profile.tags) == ("张三", "13900001111", ("瑜伽",))


def test_saving_an_unchanged_member_writes_nothing(qtbot, desk, terminal, row_counts):
    member_id = terminal.members.enroll(name="张三", mobile="13800138000")
    dialog = make_dialog(qtbot, desk, member_id=member_id)
    qtbot.waitUntil(lambda: not dialog.busy)
    before = row_counts()
    click_ok(dialog)
    assert not dialog.isVisible()
    desk.lanes.wait()
    assert row_counts() == before


def test_removing_the_birthday_and_photo_clears_them(qtbot, desk, terminal, tmp_path):
    picture = tmp_path / "face.png"
    Image.new("RGB", (100, 100), "red").save(picture)
    dialog = make_dialog(qtbot, desk)
    dialog.name_edit.setText("张三")
    dialog.set_photo_file(picture)
    qtbot.waitUntil(lambda: not dialog.busy)
    with qtbot.waitSignal(dialog.member_saved) as saved:
        click_ok(dialog)
    member_id = saved.args[0]
    terminal.members.update(member_id, birthday=date(1990, 1, 1))

    edit = make_dialog(qtbot, desk, member_id=member_id)
    qtbot.waitUntil(lambda: not edit.busy)
    edit.birthday_given.setChecked(False)
    edit.remove_photo()
    with qtbot.waitSignal(edit.member_saved):
        click_ok(edit)
    assert last_event(terminal)[1]["changes"] == {"birthday": None, "photo_ref": None}


def test_tags_are_split_on_chinese_and_latin_separators():
    assert parse_tags(" 瑜伽， 私教、游泳;瑜伽 ,, ") == ("瑜伽", "私教", "游泳")
    assert parse_tags("") == ()
