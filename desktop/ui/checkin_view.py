"""The home screen: scan or search, and see the answer.

One field takes everything a person types: a name, pinyin initials, the last four
digits of a mobile, a card number. As she types, matching members appear below; Enter
checks in the highlighted one, or, with no match highlighted, uses the text as a code.
Scanner bursts and webcam codes arrive through ``handle_code`` whatever has the focus.
Every check-in runs on the writes lane, one after another; the screen only paints.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.history import CheckinView as CheckinRecord
from desktop.services.search import MemberHit
from desktop.ui.context import DeskContext
from desktop.ui.outcome import ScanOutcome, check_in_code, check_in_member
from desktop.ui.result_panel import NEUTRAL, ResultPanel
from desktop.ui.sound import Cue, SoundBoard

SEARCH_DELAY_MS = 120
HIT_LIMIT = 8
RECENT_LIMIT = 12


class ScanField(QLineEdit):
    """The search field; Up/Down move through the hits without leaving it."""

    moved = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Down:
            self.moved.emit(1)
        elif event.key() == Qt.Key.Key_Up:
            self.moved.emit(-1)
        else:
            super().keyPressEvent(event)


class CheckinView(QWidget):
    outcome_shown = Signal(object)  # ScanOutcome, once it is painted
    open_member = Signal(str)

    def __init__(self, ctx: DeskContext, sounds: SoundBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._sounds = sounds
        self._search_seq = 0
        self._snapshot_source: object | None = None

        self.field = ScanField(self)
        self.field.setObjectName("scanField")
        self.field.setPlaceholderText(
            self.tr("Scan a card, or type a name, pinyin initials or the last 4 digits")
        )
        self.field.setClearButtonEnabled(True)
        self.field.setStyleSheet("font-size: 26px; padding: 8px;")
        self.hits = QListWidget(self)
        self.hits.setObjectName("hits")
        self.hits.setStyleSheet("font-size: 20px;")
        self.hits.setMaximumHeight(260)
        self.hits.hide()
        self.result = ResultPanel(ctx, self)

        self.camera_view = QLabel(self.tr("No camera"), self)
        self.camera_view.setObjectName("cameraView")
        self.camera_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_view.setFixedSize(320, 180)
        self.camera_view.setWordWrap(True)
        self.camera_view.setStyleSheet(
            "background: #263238; color: #eceff1; font-size: 18px; padding: 8px;"
        )
        self.recent = QListWidget(self)
        self.recent.setObjectName("recent")
        self.recent.setStyleSheet("font-size: 16px;")
        self.undo_button = QPushButton(self.tr("Undo check-in (Ctrl+Z)"), self)
        self.undo_button.setEnabled(False)

        left = QVBoxLayout()
        left.addWidget(self.field)
        left.addWidget(self.hits)
        left.addWidget(self.result, 1)
        right = QVBoxLayout()
        right.addWidget(self.camera_view)
        right.addWidget(QLabel(self.tr("Recent check-ins"), self))
        right.addWidget(self.recent, 1)
        right.addWidget(self.undo_button)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)
        self.field.textEdited.connect(lambda _text: self._search_timer.start())
        self.field.returnPressed.connect(self._submit)
        self.field.moved.connect(self._move_hit)
        self.hits.itemActivated.connect(self._activate_hit)
        self.recent.currentRowChanged.connect(lambda _row: self._update_undo())
        self.recent.itemDoubleClicked.connect(self._open_recent)
        self.undo_button.clicked.connect(self.undo_selected)
        self.result.painted.connect(self._on_painted)
        QShortcut(QKeySequence("Ctrl+Z"), self, self.undo_selected)
        QShortcut(QKeySequence("Escape"), self, self.clear)
        ctx.signals.checkins_changed.connect(self.refresh_recent)
        ctx.signals.staff_changed.connect(self._update_undo)

    # What the rest of the app calls.

    def handle_code(self, code: str) -> None:
        """A scanned code (wedge scanner or webcam): check it in."""
        self._ctx.lanes.writes.run(
            lambda: check_in_code(self._ctx.terminal, code), self.show_outcome
        )

    def focus_field(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def clear(self) -> None:
        self.field.clear()
        self.hits.clear()
        self.hits.hide()
        self.focus_field()

    def show_outcome(self, outcome: ScanOutcome) -> None:
        self.result.show_outcome(outcome)
        self._sounds.play(_cue(outcome))
        if outcome.result is not None and outcome.result.checkin_id is not None:
            self._ctx.signals.checkins_changed.emit()

    def show_camera_frame(self, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image).scaled(
            self.camera_view.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.camera_view.setPixmap(pixmap)

    def show_camera_state(self, text: str) -> None:
        self.camera_view.clear()
        self.camera_view.setText(text)

    def refresh_recent(self) -> None:
        self._ctx.lanes.reads.run(
            lambda: self._ctx.terminal.checkins.recent(RECENT_LIMIT), self._show_recent
        )

    def undo_selected(self) -> None:
        item = self.recent.currentItem()
        if item is None:
            return
        checkin_id = item.data(Qt.ItemDataRole.UserRole)
        self._ctx.lanes.writes.run(
            lambda: self._ctx.terminal.checkins.undo(checkin_id),
            lambda _none: self._undone(),
            lambda exc: self.result.show_message(self._ctx.error_message(exc)),
        )

    # Internals below.

    def _search(self) -> None:
        text = self.field.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if not text:
            self.hits.clear()
            self.hits.hide()
            return
        self._ctx.lanes.reads.run(
            lambda: self._ctx.terminal.search(text, HIT_LIMIT),
            lambda hits: self._show_hits(seq, hits),
        )

    def _show_hits(self, seq: int, hits: list[MemberHit]) -> None:
        if seq != self._search_seq:
            return  # the text changed since; a newer search is on its way
        self.hits.clear()
        for hit in hits:
            text = f"{hit.name}    {hit.member_no}    {_masked(hit.mobile)}"
            item = QListWidgetItem(text, self.hits)
            item.setData(Qt.ItemDataRole.UserRole, hit.member_id)
        self.hits.setVisible(bool(hits))
        if hits:
            self.hits.setCurrentRow(0)

    def _move_hit(self, step: int) -> None:
        if self.hits.count():
            row = max(0, min(self.hits.count() - 1, self.hits.currentRow() + step))
            self.hits.setCurrentRow(row)

    def _submit(self) -> None:
        self._search_timer.stop()
        item = self.hits.currentItem() if self.hits.isVisible() else None
        text = self.field.text().strip()
        if item is not None:
            self._check_in_member(item.data(Qt.ItemDataRole.UserRole))
        elif text:
            self.handle_code(text)
        self.clear()

    def _activate_hit(self, item: QListWidgetItem) -> None:
        self._check_in_member(item.data(Qt.ItemDataRole.UserRole))
        self.clear()

    def _check_in_member(self, member_id: str) -> None:
        self._ctx.lanes.writes.run(
            lambda: check_in_member(self._ctx.terminal, member_id), self.show_outcome
        )

    def _on_painted(self) -> None:
        self.outcome_shown.emit(self.result.outcome)

    def _show_recent(self, views: list[CheckinRecord]) -> None:
        self.recent.clear()
        tz = self._ctx.terminal.branch_tz
        today = self._ctx.terminal.recorder.now().astimezone(tz).date()
        for view in views:
            when = self._ctx.time_text(view.at)
            day = view.at.astimezone(tz).date()
            if day != today:  # after a quiet morning the list still holds yesterday's
                when = f"{self._ctx.date_text(day)} {when}"
            text = f"{when}  {view.member_name}"
            if view.undone:
                text += "  " + self.tr("(undone)")
            item = QListWidgetItem(text, self.recent)
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, view)
        self._update_undo()

    def _update_undo(self) -> None:
        item = self.recent.currentItem()
        view = item.data(Qt.ItemDataRole.UserRole + 1) if item is not None else None
        self.undo_button.setEnabled(view is not None and self._ctx.terminal.checkins.can_undo(view))

    def _undone(self) -> None:
        self.result.show_message(self.tr("Check-in undone"), NEUTRAL)
        self._ctx.signals.checkins_changed.emit()

    def _open_recent(self, item: QListWidgetItem) -> None:
        view = item.data(Qt.ItemDataRole.UserRole + 1)
        if view is not None:
            self.open_member.emit(view.member_id)


def _cue(outcome: ScanOutcome) -> Cue:
    if not outcome.allowed:
        return Cue.DENIED
    if outcome.result is not None and outcome.result.decision.notices:
        return Cue.NOTICE
    return Cue.WELCOME


def _masked(mobile: str | None) -> str:
    if not mobile or len(mobile) < 7:
        return mobile or ""
    return mobile[:3] + "****" + mobile[-4:]
