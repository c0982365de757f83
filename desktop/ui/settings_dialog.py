"""This desk's settings: camera, decoder, language, sound, locking, snapshots, backups
(set by a manager or an administrator, with when the last one was taken), and (for an
administrator) the re-entry window that the check-in rule uses."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from desktop.preferences import MAX_BACKUP_INTERVAL_HOURS, MAX_BACKUP_KEEP, DeskPreferences
from desktop.scan.camera import camera_devices, device_id
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.context import DeskContext
from shared.kinds import Role
from shared.permissions import Action, is_allowed

# Who may change how often the desk backs up and how many copies it keeps.


class SettingsDialog(QDialog):
    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None = None,
        *,
        backups: BackupScheduler | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._backups = backups
        prefs = ctx.prefs
        self.setWindowTitle(self.tr("Settings"))

        self.camera = QComboBox(self)
        self.camera.addItem(self.tr("System default"), "")
        for device in camera_devices():
            self.camera.addItem(device.description(), device_id(device))
        self._select(self.camera, prefs.camera_id)
        self.decoder = QComboBox(self)
        self.decoder.addItem(self.tr("zxing-cpp (recommended)"), "zxing")
        self.decoder.addItem("pyzbar", "pyzbar")
        self._select(self.decoder, prefs.decoder)
        self.language = QComboBox(self)
        self.language.addItem(self.tr("Follow the system"), "")
        self.language.addItem("中文（简体）", "zh_CN")
        self.language.addItem("English", "en")
        self._select(self.language, prefs.language)
        self.sound = QCheckBox(self.tr("Play a sound after each scan"), self)
        self.sound.setChecked(prefs.sound)
        self.idle_lock = QSpinBox(self)
        self.idle_lock.setRange(0, 240)
        self.idle_lock.setSuffix(self.tr(" min"))
        self.idle_lock.setSpecialValueText(self.tr("Never"))
        self.idle_lock.setValue(prefs.idle_lock_minutes)
        self.snapshots = QCheckBox(self.tr("Keep a webcam snapshot of each check-in"), self)
        self.snapshots.setChecked(prefs.snapshots)
        self.retention = QSpinBox(self)
        self.retention.setRange(1, 365)
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setValue(prefs.snapshot_retention_days)
        self.checkin_window = QSpinBox(self)
        self.checkin_window.setRange(0, 24 * 60)
        self.checkin_window.setSuffix(self.tr(" min"))
        self.checkin_window.setValue(ctx.terminal.config.checkin_window_minutes)
        staff = ctx.terminal.staff.current
        self.checkin_window.setEnabled(staff is not None and staff.role is Role.ADMIN)
        self.checkin_window.setToolTip(self.tr("Only an administrator can change this"))
        self.backup_interval = QSpinBox(self)
        self.backup_interval.setRange(0, MAX_BACKUP_INTERVAL_HOURS)
        self.backup_interval.setSuffix(self.tr(" h"))
        self.backup_interval.setSpecialValueText(self.tr("Never"))
        self.backup_interval.setValue(prefs.backup_interval_hours)
        self.backup_keep = QSpinBox(self)
        self.backup_keep.setRange(1, MAX_BACKUP_KEEP)
        self.backup_keep.setValue(prefs.backup_keep)
        may_set_backups = staff is not None and is_allowed(staff.role, Action.MANAGE_BACKUPS)
        for field in (self.backup_interval, self.backup_keep):
            field.setEnabled(may_set_backups)
            field.setToolTip(self.tr("Only a manager or an administrator can change this"))
        self.last_backup = QLabel(self)
        self.last_backup.setWordWrap(True)
        self.last_backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_backup.setVisible(backups is not None)
        if backups is not None:
            backups.status_changed.connect(self._show_backup_status)
            self._show_backup_status()
        self.note = QLabel(self.tr("A new language takes effect when MemberDesk restarts."), self)
        self.note.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(self.tr("Camera"), self.camera)
        form.addRow(self.tr("QR decoder"), self.decoder)
        form.addRow(self.tr("Language"), self.language)
        form.addRow("", self.note)
        form.addRow("", self.sound)
        form.addRow(self.tr("Lock when idle for"), self.idle_lock)
        form.addRow("", self.snapshots)
        form.addRow(self.tr("Keep snapshots for"), self.retention)
        form.addRow(self.tr("Refuse a second check-in within"), self.checkin_window)
        form.addRow(self.tr("Back up the data every"), self.backup_interval)
        form.addRow(self.tr("Backups to keep"), self.backup_keep)
        form.addRow("", self.last_backup)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> DeskPreferences:
        return replace(
            self._ctx.prefs,
            camera_id=str(self.camera.currentData()),
            decoder=str(self.decoder.currentData()),
            language=str(self.language.currentData()),
            sound=self.sound.isChecked(),
            idle_lock_minutes=self.idle_lock.value(),
            snapshots=self.snapshots.isChecked(),
            snapshot_retention_days=self.retention.value(),
            backup_interval_hours=self.backup_interval.value(),
            backup_keep=self.backup_keep.value(),
        )

    def accept(self) -> None:
        self._ctx.save_preferences(self.chosen())
        if self.checkin_window.isEnabled():
            minutes = self.checkin_window.value()
            if minutes != self._ctx.terminal.config.checkin_window_minutes:
                self._ctx.terminal.set_checkin_window(minutes)
        super().accept()

    def _show_backup_status(self) -> None:
        if self._backups is None:
            return
        self.last_backup.setText(
            self._backups.status_text()
            + "\n"
            + self.tr("Backups are kept in {folder}").format(folder=self._backups.folder)
        )

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        combo.setCurrentIndex(max(0, combo.findData(value)))
