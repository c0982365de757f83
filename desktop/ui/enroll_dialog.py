"""Enrolling a member, and editing one (the same form, prefilled).

Every field is checked with the domain's own cleaners before anything is written; each
problem is shown in red right under its field and the first bad field gets the focus.
An error the service raises after submitting (a mobile number taken meanwhile, a card
number another member holds) goes to its field by the error's code; the member and an
imported card number are written in one transaction, so a refused card writes nothing.
Editing sends only the fields that changed.

A photo comes from a file or from the webcam (``capture_photo``, given by the camera
code); it is normalised to a small JPEG in a worker and stored as a blob when saving.
A card number imported from an older system can be typed or scanned (``accept_scan``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

import shiboken6
from PIL import Image
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.photos import load_photo_bytes, normalise_photo
from desktop.services.codes import clean_code
from desktop.services.members import MAX_CARD_NUMBER, MemberProfile
from desktop.ui.card_dialog import CardDialog
from desktop.ui.context import DeskContext
from desktop.ui.photo_widget import PhotoWidget
from shared.card import looks_like_member_card
from shared.errors import CardNumberTaken, MemberDeskError, ValidationError
from shared.kinds import Gender
from shared.member_input import clean_birthday, clean_mobile, clean_name
from shared.rules.checkin import local_date

__all__ = ["FIELDS", "EnrollDialog", "parse_tags"]

FIELDS: Final = ("name", "mobile", "gender", "birthday", "tags", "photo", "card")
_TAG_SEPARATORS = re.compile(r"[,，、;；]+")
_ERROR_STYLE = "color: #c0392b;"
# Error codes -> the field whose message they are.
_FIELD_OF_CODE: Final = {
    "member.name_empty": "name",
    "member.name_too_long": "name",
    "member.mobile_invalid": "mobile",
    "member.mobile_taken": "mobile",
    "member.birthday_in_future": "birthday",
    "member.gender_invalid": "gender",
    "photo.unreadable": "photo",
    "photo.too_large": "photo",
    "blob.ref_invalid": "photo",
    "blob.missing": "photo",
    "blob.corrupt": "photo",
    "card.number_taken": "card",
}
# ValidationError(field=...) names -> the form's field.
_FIELD_OF_PARAM: Final = {
    "name": "name",
    "mobile": "mobile",
    "gender": "gender",
    "birthday": "birthday",
    "tags": "tags",
    "photo_ref": "photo",
    "number": "card",
}
_T = TypeVar("_T")


def parse_tags(text: str) -> tuple[str, ...]:
    """``瑜伽, 私教、 瑜伽`` -> ``("瑜伽", "私教")``: split, trimmed, no repeats (as stored)."""
    tags: list[str] = []
    for part in _TAG_SEPARATORS.split(text):
        tag = " ".join(part.split())[:32]
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


@dataclass(frozen=True)
class _Form:
    """The cleaned values of a valid form."""

    name: str
    mobile: str | None
    gender: Gender
    birthday: date | None
    tags: tuple[str, ...]
    marketing_consent: bool
    card: str | None


def _qimage_jpeg(image: QImage) -> tuple[bytes, QImage]:
    """A webcam frame as a normalised photo, and its preview (runs in a worker)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    pil = Image.frombuffer(
        "RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB", rgb.bytesPerLine()
    )
    jpeg = normalise_photo(pil)
    return jpeg, QImage.fromData(jpeg)


def _file_jpeg(path: Path) -> tuple[bytes, QImage]:
    jpeg = load_photo_bytes(path)
    return jpeg, QImage.fromData(jpeg)


