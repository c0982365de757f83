"""The desk's scheduled backups: taken at start and when due, off the GUI thread, shown in
the status bar, and a failure is shown and retried without losing anything."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.preferences import DeskPreferences
from desktop.store.backups import BackupKind, backups_folder, list_backups
from desktop.store.database import DB_FILENAME
from desktop.ui.app import DeskApp
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.main_window import MainWindow
from shared.kinds import Role
from tests.conftest import START
from tests.desktop.store.conftest import damage
from tests.desktop.ui.conftest import LANE_TIMEOUT_MS, drain_lanes

WAIT_MS = 10_000


@pytest.fixture
def scheduler(desk, clock) -> Iterator[BackupScheduler]:
    """A scheduler on the test's desk, its clock the test's; checks only when told."""
    made = BackupScheduler(desk, check_ms=3_600_000, now=clock.now)
    yield made
    assert made.stop(LANE_TIMEOUT_MS)
    QCoreApplication.processEvents()


def scheduled(scheduler: BackupScheduler) -> list:
    return [
        b
        for b in list_backups(backups_folder(scheduler.database))
        if b.kind is BackupKind.SCHEDULED
    ]


def checked(qtbot, scheduler: BackupScheduler) -> None:
    """Run one check and wait for its answer on the GUI thread."""
    with qtbot.waitSignal(scheduler.status_changed, timeout=WAIT_MS):
        scheduler.check()


def test_a_desk_that_was_never_backed_up_takes_a_backup_on_start(qtbot, scheduler):
    assert scheduler.status_text() == "Last backup: checking…"

    with qtbot.waitSignal(scheduler.status_changed, timeout=WAIT_MS):
        scheduler.start()

    [backup] = scheduled(scheduler)
    assert backup.taken_at == START
    assert scheduler.last_at == START and not scheduler.is_failing
    assert scheduler.status_text() == "Last backup: 6/15/26 10:00"  # branch time, Shanghai


def test_the_backup_runs_off_the_gui_thread(qtbot, scheduler):
    scheduler.check()

    # check() has returned, yet nothing is known: the answer comes back as a signal.
    assert scheduler.is_running and not scheduler.has_checked
    qtbot.waitUntil(lambda: scheduler.has_checked, timeout=WAIT_MS)
    assert not scheduler.is_running and len(scheduled(scheduler)) == 1


def test_the_timer_takes_the_next_backup_once_the_interval_has_passed(qtbot, desk, clock):
    scheduler = BackupScheduler(desk, check_ms=20, now=clock.now)
    checks: list[bool] = []
    scheduler.status_changed.connect(lambda: checks.append(True))
    try:
        scheduler.start()
        qtbot.waitUntil(lambda: scheduler.last_at == START, timeout=WAIT_MS)
        clock.advance(hours=23, minutes=59)
        seen = len(checks)
        qtbot.waitUntil(lambda: len(checks) >= seen + 3, timeout=WAIT_MS)  # the timer's
        assert len(scheduled(scheduler)) == 1  # not due yet, however often it looks

        clock.advance(minutes=1)

        qtbot.waitUntil(lambda: len(scheduled(scheduler)) == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: scheduler.last_at == clock.now(), timeout=WAIT_MS)
    finally:
        assert scheduler.stop(LANE_TIMEOUT_MS)
        QCoreApplication.processEvents()


def test_scheduled_backups_are_rotated_to_the_number_to_keep(qtbot, desk, clock, scheduler):
    desk.prefs = replace(desk.prefs, backup_interval_hours=1, backup_keep=2)
    for _ in range(4):
        checked(qtbot, scheduler)
        clock.advance(hours=1)

    assert [b.taken_at for b in scheduled(scheduler)] == [
        clock.now() - timedelta(hours=1),
        clock.now() - timedelta(hours=2),
    ]


@pytest.mark.parametrize("desk_prefs", [DeskPreferences(backup_interval_hours=0)])
def test_switched_off_it_takes_none_and_says_so(qtbot, scheduler):
    checked(qtbot, scheduler)

    assert scheduled(scheduler) == []
    assert scheduler.status_text() == "Backups are off"


@pytest.mark.parametrize("desk_role", [Role.MANAGER])
@pytest.mark.parametrize("desk_prefs", [DeskPreferences(backup_interval_hours=0)])
def test_switching_backups_on_takes_one_straight_away(qtbot, desk, scheduler):
    checked(qtbot, scheduler)

    with qtbot.waitSignal(scheduler.status_changed, timeout=WAIT_MS):
        desk.save_preferences(replace(desk.prefs, backup_interval_hours=12))

    assert len(scheduled(scheduler)) == 1


@pytest.fixture
def other_database(scheduler, tmp_path) -> Path:
    """A copy of the desk's database in a folder of its own, for the scheduler to back up."""
    folder = tmp_path / "other"
    folder.mkdir()
    return Path(shutil.copy(scheduler.database, folder / DB_FILENAME))


def test_a_failed_backup_is_shown_retried_and_loses_nothing(qtbot, desk, clock, other_database):
    scheduler = BackupScheduler(desk, check_ms=3_600_000, now=clock.now, database=other_database)
    try:
        checked(qtbot, scheduler)
        [first] = scheduled(scheduler)
        good = other_database.read_bytes()
        damage(other_database)
        clock.advance(hours=25)

        checked(qtbot, scheduler)

        assert scheduler.is_failing
        assert scheduler.status_text().startswith("The backup failed:")
        assert "untouched" in scheduler.status_text()
        assert scheduler.last_at == first.taken_at  # still the last good one
        assert sorted(p.name for p in first.path.parent.iterdir()) == [first.path.name]
        other_database.write_bytes(good)

        checked(qtbot, scheduler)  # the next check tries again

        assert not scheduler.is_failing
        assert [b.path for b in scheduled(scheduler)][1:] == [first.path]
    finally:
        assert scheduler.stop(LANE_TIMEOUT_MS)
        QCoreApplication.processEvents()


@pytest.mark.parametrize("desk_role", [Role.FRONT_DESK])
def test_the_status_bar_shows_the_last_backup(qtbot, desk, scheduler):
    window = MainWindow(desk, backups=scheduler)
    qtbot.addWidget(window)
    assert window.backup_label.text() == "Last backup: checking…"

    checked(qtbot, scheduler)

    assert window.backup_label.text() == "Last backup: 6/15/26 10:00"
    assert str(backups_folder(scheduler.database)) in window.backup_label.toolTip()


def test_the_status_bar_shows_a_failure_until_a_backup_works(qtbot, desk, clock, other_database):
    scheduler = BackupScheduler(desk, check_ms=3_600_000, now=clock.now, database=other_database)
    window = MainWindow(desk, backups=scheduler)
    qtbot.addWidget(window)
    good = other_database.read_bytes()
    damage(other_database)
    try:
        checked(qtbot, scheduler)

        assert window.backup_label.text().startswith("The backup failed:")
        assert "c62828" in window.backup_label.styleSheet()
        other_database.write_bytes(good)
        checked(qtbot, scheduler)
        assert window.backup_label.text().startswith("Last backup:")
        assert window.backup_label.styleSheet() == ""
    finally:
        assert scheduler.stop(LANE_TIMEOUT_MS)
        QCoreApplication.processEvents()


def test_the_app_schedules_backups_and_finishes_one_under_way_on_close(qtbot, terminal):
    desk = DeskApp(terminal, camera=False)
    try:
        qtbot.waitUntil(lambda: desk.backups.has_checked, timeout=WAIT_MS)
        assert desk.backups.timer.isActive()
        assert desk.window.backup_label.text().startswith("Last backup:")
        desk.backups.check()
    finally:
        desk.close()
        drain_lanes(desk.ctx)
        QCoreApplication.processEvents()
    assert not desk.backups.timer.isActive() and desk.backups.lane.pending() <= 1
    names = list(backups_folder(desk.backups.database).iterdir())
    assert [p for p in names if p.name.startswith(".")] == []  # no half-written copy left
