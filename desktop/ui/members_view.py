"""The members screen: type-ahead search over the whole member base, and the table.

Keys: type to search (a short pause, then the hits replace the table; Esc clears);
Down goes from the search box to the table; Enter or a double click opens the
member; F5 re-reads the table. Ctrl+N (new member) belongs to the main window; the
"New member" button here does the same through ``enroll()``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QImage, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.context import DeskContext
from desktop.ui.enroll_dialog import EnrollDialog
from desktop.ui.members_model import PAGE_SIZE, Column, MembersTableModel

__all__ = ["SEARCH_DELAY_MS", "MembersView"]

SEARCH_DELAY_MS = 150  # type-ahead: search once the typing pauses this long
_COLUMN_WIDTHS = {
    Column.MEMBER_NO: 110,
    Column.NAME: 140,
    Column.MOBILE: 130,
    Column.TIER: 90,
    Column.POINTS: 90,
}


class MembersView(QWidget):
    open_member = Signal(str)  # member id: show this member's detail
    member_enrolled = Signal(str)  # member id, after enroll() saved a new member

    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None = None,
        *,
        capture_photo: Callable[[], QImage | None] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._capture_photo = capture_photo
        self._open_when_found = False

        self.model = MembersTableModel(ctx, page_size=page_size, parent=self)

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("members_search")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(
            self.tr(
                "Search: name, pinyin initials, last 4 digits of the mobile, member or card no."
            )
        )
        self.search_box.setAccessibleName(self.tr("Search members"))
        self.search_box.installEventFilter(self)

        self.table = QTableView(self)
        self.table.setObjectName("members_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setTabKeyNavigation(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed heights: the view never measures 200,000 rows (or asks for their data).
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in _COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open_index)

        self.status = QLabel(self)
        self.status.setObjectName("members_status")
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setToolTip(self.tr("Show the selected member (Enter)"))
        self.open_button.clicked.connect(self.open_current)
        self.enroll_button = QPushButton(self.tr("New member…"), self)
        self.enroll_button.setToolTip(self.tr("Enroll a new member (Ctrl+N)"))
        self.enroll_button.clicked.connect(self.enroll)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Read the member list again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.enroll_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search_now)
        self.search_box.textChanged.connect(self._text_changed)

        self._shortcut("Return", self.open_current, self.table)
        self._shortcut("Enter", self.open_current, self.table)
        self._shortcut("F5", self.refresh, self)

        self.model.ready.connect(self._update_status)
        self.model.modelReset.connect(self._update_status)
        self.model.search_finished.connect(self._search_finished)
        self.model.failed.connect(self._show_error)
        self._update_status()

    # Public API.

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def refresh(self) -> None:
        self.model.refresh()

    def current_member_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.member_id(index.row()) if index.isValid() else None

    def open_current(self) -> None:
        member_id = self.current_member_id()
        if member_id is not None:
            self.open_member.emit(member_id)

    def enroll(self) -> EnrollDialog:
        """Open the enrolment dialog (window-modal); a saved member is then opened."""
        dialog = EnrollDialog(self._ctx, self, capture_photo=self._capture_photo)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.member_saved.connect(self._enrolled)
        dialog.open()
        return dialog

    # Qt.

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        # Each time the screen comes up: members may have come in by sync meanwhile.
        self.model.set_live(True)
        self.model.refresh()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        # No re-reading 200,000 members for every change while nobody looks.
        self.model.set_live(False)
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._search_key(event):
                return True
        return super().eventFilter(watched, event)

    # Internals below.

    def _search_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self._to_table()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._debounce.isActive() or self.model.search_pending:
                self._open_when_found = True  # open the first hit once it is shown
                if self._debounce.isActive():
                    self._search_now()
            else:
                self.open_current()
            return True
        if key == Qt.Key.Key_Escape and self.search_box.text():
            self.search_box.clear()
            return True
        return False

    def _to_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self._select_row(0)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _text_changed(self, text: str) -> None:
        if text.strip():
            self._debounce.start()  # restarted by every keystroke: search when typing pauses
            return
        # Cleared (Esc, the clear button): back to the whole list at once.
        self._debounce.stop()
        self._open_when_found = False
        self.model.set_search("")
        self._update_status()

    def _search_now(self) -> None:
        self._debounce.stop()
        text = self.search_box.text()
        if text.strip() == self.model.search_text:
            if self._open_when_found and not self.model.search_pending:
                self._open_when_found = False
                self.open_current()
            return
        self.status.setText(self.tr("Searching…"))
        self.model.set_search(text)

    def _search_finished(self, hits: int) -> None:
        self._update_status()
        if hits:
            self._select_row(0)
        if self._open_when_found:
            self._open_when_found = False
            if hits:
                self.open_current()

    def _update_status(self) -> None:
        locale = self._ctx.locale
        if self.model.is_searching:
            hits = self.model.rowCount()
            text = (
                self.tr("No member matches “{query}”.").format(query=self.model.search_text)
                if hits == 0
                else self.tr("{count} found").format(count=locale.toString(hits))
            )
        elif not self.model.is_loaded:
            text = self.tr("Loading members…")
        else:
            text = self.tr("{count} members").format(count=locale.toString(self.model.member_count))
        self.status.setStyleSheet("")
        self.status.setText(text)

    def _show_error(self, message: str) -> None:
        self.status.setStyleSheet("color: #c0392b;")
        self.status.setText(message)

    def _open_index(self, index: QModelIndex) -> None:
        member_id = self.model.member_id(index.row())
        if member_id is not None:
            self.open_member.emit(member_id)

    def _enrolled(self, member_id: str) -> None:
        self.member_enrolled.emit(member_id)
        self.open_member.emit(member_id)

    def _shortcut(self, key: str, slot: Callable[[], None], widget: QWidget) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut
