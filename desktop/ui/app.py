"""Starting the desk: the Qt application, translations, the camera, the scanner
filter, the scheduled backups and the main window, on an opened terminal."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.preferences import load_preferences
from desktop.scan.camera import CameraScanner
from desktop.scan.wedge_filter import WedgeFilter
from desktop.terminal import Terminal
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.context import DeskContext
from desktop.ui.i18n import choose_language, install_translators
from desktop.ui.main_window import MainWindow

APP_NAME = "MemberDesk"


class DeskApp:
    """Everything the running desk is made of, built in order and torn down in reverse."""

    def __init__(self, terminal: Terminal, argv: Sequence[str] = (), camera: bool = True) -> None:
        os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
        existing = QApplication.instance()
        self.qapp = existing if isinstance(existing, QApplication) else QApplication(list(argv))
        self.qapp.setApplicationName(APP_NAME)
        prefs = load_preferences(terminal.engine)
        self.language = choose_language(prefs.language)
        self.translators = install_translators(self.qapp, self.language)
        self.ctx = DeskContext(terminal, prefs, self.language, self.qapp)
        self.camera = CameraScanner(self.qapp) if camera else None
        self.backups = BackupScheduler(self.ctx)
        self.window = MainWindow(self.ctx, self.camera, backups=self.backups)
        self.ctx.purge_snapshots()
        self.backups.start()
        self.wedge = WedgeFilter(prefs.scan_gap_ms, self.qapp)
        self.qapp.installEventFilter(self.wedge)
        self.wedge.scanned.connect(self.window.route_scan)
        if self.camera is not None:
            self.camera.start(prefs.camera_id)

    def close(self) -> None:
        self.qapp.removeEventFilter(self.wedge)
        self.window.close()
        self.window.deleteLater()
        if self.camera is not None:
            self.camera.shutdown()
        self.backups.stop()  # a backup under way is finished, not cut off
        self.ctx.lanes.wait()
        for translator in self.translators:
            self.qapp.removeTranslator(translator)


def run_gui(data_dir: Path, argv: Sequence[str] = ()) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    terminal = Terminal.open(data_dir)
    desk = DeskApp(terminal, argv or sys.argv[:1])
    desk.window.show()
    try:
        return desk.qapp.exec()
    finally:
        desk.close()
        terminal.close()
