"""One member: profile, plans, check-in history and ledger; edit, freeze, cards.

Everything is read on the reads lane and written on the writes lane; after a write the
view says so and emits ``ctx.signals.member_changed`` (which also reloads it). Actions
a role may not take (freezing is for managers) are shown disabled with the reason as
tooltip; the services refuse them anyway, and such a refusal is shown like any error.

Keys: Ctrl+E edit, Ctrl+P print or save the card, Ctrl+R reissue the card,
Ctrl+Shift+F freeze the selected plan, Ctrl+Shift+U unfreeze it, F5 reload, Esc back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, TypeVar

import shiboken6
from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QImage, QKeySequence, QPixmap, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.history import CheckinView, LedgerView
from desktop.services.member_state import MembershipView
from desktop.services.members import MemberStatus
from desktop.terminal import Terminal
from desktop.ui.card_dialog import CardDialog
from desktop.ui.context import DeskContext
from desktop.ui.enroll_dialog import EnrollDialog
from desktop.ui.members_model import tier_text
from desktop.ui.photo_widget import PhotoWidget, square_image
from shared.kinds import Account, CheckinMethod, Gender, PlanKind
from shared.permissions import Action, is_allowed
from shared.rules.checkin import (
    FreezePeriod,
    MembershipState,
    effective_end_date,
    is_frozen_on,
    local_date,
)

__all__ = ["HISTORY_PAGE", "FreezeDialog", "MemberDetailView", "SnapshotFinder"]

HISTORY_PAGE: Final = 50
THUMB_SIZE: Final = 48
SnapshotFinder = Callable[[str, date], Path | None]  # SnapshotStore.find(checkin_id, on)
_ERROR_STYLE = "color: #c0392b;"
_OK_STYLE = "color: #1e8449;"
_T = TypeVar("_T")


@dataclass(frozen=True)
class _CheckinPage:
    rows: list[CheckinView]
    thumbs: list[QImage | None]
    can_undo: list[bool]


def _read_checkins(
    terminal: Terminal,
    member_id: str,
    before: CheckinView | None,
    snapshot_for: SnapshotFinder | None,
) -> _CheckinPage:
    rows = terminal.history.checkins(
        member_id, limit=HISTORY_PAGE, before=before.cursor if before else None
    )
    thumbs: list[QImage | None] = []
    for row in rows:
        thumb: QImage | None = None
        if snapshot_for is not None:
            try:
                path = snapshot_for(row.id, row.at.astimezone(terminal.branch_tz).date())
            except Exception:  # a missing or odd snapshot never hides the history
                path = None
            if path is not None:
                image = square_image(QImage(str(path)), THUMB_SIZE)
                thumb = image if not image.isNull() else None
        thumbs.append(thumb)
    return _CheckinPage(rows, thumbs, [terminal.checkins.can_undo(r) for r in rows])


def current_freeze(state: MembershipState, today: date) -> FreezePeriod | None:
    """The freeze in force today, else the next one booked (what "unfreeze" ends)."""
    live = [f for f in state.freezes if f.days > 0 and f.end >= today]
    return min(live, key=lambda f: f.start) if live else None


class FreezeDialog(QDialog):
    """Pick the days to freeze a plan; the freeze is booked by ``submit``."""

    def __init__(
        self,
        ctx: DeskContext,
        plan_name: str,
        today: date,
        submit: Callable[[date, date, Callable[[str], None], Callable[[], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(self.tr("Freeze {plan}").format(plan=plan_name))
        self.start_edit = QDateEdit(self)
        self.end_edit = QDateEdit(self)
        first = QDate(today.year, today.month, today.day)
        for edit, value in ((self.start_edit, first), (self.end_edit, first.addDays(6))):
            edit.setCalendarPopup(True)
            edit.setLocale(ctx.locale)
            edit.setMinimumDate(first)
            edit.setDate(value)
        self.error = QLabel(self)
        self.error.setObjectName("freeze_error")
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Freeze"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("First frozen day"), self.start_edit)
        form.addRow(self.tr("Last frozen day"), self.end_edit)
        form.addRow(self.error)
        form.addRow(self.buttons)

    def accept(self) -> None:
        start, end = _py_date(self.start_edit.date()), _py_date(self.end_edit.date())
        self.buttons.setEnabled(False)
        self.error.setVisible(False)
        self._submit(start, end, self._failed, self._done)

    def _failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.buttons.setEnabled(True)
            self.error.setText(message)
            self.error.setVisible(True)

    def _done(self) -> None:
        if shiboken6.isValid(self):
            QDialog.accept(self)


class MemberDetailView(QWidget):
    back_requested = Signal()  # Esc: the desk wants the previous screen
    loaded = Signal(str)  # member id: profile and plans are shown
    checkins_loaded = Signal(int)  # rows added to the check-in history
    ledger_loaded = Signal(int)  # rows added to the ledger
    action_done = Signal(str)  # what was done, for people
    action_failed = Signal(str)  # why it was not, for people
    card_reissued = Signal(str)  # the new card's QR text

    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None = None,
        *,
        capture_photo: Callable[[], QImage | None] | None = None,
        snapshot_for: SnapshotFinder | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._capture_photo = capture_photo
        self._snapshot_for = snapshot_for
        self._member_id: str | None = None
        self._status: MemberStatus | None = None
        self._seq = 0  # bumped per member shown: older answers are dropped
        self._checkins: list[CheckinView] = []
        self._ledger: list[LedgerView] = []
        self._checkins_loading = False
        self._ledger_loading = False
        self._plans: list[MembershipView] = []  # in the plans table's order
        self._can_undo: list[bool] = []  # per check-in row
        self._stale = False  # changed while hidden: reload when shown
        self.setObjectName("member_detail")

        self.photo = PhotoWidget(ctx, size=160, parent=self)
        self.name_label = QLabel(self)
        self.name_label.setObjectName("detail_name")
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number_label = QLabel(self)
        self.contact_label = QLabel(self)
        self.tags_label = QLabel(self)
        self.balance_label = QLabel(self)
        self.balance_label.setObjectName("detail_balances")
        self.visits_label = QLabel(self)
        for label in (self.number_label, self.contact_label, self.tags_label, self.visits_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setObjectName("detail_message")
        self.message.setWordWrap(True)

        self.edit_button = self._button(self.tr("Edit (Ctrl+E)"), self.edit)
        self.card_button = self._button(self.tr("Print / save card (Ctrl+P)"), self.open_card)
        self.reissue_button = self._button(
            self.tr("Reissue card (Ctrl+R)"), lambda: self.reissue_card()
        )
        self.reissue_button.setToolTip(
            self.tr("Issue a new QR card; the member's current card stops working.")
        )
        self.back_button = self._button(self.tr("Back (Esc)"), self.back_requested.emit)

        self.plans_table = self._table(
            [
                self.tr("Plan"),
                self.tr("Kind"),
                self.tr("Start"),
                self.tr("End"),
                self.tr("Left"),
                self.tr("Status"),
                self.tr("Freezes"),
            ]
        )
        self.plans_table.setObjectName("plans_table")
        self.plans_table.itemSelectionChanged.connect(self._update_actions)
        self.freeze_button = self._button(self.tr("Freeze… (Ctrl+Shift+F)"), self.freeze_selected)
        self.unfreeze_button = self._button(
            self.tr("Unfreeze (Ctrl+Shift+U)"), lambda: self.unfreeze_selected()
        )

        self.checkins_table = self._table(
            [
                self.tr("Time"),
                self.tr("How"),
                self.tr("Plan"),
                self.tr("Staff"),
                self.tr("Note"),
            ]
        )
        self.checkins_table.setObjectName("checkins_table")
        self.checkins_table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.checkins_table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 4)
        self.checkins_table.itemSelectionChanged.connect(self._update_actions)
        self.more_checkins_button = self._button(self.tr("Load more"), self.load_more_checkins)
        self.undo_button = self._button(
            self.tr("Undo check-in"), lambda: self.undo_selected_checkin()
        )

        self.ledger_table = self._table(
            [
                self.tr("Time"),
                self.tr("Account"),
                self.tr("Change"),
                self.tr("Balance"),
                self.tr("Reason"),
                self.tr("Plan"),
            ]
        )
        self.ledger_table.setObjectName("ledger_table")
        self.account_combo = QComboBox(self)
        self.account_combo.addItem(self.tr("All"), "")
        for account in Account:
            self.account_combo.addItem(self._account_text(account), str(account))
        self.account_combo.currentIndexChanged.connect(lambda _i: self._reload_ledger())
        self.more_ledger_button = self._button(self.tr("Load more"), self.load_more_ledger)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(
            self._page(self.plans_table, [self.freeze_button, self.unfreeze_button]),
            self.tr("Plans"),
        )
        self.tabs.addTab(
            self._page(self.checkins_table, [self.undo_button, self.more_checkins_button]),
            self.tr("Check-ins"),
        )
        self.tabs.addTab(
            self._page(self.ledger_table, [self.account_combo, self.more_ledger_button]),
            self.tr("Points and balances"),
        )

        facts = QVBoxLayout()
        facts.addWidget(self.name_label)
        for label in (
            self.number_label,
            self.contact_label,
            self.tags_label,
            self.balance_label,
            self.visits_label,
        ):
            facts.addWidget(label)
        facts.addStretch(1)
        actions = QVBoxLayout()
        for button in (self.edit_button, self.card_button, self.reissue_button, self.back_button):
            actions.addWidget(button)
        actions.addStretch(1)
        header = QHBoxLayout()
        header.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(facts, 1)
        header.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        for key, slot in (
            ("Ctrl+E", self.edit),
            ("Ctrl+P", self.open_card),
            ("Ctrl+R", lambda: self.reissue_card()),
            ("Ctrl+Shift+F", self.freeze_selected),
            ("Ctrl+Shift+U", lambda: self.unfreeze_selected()),
            ("F5", self.reload),
            ("Escape", self.back_requested.emit),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        ctx.signals.member_changed.connect(self._member_changed)
        ctx.signals.checkins_changed.connect(self._checkins_changed)
        ctx.signals.staff_changed.connect(self._update_actions)
        self._clear()

    # Public API.

    @property
    def member_id(self) -> str | None:
        return self._member_id

    @property
    def status(self) -> MemberStatus | None:
        """What is shown about the member (None while loading)."""
        return self._status

    @property
    def checkins(self) -> list[CheckinView]:
        return list(self._checkins)

    @property
    def ledger(self) -> list[LedgerView]:
        return list(self._ledger)

    def show_member(self, member_id: str) -> None:
        if member_id != self._member_id:
            self._member_id = member_id
            self._clear()
        self.reload()

    def reload(self) -> None:
        """Read the member again: profile and plans, then the first history pages."""
        if self._member_id is None:
            return
        self._stale = False
        self._seq += 1
        seq, member_id, terminal = self._seq, self._member_id, self._ctx.terminal
        self._ctx.lanes.reads.run(
            lambda: terminal.members.status(member_id),
            self._guard(lambda status: self._status_loaded(seq, status)),
            self._guard(lambda exc: self._read_failed(seq, exc)),
        )
        self._load_checkins(seq, None)
        self._load_ledger(seq, None)

    def edit(self) -> EnrollDialog | None:
        if self._member_id is None:
            return None
        dialog = EnrollDialog(
            self._ctx, self, member_id=self._member_id, capture_photo=self._capture_photo
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_card(self, payload: str | None = None) -> CardDialog | None:
        """The card dialog (print, PNG, PDF) for the member's current card."""
        if self._member_id is None:
            return None
        dialog = CardDialog(self._ctx, self._member_id, self, payload=payload)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def reissue_card(self, *, ask: bool = True) -> None:
        """Revoke the current QR card and issue a new one (then offer to print it)."""
        member_id = self._member_id
        if member_id is None:
            return
        if ask and not self._confirm(
            self.tr("Reissue the card of {name}? The current card will stop working.").format(
                name=self._name()
            )
        ):
            return
        terminal = self._ctx.terminal

        def done(payload: str) -> None:
            self._done(member_id, self.tr("A new card was issued; the old one no longer works."))
            self.card_reissued.emit(payload)
            if ask and self._confirm(self.tr("Print or save the new card now?")):
                self.open_card(payload)

        self._write(lambda: terminal.members.reissue_card(member_id), done)

    def freeze_selected(self) -> None:
        """Ask for the days, then freeze the selected plan."""
        selected = self._selected_plan()
        if selected is None or not self.freeze_button.isEnabled():
            return
        membership_id = selected.state.id

        def submit(
            start: date, end: date, failed: Callable[[str], None], done: Callable[[], None]
        ) -> None:
            self.freeze_plan(membership_id, start, end, on_error=failed, on_done=done)

        dialog = FreezeDialog(self._ctx, selected.plan_name, self._today(), submit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def freeze_plan(
        self,
        membership_id: str,
        start: date,
        end: date,
        *,
        on_error: Callable[[str], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        """Book a freeze of ``membership_id`` over ``[start, end]`` (local days)."""
        member_id = self._member_id
        if member_id is None:
            return
        memberships = self._ctx.terminal.memberships

        def done(_freeze_id: str) -> None:
            self._done(member_id, self.tr("The plan is frozen."))
            if on_done is not None:
                on_done()

        self._write(lambda: memberships.freeze(membership_id, start, end), done, on_error)

    def unfreeze_selected(self, *, ask: bool = True) -> None:
        """End the selected plan's current (or next) freeze today."""
        selected = self._selected_plan()
        if selected is None or not self.unfreeze_button.isEnabled():
            return
        period = current_freeze(selected.state, self._today())
        if period is None:
            return
        if ask and not self._confirm(
            self.tr("Unfreeze {plan}? The member may come in again from today.").format(
                plan=selected.plan_name
            )
        ):
            return
        self.unfreeze_plan(selected.state.id, period.id)

    def unfreeze_plan(self, membership_id: str, freeze_id: str, on: date | None = None) -> None:
        member_id = self._member_id
        if member_id is None:
            return
        memberships = self._ctx.terminal.memberships
        self._write(
            lambda: memberships.unfreeze(membership_id, freeze_id, on),
            lambda _none: self._done(member_id, self.tr("The plan is unfrozen.")),
        )

    def undo_selected_checkin(self, *, ask: bool = True) -> None:
        row = self.checkins_table.currentRow()
        if not 0 <= row < len(self._checkins) or self._member_id is None:
            return
        checkin = self._checkins[row]
        if ask and not self._confirm(self.tr("Undo this check-in? A visit it used is given back.")):
            return
        member_id, checkins = self._member_id, self._ctx.terminal.checkins

        def done(_none: None) -> None:
            self._ctx.signals.checkins_changed.emit()
            self._done(member_id, self.tr("The check-in was undone."))

        self._write(lambda: checkins.undo(checkin.id), done)

    def load_more_checkins(self) -> None:
        if self._checkins and not self._checkins_loading:
            self._load_checkins(self._seq, self._checkins[-1])

    def load_more_ledger(self) -> None:
        if self._ledger and not self._ledger_loading:
            self._load_ledger(self._seq, self._ledger[-1])

    # Internals below.

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return table

    def _page(self, table: QTableWidget, controls: Sequence[QWidget]) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addWidget(table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        for control in controls:
            row.addWidget(control)
        column.addLayout(row)
        return page

    def _clear(self) -> None:
        self._status = None
        self._checkins = []
        self._ledger = []
        self._plans = []
        self._can_undo = []
        self.photo.show_member(None, "")
        self.name_label.setText(self.tr("Loading…") if self._member_id else "")
        for label in (
            self.number_label,
            self.contact_label,
            self.tags_label,
            self.balance_label,
            self.visits_label,
            self.message,
        ):
            label.setText("")
        for table in (self.plans_table, self.checkins_table, self.ledger_table):
            table.setRowCount(0)
        self._update_actions()

    def _today(self) -> date:
        terminal = self._ctx.terminal
        return local_date(terminal.recorder.now(), terminal.branch_tz)

    def _name(self) -> str:
        return self._status.profile.name if self._status is not None else ""

    def _date(self, day: date | None) -> str:
        if day is None:
            return ""
        value = QDate(day.year, day.month, day.day)
        return self._ctx.locale.toString(value, self._ctx.locale.FormatType.ShortFormat)

    def _time(self, at: datetime) -> str:
        local = at.astimezone(self._ctx.terminal.branch_tz)
        day = self._date(local.date())
        return f"{day} {local:%H:%M}"

    def _status_loaded(self, seq: int, status: MemberStatus) -> None:
        if seq != self._seq:
            return
        self._status = status
        profile = status.profile
        locale = self._ctx.locale
        self.photo.show_member(profile.photo_ref, profile.name)
        self.name_label.setText(profile.name)
        self.number_label.setText(
            self.tr("No. {member_no} · {tier}").format(
                member_no=profile.member_no, tier=tier_text(profile.tier)
            )
        )
        contact = [
            profile.mobile or self.tr("No mobile"),
            self._gender_text(profile.gender),
        ]
        if profile.birthday is not None:
            contact.append(self.tr("Born {date}").format(date=self._date(profile.birthday)))
        self.contact_label.setText(" · ".join(contact))
        tags = ", ".join(profile.tags) if profile.tags else self.tr("none")
        enrolled = (
            self._date(profile.enrolled_at.astimezone(self._ctx.terminal.branch_tz).date())
            if profile.enrolled_at is not None
            else ""
        )
        self.tags_label.setText(
            self.tr("Tags: {tags} · Enrolled {date}").format(tags=tags, date=enrolled)
        )
        self.balance_label.setText(
            self.tr("Points {points} · Stored value {money}").format(
                points=locale.toString(status.balances.points),
                money=self._ctx.money(status.balances.stored_value_fen),
            )
        )
        last = (
            self._time(status.last_checkin_at)
            if status.last_checkin_at is not None
            else self.tr("never")
        )
        self.visits_label.setText(self.tr("Last check-in: {when}").format(when=last))
        self._fill_plans(status)
        self._update_actions()
        self.loaded.emit(profile.id)

    def _fill_plans(self, status: MemberStatus) -> None:
        today = self._today()
        table = self.plans_table
        selected = self._selected_plan()
        keep = selected.state.id if selected is not None else None
        table.setRowCount(0)
        plans = sorted(
            status.memberships,
            key=lambda v: (effective_end_date(v.state) or date.max) < today,
        )
        self._plans = plans
        table.setRowCount(len(plans))
        for row, view in enumerate(plans):
            state = view.state
            end = effective_end_date(state)
            frozen_days = sum(f.days for f in state.freezes)
            end_text = self._date(end) if end is not None else self.tr("no end")
            if frozen_days:
                end_text += " " + self.tr("(+{days} frozen)").format(days=frozen_days)
            cells = [
                view.plan_name,
                self._kind_text(state.kind),
                self._date(state.start_date),
                end_text,
                self._left_text(state, today),
                self._plan_status(state, today),
                "; ".join(
                    f"{self._date(f.start)} – {self._date(f.end)}"
                    for f in state.freezes
                    if f.days > 0
                ),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, state.id)
                table.setItem(row, column, item)
            if state.id == keep:
                table.selectRow(row)
        if table.currentRow() < 0 and plans:
            table.selectRow(0)
        table.resizeColumnsToContents()

    def _left_text(self, state: MembershipState, today: date) -> str:
        parts = []
        end = effective_end_date(state)
        if end is not None and end >= today:
            days = (end - max(today, state.start_date)).days + 1
            parts.append(self.tr("{n} days").format(n=self._ctx.locale.toString(days)))
        if state.kind is PlanKind.VISITS:
            visits = state.visits_left or 0
            parts.append(self.tr("{n} visits").format(n=self._ctx.locale.toString(visits)))
        return " · ".join(parts) if parts else "—"

    def _plan_status(self, state: MembershipState, today: date) -> str:
        end = effective_end_date(state)
        if today < state.start_date:
            return self.tr("Starts {date}").format(date=self._date(state.start_date))
        if end is not None and today > end:
            return self.tr("Ended")
        if is_frozen_on(state, today):
            period = current_freeze(state, today)
            until = self._date(period.end) if period is not None else ""
            return self.tr("Frozen until {date}").format(date=until)
        if state.kind is PlanKind.VISITS and (state.visits_left or 0) <= 0:
            return self.tr("No visits left")
        if state.kind is PlanKind.STORED_VALUE:
            return self.tr("Stored value")
        return self.tr("Active")

    def _selected_plan(self) -> MembershipView | None:
        row = self.plans_table.currentRow()
        plans = self._plans
        if 0 <= row < len(plans) and self.plans_table.rowCount() == len(plans):
            return plans[row]
        return None

    def _load_checkins(self, seq: int, before: CheckinView | None) -> None:
        member_id = self._member_id
        if member_id is None:
            return
        self._checkins_loading = True
        self.more_checkins_button.setEnabled(False)
        terminal, snapshot_for = self._ctx.terminal, self._snapshot_for
        self._ctx.lanes.reads.run(
            lambda: _read_checkins(terminal, member_id, before, snapshot_for),
            self._guard(lambda page: self._checkins_page(seq, page, before is None)),
            self._guard(lambda exc: self._history_failed(seq, exc)),
        )

    def _checkins_page(self, seq: int, page: _CheckinPage, first_page: bool) -> None:
        if seq != self._seq:
            return
        self._checkins_loading = False
        table = self.checkins_table
        if first_page:
            table.setRowCount(0)
            self._checkins = []
            self._can_undo = []
        # A page never repeats a row already shown (whatever the cursor's rounding).
        shown = {c.id for c in self._checkins}
        fresh = [
            (view, thumb, undo)
            for view, thumb, undo in zip(page.rows, page.thumbs, page.can_undo, strict=True)
            if view.id not in shown
        ]
        first = table.rowCount()
        self._checkins.extend(view for view, _, _ in fresh)
        self._can_undo = self._can_undo[:first] + [undo for _, _, undo in fresh]
        table.setRowCount(first + len(fresh))
        for offset, (view, thumb, _undo) in enumerate(fresh):
            note = []
            if view.used_visit:
                note.append(self.tr("1 visit used"))
            if view.undone_at is not None:
                note.append(
                    self.tr("Undone {when} by {who}").format(
                        when=self._time(view.undone_at), who=view.undone_by or ""
                    )
                    + (f": {view.undo_reason}" if view.undo_reason else "")
                )
            cells = [
                self._time(view.at),
                self._method_text(view.method),
                view.plan_name or "",
                view.staff_name,
                "; ".join(note),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0 and thumb is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(thumb)))
                if view.undone_at is not None:
                    font = item.font()
                    font.setStrikeOut(column == 0)
                    item.setFont(font)
                table.setItem(first + offset, column, item)
        self.more_checkins_button.setEnabled(len(page.rows) == HISTORY_PAGE)
        self._update_actions()
        self.checkins_loaded.emit(len(fresh))

    def _reload_ledger(self) -> None:
        self._load_ledger(self._seq, None)

    def _load_ledger(self, seq: int, before: LedgerView | None) -> None:
        member_id = self._member_id
        if member_id is None:
            return
        self._ledger_loading = True
        self.more_ledger_button.setEnabled(False)
        account_text = str(self.account_combo.currentData() or "")
        account = Account(account_text) if account_text else None
        history = self._ctx.terminal.history
        cursor = before.cursor if before is not None else None
        self._ctx.lanes.reads.run(
            lambda: history.ledger(member_id, account, limit=HISTORY_PAGE, before=cursor),
            self._guard(lambda rows: self._ledger_page(seq, account, rows, before is None)),
            self._guard(lambda exc: self._history_failed(seq, exc)),
        )

    def _ledger_page(
        self, seq: int, account: Account | None, rows: list[LedgerView], first_page: bool
    ) -> None:
        current = str(self.account_combo.currentData() or "")
        if seq != self._seq or (str(account) if account else "") != current:
            return
        self._ledger_loading = False
        table = self.ledger_table
        if first_page:
            table.setRowCount(0)
            self._ledger = []
        shown = {v.id for v in self._ledger}
        fresh = [view for view in rows if view.id not in shown]
        first = table.rowCount()
        self._ledger.extend(fresh)
        table.setRowCount(first + len(fresh))
        for offset, view in enumerate(fresh):
            cells = [
                self._time(view.at),
                self._account_text(view.account),
                self._amount_text(view.account, view.amount, signed=True),
                self._amount_text(view.account, view.balance_after, signed=False),
                self._reason_text(view.reason),
                view.plan_name or "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(first + offset, column, item)
        self.more_ledger_button.setEnabled(len(rows) == HISTORY_PAGE)
        self.ledger_loaded.emit(len(fresh))

    def _history_failed(self, seq: int, exc: Exception) -> None:
        if seq == self._seq:
            self._checkins_loading = self._ledger_loading = False
            self._show_error(self._ctx.error_message(exc))

    def _read_failed(self, seq: int, exc: Exception) -> None:
        if seq == self._seq:
            self.name_label.setText("")
            self._show_error(self._ctx.error_message(exc))

    def _write(
        self,
        job: Callable[[], _T],
        done: Callable[[_T], object],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        def failed(exc: Exception) -> None:
            message = self._ctx.error_message(exc)
            self._show_error(message)
            if on_error is not None:
                on_error(message)

        self._ctx.lanes.writes.run(job, self._guard(done), self._guard(failed))

    def _done(self, member_id: str, text: str) -> None:
        self.message.setStyleSheet(_OK_STYLE)
        self.message.setText(text)
        self.action_done.emit(text)
        self._ctx.signals.member_changed.emit(member_id)

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(_ERROR_STYLE)
        self.message.setText(text)
        self.action_failed.emit(text)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Please confirm"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _update_actions(self) -> None:
        loaded = self._status is not None
        staff = self._ctx.terminal.staff.current
        may_freeze = staff is not None and is_allowed(staff.role, Action.FREEZE)
        may_cards = staff is not None and is_allowed(staff.role, Action.MANAGE_CARDS)
        may_edit = staff is not None and is_allowed(staff.role, Action.EDIT_MEMBER)
        self.edit_button.setEnabled(loaded and may_edit)
        self.card_button.setEnabled(loaded)
        self.reissue_button.setEnabled(loaded and may_cards)
        selected = self._selected_plan()
        today = self._today()
        freezable = selected is not None and selected.state.kind is not PlanKind.STORED_VALUE
        unfreezable = selected is not None and current_freeze(selected.state, today) is not None
        self.freeze_button.setEnabled(may_freeze and freezable)
        self.unfreeze_button.setEnabled(may_freeze and unfreezable)
        reason = "" if may_freeze else self.tr("Only a manager can freeze or unfreeze a plan.")
        self.freeze_button.setToolTip(reason or self.tr("Pause the selected plan for some days"))
        self.unfreeze_button.setToolTip(reason or self.tr("End the selected plan's freeze today"))
        row = self.checkins_table.currentRow()
        can_undo = self._can_undo
        self.undo_button.setEnabled(0 <= row < len(can_undo) and can_undo[row])
        self.undo_button.setToolTip(
            self.tr("Managers can undo a check-in shortly after it was made.")
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if self._stale:
            self.reload()
        super().showEvent(event)

    def _member_changed(self, member_id: str) -> None:
        if member_id == self._member_id:
            self._reload_when_seen()

    def _checkins_changed(self) -> None:
        if self._member_id is not None:
            self._reload_when_seen()

    def _reload_when_seen(self) -> None:
        """Reload now if shown, else the next time it is (a busy desk checks in all day)."""
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def _gender_text(self, gender: Gender) -> str:
        return {
            Gender.FEMALE: self.tr("Female"),
            Gender.MALE: self.tr("Male"),
            Gender.UNDISCLOSED: self.tr("Gender not given"),
        }[gender]

    def _kind_text(self, kind: PlanKind) -> str:
        return {
            PlanKind.TIME: self.tr("Time", "plan kind"),
            PlanKind.VISITS: self.tr("Visits", "plan kind"),
            PlanKind.STORED_VALUE: self.tr("Stored value", "plan kind"),
        }[kind]

    def _method_text(self, method: CheckinMethod) -> str:
        return {
            CheckinMethod.QR: self.tr("QR card"),
            CheckinMethod.CARD: self.tr("Card"),
            CheckinMethod.MOBILE: self.tr("Mobile"),
            CheckinMethod.SEARCH: self.tr("Search"),
        }.get(method, str(method))

    def _account_text(self, account: Account) -> str:
        return {
            Account.POINTS: self.tr("Points"),
            Account.VISITS: self.tr("Visits"),
            Account.STORED_VALUE: self.tr("Stored value"),
        }[account]

    def _reason_text(self, reason: str) -> str:
        return {
            "purchase": self.tr("Purchase"),
            "earn": self.tr("Earned"),
            "checkin": self.tr("Check-in"),
            "checkin_undone": self.tr("Check-in undone"),
            "redeem": self.tr("Redeemed"),
            "expire": self.tr("Expired"),
            "adjust": self.tr("Adjustment"),
            "refund": self.tr("Refund"),
        }.get(reason, reason)

    def _amount_text(self, account: Account, amount: int, *, signed: bool) -> str:
        if account is Account.STORED_VALUE:
            text = self._ctx.money(abs(amount) if signed else amount)
            return ("+" if amount >= 0 else "−") + text if signed else text
        text = self._ctx.locale.toString(abs(amount) if signed else amount)
        return ("+" if amount >= 0 else "−") + text if signed else text

    def _guard(self, fn: Callable[[_T], object]) -> Callable[[_T], None]:
        def call(value: _T) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
