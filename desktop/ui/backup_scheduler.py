"""The desk's scheduled backups: a check at start, then every few minutes, off the GUI thread.

Each check runs ``back_up_if_due`` on a lane of its own: a backup of a large file takes
seconds, and on the database's write lane a check-in would wait behind it (the backup
reads through its own SQLite connection, so it needs no place in that lane). Whether a
backup is due is decided from the files in ``backups/``, so a desk that was switched
off over the weekend takes one as soon as it starts, and nothing else has to be stored.

A failed backup deletes nothing (see ``desktop.store.backups``); the status says so, and
the next check tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.store.backups import ScheduledRun, back_up_if_due, backups_folder
from desktop.store.database import DB_FILENAME
from desktop.ui.context import DeskContext
from desktop.ui.workers import Lane
from shared.errors import BackupFailed

log = logging.getLogger(__name__)

CHECK_MS = 5 * 60 * 1000


class BackupScheduler(QObject):
    status_changed = Signal()  # a check finished (with or without a backup) or failed

    def __init__(
        self,
        ctx: DeskContext,
        parent: QObject | None = None,
        *,
        check_ms: int = CHECK_MS,
        now: Callable[[], datetime] | None = None,
        database: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._now = now or ctx.terminal.recorder.now
        self.database = database or ctx.terminal.data_dir / DB_FILENAME
        self.lane = Lane("backups", 1, self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.last_at: datetime | None = None  # newest scheduled or manual backup (UTC)
        self.last_error: str | None = None  # the last attempt's failure; None once one works
        self.has_checked = False
        self._is_running = False
        self._check_again = False
        ctx.signals.preferences_changed.connect(self.check)

    @property
    def folder(self) -> str:
        return str(backups_folder(self.database))

    @property
    def is_running(self) -> bool:
        return self._is_running

    def start(self) -> None:
        self.timer.start()
        self.check()

    def stop(self, msecs: int = -1) -> bool:
        """Stop checking; wait for a backup under way to finish (shutdown, tests)."""
        self.timer.stop()
        return self.lane.wait(msecs)

    def check(self) -> None:
        """Take a backup if one is due; the answer comes back through ``status_changed``."""
        if self._is_running:
            self._check_again = True  # settings changed mid-run: look again afterwards
            return
        prefs = self._ctx.prefs
        now = self._now()
        database = self.database
        self._is_running = True
        self.lane.run(
            lambda: back_up_if_due(
                database,
                now=now,
                interval_hours=prefs.backup_interval_hours,
                keep=prefs.backup_keep,
            ),
            on_done=self._on_checked,
            on_error=self._on_failed,
        )

    def status_text(self) -> str:
        """One line for the status bar and the settings: the last backup, or what is wrong."""
        if self.last_error is not None:
            return self.last_error
        if self.last_at is None:
            if not self.has_checked:
                return self.tr("Last backup: checking…")
            if self._ctx.prefs.backup_interval_hours == 0:
                return self.tr("Backups are off")
            return self.tr("Last backup: none yet")
        local = self.last_at.astimezone(self._ctx.terminal.branch_tz)
        when = f"{self._ctx.date_text(local.date())} {self._ctx.time_text(self.last_at)}"
        if self._ctx.prefs.backup_interval_hours == 0:
            return self.tr("Backups are off (last backup: {time})").format(time=when)
        return self.tr("Last backup: {time}").format(time=when)

    @property
    def is_failing(self) -> bool:
        return self.last_error is not None

    # Internals below.

    def _on_checked(self, run: ScheduledRun) -> None:
        self._is_running = False
        self.has_checked = True
        self.last_at = run.last_at
        self.last_error = None
        if run.taken is not None:
            log.info("backup taken: %s", run.taken.path)
        self.status_changed.emit()
        self._maybe_check_again()

    def _on_failed(self, exc: Exception) -> None:
        self._is_running = False
        self.has_checked = True
        log.warning("backup failed: %s", exc)
        message = self._ctx.error_message(exc)
        if not isinstance(exc, BackupFailed):  # its own text already says what failed
            message = self.tr("Backup failed: {reason}").format(reason=message)
        self.last_error = message
        self.status_changed.emit()
        self._maybe_check_again()

    def _maybe_check_again(self) -> None:
        if self._check_again:
            self._check_again = False
            self.check()
