"""What every screen is handed: the terminal, the worker lanes, preferences, and the
signals screens use to tell each other that something changed.

Screens never reach for globals; they get one ``DeskContext`` and keep it. Tests build
one around a real terminal the same way the app does.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QIODevice,
    QLocale,
    QObject,
    QTime,
    Signal,
)
from PySide6.QtGui import QImage

from desktop.error_text import error_text
from desktop.preferences import DeskPreferences
from desktop.store.blobs import BlobStore
from desktop.store.snapshots import SnapshotStore
from desktop.terminal import Terminal
from desktop.ui.workers import Lanes
from shared.errors import MemberDeskError
from shared.money import format_money

log = logging.getLogger(__name__)


class DeskSignals(QObject):
    staff_changed = Signal()  # logged in, out or locked
    member_changed = Signal(str)  # member id: enrolled, edited, card reissued, plan changed
    checkins_changed = Signal()  # a check-in recorded or undone
    preferences_changed = Signal()


class DeskContext:
    def __init__(
        self,
        terminal: Terminal,
        prefs: DeskPreferences,
        language: str,
        parent: QObject | None = None,
    ) -> None:
        self.terminal = terminal
        self.prefs = prefs
        self.language = language  # "zh_CN" or "en": what the UI was loaded in
        self.lanes = Lanes(parent)
        self.signals = DeskSignals(parent)
        self.blobs = BlobStore.in_data_dir(terminal.data_dir)
        self.snapshots = SnapshotStore.in_data_dir(terminal.data_dir)

    @property
    def error_language(self) -> str:
        return "zh" if self.language.startswith("zh") else "en"

    @property
    def locale(self) -> QLocale:
        return QLocale(self.language)

    def error_message(self, exc: BaseException) -> str:
        """A person's sentence for any failure; unexpected ones are logged in full."""
        if isinstance(exc, MemberDeskError):
            return error_text(exc, self.error_language)
        log.error("unexpected error", exc_info=exc)
        return error_text(MemberDeskError(), self.error_language)

    def date_text(self, day: date) -> str:
        """A date in the UI's locale, short form (2026/6/15 in zh_CN, 6/15/26 in en)."""
        return self.locale.toString(
            QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat
        )

    def time_text(self, at: datetime) -> str:
        """Hours and minutes of ``at`` on the branch's clock."""
        local = at.astimezone(self.terminal.branch_tz)
        return self.locale.toString(QTime(local.hour, local.minute), "HH:mm")

    def money(self, fen: int) -> str:
        return format_money(fen, self.language)

    def save_snapshot(self, checkin_id: str, image: QImage) -> None:
        """Keep a webcam snapshot of a check-in (when the desk is set to), off the GUI thread."""
        at = self.terminal.recorder.now().astimezone(self.terminal.branch_tz)
        frame = image.copy()
        self.lanes.writes.run(
            lambda: self.snapshots.save(checkin_id, jpeg_bytes(frame), at),
            on_error=lambda exc: log.warning("snapshot not kept: %s", exc),
        )

    def purge_snapshots(self) -> None:
        """Delete snapshots older than the retention period (run at start)."""
        days = self.prefs.snapshot_retention_days
        now = self.terminal.recorder.now().astimezone(self.terminal.branch_tz)
        self.lanes.writes.run(
            lambda: self.snapshots.purge(days, now),
            on_error=lambda exc: log.warning("old snapshots not purged: %s", exc),
        )

    def save_preferences(self, prefs: DeskPreferences) -> None:
        self.terminal.save_preferences(prefs)
        self.prefs = prefs
        self.signals.preferences_changed.emit()


def jpeg_bytes(image: QImage, quality: int = 80) -> bytes:
    """``image`` as JPEG bytes (thread-safe: QImage is not a widget)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stub says bytes, but only str is accepted at run time.
    image.convertToFormat(QImage.Format.Format_RGB888).save(buffer, "JPG", quality)  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())
