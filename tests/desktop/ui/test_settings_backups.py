"""The backup fields of the settings dialog: set by a manager or an administrator, shown
to everyone with when the last backup was taken and where backups are kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from desktop.preferences import load_preferences
from desktop.store.backups import backups_folder
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.i18n import install_translators
from desktop.ui.settings_dialog import SettingsDialog
from shared.kinds import Role
from tests.desktop.ui.conftest import LANE_TIMEOUT_MS


@pytest.fixture
def scheduler(desk, clock) -> Iterator[BackupScheduler]:
    made = BackupScheduler(desk, check_ms=3_600_000, now=clock.now)
    yield made
    assert made.stop(LANE_TIMEOUT_MS)
    QCoreApplication.processEvents()


@pytest.mark.parametrize("desk_role", [Role.MANAGER, Role.ADMIN])
def test_a_manager_or_administrator_sets_how_often_and_how_many(qtbot, desk, terminal):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)
    assert dialog.backup_interval.value() == 24 and dialog.backup_keep.value() == 7
    assert dialog.backup_interval.isEnabled() and dialog.backup_keep.isEnabled()

    dialog.backup_interval.setValue(6)
    dialog.backup_keep.setValue(20)
    dialog.accept()

    prefs = load_preferences(terminal.engine)
    assert (prefs.backup_interval_hours, prefs.backup_keep) == (6, 20)
    assert desk.prefs == prefs


@pytest.mark.parametrize("desk_role", [Role.MANAGER])
def test_backups_can_be_switched_off(qtbot, desk, terminal):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)

    dialog.backup_interval.setValue(0)

    assert dialog.backup_interval.text() == "Never"
    dialog.accept()
    assert load_preferences(terminal.engine).backup_interval_hours == 0


@pytest.mark.parametrize("desk_role", [Role.FRONT_DESK, Role.CASHIER])
def test_other_staff_see_the_backup_settings_but_cannot_change_them(qtbot, desk, terminal):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)

    assert not dialog.backup_interval.isEnabled() and not dialog.backup_keep.isEnabled()
    assert "manager" in dialog.backup_interval.toolTip()
    dialog.sound.setChecked(False)
    dialog.accept()  # their own changes are saved; the backup settings stay as they were

    prefs = load_preferences(terminal.engine)
    assert (prefs.sound, prefs.backup_interval_hours, prefs.backup_keep) == (False, 24, 7)


def test_the_dialog_shows_the_last_backup_and_where_backups_are(qtbot, desk, scheduler):
    dialog = SettingsDialog(desk, backups=scheduler)
    qtbot.addWidget(dialog)
    assert "checking" in dialog.last_backup.text()

    with qtbot.waitSignal(scheduler.status_changed, timeout=10_000):
        scheduler.check()

    text = dialog.last_backup.text()
    assert text.startswith("Last backup: 6/15/26 10:00")
    assert str(backups_folder(scheduler.database)) in text


def test_without_a_scheduler_no_backup_status_is_shown(qtbot, desk):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)

    assert dialog.last_backup.isHidden()


def test_a_chinese_desk_reads_the_backup_status_in_chinese(qtbot, desk, scheduler):
    app = QApplication.instance()
    installed = install_translators(app, "zh_CN")
    try:
        with qtbot.waitSignal(scheduler.status_changed, timeout=10_000):
            scheduler.check()
        dialog = SettingsDialog(desk, backups=scheduler)
        qtbot.addWidget(dialog)
        assert scheduler.status_text().startswith("上次备份：")
        assert "备份保存在" in dialog.last_backup.text()
    finally:
        for translator in installed:
            app.removeTranslator(translator)
        QLocale.setDefault(QLocale("en"))
