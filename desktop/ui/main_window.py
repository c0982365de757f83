"""The main window: the lock screen, then the check-in screen as home, the members
screen and a member's detail; the status bar; every frequent action on a key.

Scans from the keyboard-wedge scanner and the webcam both come to ``route_scan``:
a dialog that takes scans (enrolment's card field) gets them while it is open; a locked
desk refuses them on the lock screen; otherwise they are checked in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.scan.camera import CameraScanner, CameraState
from desktop.scan.decode import DecoderBackend
from desktop.services.context import StaffSession
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.checkin_view import CheckinView
from desktop.ui.context import DeskContext
from desktop.ui.enroll_dialog import EnrollDialog
from desktop.ui.idle import IdleWatcher
from desktop.ui.login_view import LoginView, role_text
from desktop.ui.member_detail import MemberDetailView
from desktop.ui.members_view import MembersView
from desktop.ui.outcome import ScanOutcome
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.sound import Cue, SoundBoard


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: DeskContext,
        camera: CameraScanner | None = None,
        parent: QWidget | None = None,
        *,
        backups: BackupScheduler | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.camera = camera
        self.backups = backups
        self.sounds = SoundBoard(ctx.prefs.sound, self)
        self.setWindowTitle(self.tr("MemberDesk"))
        self.resize(1280, 800)

        self.login = LoginView(ctx, self)
        self.checkin = CheckinView(ctx, self.sounds, self)
        self.members = MembersView(ctx, self, capture_photo=self._capture_photo)
        self.detail = MemberDetailView(
            ctx, self, capture_photo=self._capture_photo, snapshot_for=ctx.snapshots.find
        )
        self.pages = QStackedWidget(self)
        for page in (self.checkin, self.members, self.detail):
            self.pages.addWidget(page)
        self.screens = QStackedWidget(self)
        self.screens.addWidget(self.login)
        self.screens.addWidget(self.pages)
        self.setCentralWidget(self.screens)

        self.staff_label = QLabel(self)
        self.camera_label = QLabel(self)
        self.sync_label = QLabel(self.tr("Sync: not set up (this desk works on its own)"), self)
        for label in (self.staff_label, self.camera_label):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.sync_label)
        self.backup_label = QLabel(self)
        self.backup_label.setVisible(backups is not None)
        self.statusBar().addPermanentWidget(self.backup_label)
        if backups is not None:
            backups.status_changed.connect(self._backup_status)
            self._backup_status()

        self._previous_page: QWidget = self.checkin
        self._camera_id = ctx.prefs.camera_id
        self._make_actions()
        self.idle = IdleWatcher(ctx.prefs.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)

        self.login.logged_in.connect(self._logged_in)
        self.checkin.open_member.connect(self.open_member)
        self.checkin.outcome_shown.connect(self._outcome_shown)
        self.members.open_member.connect(self.open_member)
        self.detail.back_requested.connect(self._back)
        ctx.signals.preferences_changed.connect(self._apply_preferences)
        if camera is not None:
            camera.code_found.connect(self.route_scan)
            camera.preview.connect(self._camera_frame)
            camera.state_changed.connect(self._camera_state)
            camera.backend = DecoderBackend(ctx.prefs.decoder)
        self._camera_state(str(camera.state if camera else CameraState.NO_CAMERA))
        self.lock()

    # What the app and the scanners call.

    @property
    def locked(self) -> bool:
        return self.screens.currentWidget() is self.login

    def route_scan(self, code: str) -> None:
        self.idle.poke()
        dialog = QApplication.activeModalWidget()
        accept_scan = getattr(dialog, "accept_scan", None)
        if accept_scan is not None and accept_scan(code):
            return
        if self.locked:
            self.sounds.play(Cue.DENIED)
            self.login.show_message(self.tr("The desk is locked: a staff member must log in first"))
            return
        # A dialog that takes no scans stays open; the member at the desk is still
        # checked in behind it, and the sound tells the desk how it went.
        self.show_checkin()
        self.checkin.handle_code(code)

    def lock(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()  # nothing a locked desk could still confirm
        self._ctx.terminal.staff.logout()
        self.screens.setCurrentWidget(self.login)
        self.toolbar.setVisible(False)
        self.login.reset()
        self._ctx.signals.staff_changed.emit()
        self._update_staff()

    def show_checkin(self) -> None:
        if not self.locked:
            self.pages.setCurrentWidget(self.checkin)
            self.checkin.focus_field()

    def show_members(self) -> None:
        if not self.locked:
            self.pages.setCurrentWidget(self.members)
            self.members.focus_search()

    def open_member(self, member_id: str) -> None:
        current = self.pages.currentWidget()
        if current is not None and current is not self.detail:
            self._previous_page = current
        self.pages.setCurrentWidget(self.detail)
        self.detail.show_member(member_id)

    def enroll(self) -> None:
        if self.locked:
            return
        dialog = EnrollDialog(self._ctx, self, capture_photo=self._capture_photo)
        if dialog.exec() and dialog.member_id is not None:
            self.open_member(dialog.member_id)

    def open_settings(self) -> None:
        if not self.locked:
            SettingsDialog(self._ctx, self, backups=self.backups).exec()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if self.camera is not None:
            self.camera.shutdown()
        self._ctx.lanes.wait(5000)
        super().closeEvent(event)

    # Internals below.

    def _make_actions(self) -> None:
        self.toolbar = QToolBar(self.tr("Actions"), self)
        self.toolbar.setObjectName("actions")
        self.toolbar.setMovable(False)
        self.toolbar.setStyleSheet("QToolButton { font-size: 18px; padding: 6px 14px; }")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._action(self.tr("Check-in"), "F1", self.show_checkin)
        self._action(self.tr("Members"), "F2", self.show_members)
        self._action(self.tr("New member"), "Ctrl+N", self.enroll)
        self._action(self.tr("Settings"), "Ctrl+,", self.open_settings)
        self._action(self.tr("Lock"), "Ctrl+L", self.lock)
        find = QAction(self.tr("Find"), self)
        find.setShortcut(QKeySequence("Ctrl+F"))
        find.triggered.connect(self.show_checkin)
        self.addAction(find)

    def _action(self, text: str, key: str, slot: Callable[[], None]) -> QAction:
        action = QAction(f"{text} ({key})", self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        return action

    def _back(self) -> None:
        self.pages.setCurrentWidget(self._previous_page)
        if self._previous_page is self.checkin:
            self.checkin.focus_field()

    def _logged_in(self, _session: StaffSession) -> None:
        self.screens.setCurrentWidget(self.pages)
        self.toolbar.setVisible(True)
        self._ctx.signals.staff_changed.emit()
        self._update_staff()
        self.show_checkin()
        self.checkin.refresh_recent()

    def _update_staff(self) -> None:
        staff = self._ctx.terminal.staff.current
        if staff is None:
            self.staff_label.setText(self.tr("Locked"))
        else:
            self.staff_label.setText(f"{staff.name} · {role_text(staff.role)}")

    def _camera_frame(self, image: QImage) -> None:
        self.checkin.show_camera_frame(image)

    def _camera_state(self, state: str) -> None:
        text = {
            CameraState.ACTIVE: self.tr("Camera on"),
            CameraState.NO_CAMERA: self.tr("No camera: use the scanner or search"),
            CameraState.ERROR: self.tr("Camera error: use the scanner or search"),
            CameraState.OFF: self.tr("Camera off"),
        }[CameraState(state)]
        self.camera_label.setText(text)
        if state != CameraState.ACTIVE:
            self.checkin.show_camera_state(text)

    def _backup_status(self) -> None:
        if self.backups is None:
            return
        self.backup_label.setText(self.backups.status_text())
        # A failure stays in sight until a backup works again; nothing was lost meanwhile.
        self.backup_label.setStyleSheet("color: #c62828;" if self.backups.is_failing else "")
        self.backup_label.setToolTip(
            self.tr("Backups are kept in {folder}").format(folder=self.backups.folder)
        )

    def _capture_photo(self) -> QImage | None:
        return self.camera.latest_image() if self.camera is not None else None

    def _outcome_shown(self, outcome: ScanOutcome | None) -> None:
        if outcome is None or outcome.result is None or outcome.result.checkin_id is None:
            return
        if self._ctx.prefs.snapshots and self.camera is not None:
            image = self.camera.latest_image()
            if image is not None:
                self._ctx.save_snapshot(outcome.result.checkin_id, image)

    def _apply_preferences(self) -> None:
        prefs = self._ctx.prefs
        self.sounds.enabled = prefs.sound
        self.idle.set_minutes(prefs.idle_lock_minutes)
        if self.camera is not None:
            self.camera.backend = DecoderBackend(prefs.decoder)
            if prefs.camera_id != self._camera_id:
                self._camera_id = prefs.camera_id
                self.camera.start(prefs.camera_id)
        wedge = getattr(QCoreApplication.instance(), "wedge", None)
        if wedge is not None:
            wedge.set_gap_ms(prefs.scan_gap_ms)