class EnrollDialog(QDialog):
    """New member (``member_id`` None) or edit that member."""

    member_saved = Signal(str)  # member id, after a successful save

    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None = None,
        *,
        member_id: str | None = None,
        capture_photo: Callable[[], QImage | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._member_id = member_id
        self._capture_photo = capture_photo
        self._profile: MemberProfile | None = None
        self._photo_jpeg: bytes | None = None  # a new photo, stored when saving
        self._photo_removed = False
        self._photo_seq = 0
        self._busy: set[str] = set()  # "profile", "photo", "save": what OK waits for
        self.setObjectName("enroll_dialog")
        self.setMinimumWidth(640)

        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(100)
        self.mobile_edit = QLineEdit(self)
        self.mobile_edit.setMaxLength(32)
        self.mobile_edit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.mobile_edit.setPlaceholderText(self.tr("11-digit mobile number (optional)"))
        self.gender_combo = QComboBox(self)
        for gender, text in (
            (Gender.UNDISCLOSED, self.tr("Not given")),
            (Gender.FEMALE, self.tr("Female")),
            (Gender.MALE, self.tr("Male")),
        ):
            self.gender_combo.addItem(text, str(gender))
        self.birthday_given = QCheckBox(self.tr("Given"), self)
        self.birthday_edit = QDateEdit(self)
        self.birthday_edit.setCalendarPopup(True)
        self.birthday_edit.setLocale(ctx.locale)
        self.birthday_edit.setDisplayFormat(_long_year_format(ctx))
        self.birthday_edit.setMinimumDate(QDate(1900, 1, 1))
        self.birthday_edit.setDate(QDate(1990, 1, 1))
        self.birthday_edit.setEnabled(False)
        self.birthday_given.toggled.connect(self.birthday_edit.setEnabled)
        self.tags_edit = QLineEdit(self)
        self.tags_edit.setPlaceholderText(self.tr("Separate tags with commas, e.g. 瑜伽, 私教"))
        self.consent_check = QCheckBox(self.tr("Agrees to receive offers and news"), self)
        self.card_edit = QLineEdit(self)
        self.card_edit.setMaxLength(200)
        self.card_edit.setPlaceholderText(
            self.tr("Scan or type a card number from the old system (optional)")
        )
        self.print_card_check = QCheckBox(self.tr("Print or save the member card next"), self)
        self.print_card_check.setChecked(True)

        self.photo = PhotoWidget(ctx, size=160, parent=self)
        self.photo_file_button = QPushButton(self.tr("From file…"), self)
        self.photo_file_button.clicked.connect(self.choose_photo_file)
        self.photo_camera_button = QPushButton(self.tr("Take photo (Ctrl+T)"), self)
        self.photo_camera_button.clicked.connect(self.take_photo)
        self.photo_camera_button.setEnabled(capture_photo is not None)
        if capture_photo is None:
            self.photo_camera_button.setToolTip(self.tr("No camera is set up on this desk."))
        self.photo_remove_button = QPushButton(self.tr("Remove photo"), self)
        self.photo_remove_button.clicked.connect(self.remove_photo)
        self.name_edit.textChanged.connect(self.photo.set_name)

        self._errors: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {
            "name": self.name_edit,
            "mobile": self.mobile_edit,
            "gender": self.gender_combo,
            "birthday": self.birthday_edit,
            "tags": self.tags_edit,
            "photo": self.photo_file_button,
            "card": self.card_edit,
        }
        form = QFormLayout()
        birthday_row = QHBoxLayout()
        birthday_row.addWidget(self.birthday_given)
        birthday_row.addWidget(self.birthday_edit, 1)
        form.addRow(self.tr("Name"), self._with_error("name", self.name_edit))
        form.addRow(self.tr("Mobile"), self._with_error("mobile", self.mobile_edit))
        form.addRow(self.tr("Gender"), self._with_error("gender", self.gender_combo))
        form.addRow(self.tr("Birthday"), self._with_error("birthday", birthday_row))
        form.addRow(self.tr("Tags"), self._with_error("tags", self.tags_edit))
        form.addRow("", self.consent_check)
        card_label = self.tr("Old card no.") if member_id is None else self.tr("Add old card no.")
        form.addRow(card_label, self._with_error("card", self.card_edit))
        if member_id is None:
            form.addRow("", self.print_card_check)
        else:
            self.print_card_check.setVisible(False)
            self.print_card_check.setChecked(False)

        photo_column = QVBoxLayout()
        photo_column.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignHCenter)
        photo_column.addWidget(self.photo_file_button)
        photo_column.addWidget(self.photo_camera_button)
        photo_column.addWidget(self.photo_remove_button)
        photo_column.addWidget(self._error_label("photo"))
        photo_column.addStretch(1)

        self.general_error = QLabel(self)
        self.general_error.setObjectName("general_error")
        self.general_error.setStyleSheet(_ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Enroll") if member_id is None else self.tr("Save"))
        ok.setToolTip(self.tr("Ctrl+Enter"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        columns.addLayout(photo_column)
        columns.addLayout(form, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.save)
        QShortcut(QKeySequence("Ctrl+T"), self, self.take_photo)

        if member_id is None:
            self.setWindowTitle(self.tr("New member"))
        else:
            self.setWindowTitle(self.tr("Edit member"))
            self._load_profile(member_id)
        self.name_edit.setFocus()

    # Public API.

    @property
    def member_id(self) -> str | None:
        """The member edited, or the one enrolled once saved (None before)."""
        return self._member_id

    @property
    def is_edit(self) -> bool:
        return self._member_id is not None

    @property
    def busy(self) -> bool:
        return bool(self._busy)

    @property
    def print_card_after(self) -> bool:
        return self.print_card_check.isChecked()

    def accept(self) -> None:
        """OK, Enter or Ctrl+Enter: save (the dialog closes once it is written)."""
        self.save()

    def error_text(self, field: str) -> str:
        """The message shown under ``field`` ("" when none); "form" for the general one."""
        label = self.general_error if field == "form" else self._errors[field]
        return label.text() if not label.isHidden() else ""

    def accept_scan(self, code: str) -> bool:
        """Take a scanned card number into the old-card field; False if not for us."""
        text = clean_code(code)
        if not text or "save" in self._busy:
            return False
        self.card_edit.setText(text)
        self._set_error("card", self._card_problem(text))
        return True

    def choose_photo_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a photo"),
            "",
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.webp *.heic *.gif);;All files (*)"),
        )
        if path:
            self.set_photo_file(Path(path))

    def set_photo_file(self, path: Path) -> None:
        """Use the image file at ``path`` as the photo (read and shrunk in a worker)."""
        self._start_photo(lambda: _file_jpeg(path))

    def take_photo(self) -> None:
        """Use the webcam's current picture as the photo."""
        if self._capture_photo is None:
            return
        image = self._capture_photo()
        if image is None or image.isNull():
            self._set_error("photo", self.tr("The camera has no picture yet; try again."))
            return
        frame = image.copy()
        self.photo.show_image(frame, self.name_edit.text())
        self._start_photo(lambda: _qimage_jpeg(frame))

    def remove_photo(self) -> None:
        self._photo_seq += 1
        self._busy.discard("photo")
        self._photo_jpeg = None
        self._photo_removed = True
        self._set_error("photo", "")
        self.photo.show_image(None, self.name_edit.text())
        self._update_ok()

    def save(self) -> None:
        """Check the form; if valid, write it (in the writes lane) and close."""
        if self._busy:
            return
        self._clear_errors()
        form = self._validated()
        if form is None:
            return
        if self._member_id is not None and self._profile is not None:
            changes = self._changes(form, self._profile)
            if not changes and form.card is None and self._photo_jpeg is None:
                QDialog.accept(self)  # nothing changed: nothing to write
                return
        else:
            changes = {}
        self._set_busy("save", True)
        terminal, blobs = self._ctx.terminal, self._ctx.blobs
        jpeg, member_id = self._photo_jpeg, self._member_id
        creating = self._profile is None

        def write() -> str:
            # The member and the old card number go in one transaction: a number another
            # member holds (CardNumberTaken) leaves everything as it was.
            photo_ref = blobs.put(jpeg) if jpeg is not None else None
            if creating:
                return terminal.members.enroll(
                    name=form.name,
                    mobile=form.mobile,
                    gender=form.gender,
                    birthday=form.birthday,
                    tags=form.tags,
                    marketing_consent=form.marketing_consent,
                    photo_ref=photo_ref,
                    card_number=form.card,
                )
            assert member_id is not None
            if photo_ref is not None:
                changes["photo_ref"] = photo_ref
            terminal.members.update(member_id, card_number=form.card, **changes)
            return member_id

        self._ctx.lanes.writes.run(write, self._guard(self._saved), self._guard(self._save_failed))

    # Internals below.

    def _with_error(self, field: str, content: QWidget | QHBoxLayout) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(content, QWidget):
            column.addWidget(content)
        else:
            column.addLayout(content)
        column.addWidget(self._error_label(field))
        return box

    def _error_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"{field}_error")
        label.setStyleSheet(_ERROR_STYLE)
        label.setWordWrap(True)
        label.setVisible(False)
        self._errors[field] = label
        return label

    def _set_error(self, field: str, text: str) -> None:
        label = self.general_error if field == "form" else self._errors[field]
        label.setText(text)
        label.setVisible(bool(text))

    def _clear_errors(self) -> None:
        for field in FIELDS:
            self._set_error(field, "")
        self._set_error("form", "")

    def _focus_first_error(self) -> None:
        for field in FIELDS:
            if self.error_text(field):
                widget = self._field_widgets[field]
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(widget, QLineEdit):
                    widget.selectAll()
                return

    def _today(self) -> date:
        terminal = self._ctx.terminal
        return local_date(terminal.recorder.now(), terminal.branch_tz)

    def _validated(self) -> _Form | None:
        """The cleaned form, or None after showing every problem next to its field."""
        problems: dict[str, str] = {}
        values: dict[str, Any] = {}
        checks: dict[str, Callable[[], Any]] = {
            "name": lambda: clean_name(self.name_edit.text()),
            "mobile": lambda: self._clean_mobile(self.mobile_edit.text()),
            "birthday": lambda: clean_birthday(self._birthday(), self._today()),
        }
        for field, check in checks.items():
            try:
                values[field] = check()
            except MemberDeskError as exc:
                problems[field] = self._ctx.error_message(exc)
        card = clean_code(self.card_edit.text()) or None
        if card is not None:
            card_problem = self._card_problem(card)
            if card_problem:
                problems["card"] = card_problem
        for field, text in problems.items():
            self._set_error(field, text)
        if problems:
            self._focus_first_error()
            return None
        return _Form(
            name=values["name"],
            mobile=values["mobile"],
            gender=Gender(self.gender_combo.currentData()),
            birthday=values["birthday"],
            tags=parse_tags(self.tags_edit.text()),
            marketing_consent=self.consent_check.isChecked(),
            card=card,
        )

    def _clean_mobile(self, text: str) -> str | None:
        if not text.strip():
            return None
        return clean_mobile(text, self._ctx.terminal.config.region)

    def _birthday(self) -> date | None:
        if not self.birthday_given.isChecked():
            return None
        value = self.birthday_edit.date()
        return date(value.year(), value.month(), value.day())

    def _card_problem(self, number: str) -> str:
        if looks_like_member_card(number.upper()):
            return self.tr("This is a MemberDesk member card, not a card number to import.")
        if len(number) > MAX_CARD_NUMBER:
            return self.tr("A card number has at most {n} characters.").format(n=MAX_CARD_NUMBER)
        return ""

    def _changes(self, form: _Form, profile: MemberProfile) -> dict[str, Any]:
        new: dict[str, Any] = {
            "name": form.name,
            "mobile": form.mobile,
            "gender": form.gender,
            "birthday": form.birthday,
            "tags": form.tags,
            "marketing_consent": form.marketing_consent,
        }
        old: dict[str, Any] = {
            "name": profile.name,
            "mobile": profile.mobile,
            "gender": profile.gender,
            "birthday": profile.birthday,
            "tags": tuple(profile.tags),
            "marketing_consent": profile.marketing_consent,
        }
        changes = {k: v for k, v in new.items() if v != old[k]}
        if self._photo_removed and self._photo_jpeg is None and profile.photo_ref is not None:
            changes["photo_ref"] = None
        return changes

    def _load_profile(self, member_id: str) -> None:
        self._set_busy("profile", True)
        self._ctx.lanes.reads.run(
            lambda: self._ctx.terminal.members.profile(member_id),
            self._guard(self._fill),
            self._guard(self._load_failed),
        )

    def _fill(self, profile: MemberProfile) -> None:
        self._profile = profile
        self.setWindowTitle(self.tr("Edit member {member_no}").format(member_no=profile.member_no))
        self.name_edit.setText(profile.name)
        self.mobile_edit.setText(profile.mobile or "")
        self.gender_combo.setCurrentIndex(max(0, self.gender_combo.findData(str(profile.gender))))
        self.birthday_given.setChecked(profile.birthday is not None)
        if profile.birthday is not None:
            self.birthday_edit.setDate(
                QDate(profile.birthday.year, profile.birthday.month, profile.birthday.day)
            )
        self.tags_edit.setText(", ".join(profile.tags))
        self.consent_check.setChecked(profile.marketing_consent)
        if self._photo_jpeg is None and not self._photo_removed:
            self.photo.show_member(profile.photo_ref, profile.name)
        self._set_busy("profile", False)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _load_failed(self, exc: Exception) -> None:
        self._set_error("form", self._ctx.error_message(exc))
        # The form stays disabled: there is nothing sound to edit.

    def _start_photo(self, make: Callable[[], tuple[bytes, QImage]]) -> None:
        self._photo_seq += 1
        seq = self._photo_seq
        self._set_error("photo", "")
        self._set_busy("photo", True)
        self._ctx.lanes.reads.run(
            make,
            self._guard(lambda result: self._photo_ready(seq, *result)),
            self._guard(lambda exc: self._photo_failed(seq, exc)),
        )

    def _photo_ready(self, seq: int, jpeg: bytes, preview: QImage) -> None:
        if seq != self._photo_seq:
            return
        self._photo_jpeg = jpeg
        self._photo_removed = False
        self.photo.show_image(preview, self.name_edit.text())
        self._set_busy("photo", False)

    def _photo_failed(self, seq: int, exc: Exception) -> None:
        if seq != self._photo_seq:
            return
        self._set_busy("photo", False)
        self._set_error("photo", self._ctx.error_message(exc))
        if self._photo_jpeg is None:
            self.photo.show_image(None, self.name_edit.text())

    def _saved(self, member_id: str) -> None:
        self._set_busy("save", False)
        self._member_id = member_id
        self._ctx.signals.member_changed.emit(member_id)
        self.member_saved.emit(member_id)
        if self.print_card_after:
            self._open_card_dialog(member_id)
        QDialog.accept(self)

    def _open_card_dialog(self, member_id: str) -> None:
        dialog = CardDialog(self._ctx, member_id, self.parentWidget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _save_failed(self, exc: Exception) -> None:
        self._set_busy("save", False)
        self._show_save_error(exc)

    def _show_save_error(self, exc: Exception) -> None:
        if isinstance(exc, CardNumberTaken):
            # Next to the number itself, so the sentence names only the holder.
            text = self.tr("This card number already belongs to member {member_no}.").format(
                member_no=exc.params.get("member_no", "")
            )
        else:
            text = self._ctx.error_message(exc)
        self._set_error(_field_of(exc, "form"), text)
        self._focus_first_error()

    def _set_busy(self, what: str, busy: bool) -> None:
        if busy:
            self._busy.add(what)
        else:
            self._busy.discard(what)
        editable = not ({"save", "profile"} & self._busy)
        for widget in self._field_widgets.values():
            widget.setEnabled(editable)
        self.birthday_given.setEnabled(editable)
        self.birthday_edit.setEnabled(editable and self.birthday_given.isChecked())
        self.consent_check.setEnabled(editable)
        self.photo_camera_button.setEnabled(editable and self._capture_photo is not None)
        self.photo_remove_button.setEnabled(editable)
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not self._busy)

    def _guard(self, fn: Callable[[_T], object]) -> Callable[[_T], None]:
        def call(value: _T) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call


def _field_of(exc: Exception, default: str) -> str:
    if isinstance(exc, MemberDeskError):
        field = _FIELD_OF_CODE.get(exc.code)
        if field is not None:
            return field
        if isinstance(exc, ValidationError):
            return _FIELD_OF_PARAM.get(str(exc.params.get("field", "")), default)
    return default


def _long_year_format(ctx: DeskContext) -> str:
    """The locale's short date format with a four-digit year (birthdays span a century)."""
    text = ctx.locale.dateFormat(ctx.locale.FormatType.ShortFormat)
    if "yyyy" not in text:
        text = text.replace("yy", "yyyy")
    return text
