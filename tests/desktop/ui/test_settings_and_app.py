"""Settings, the app's start-up, sounds and the worker lanes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from desktop.cli import main
from desktop.preferences import load_preferences
from desktop.ui.app import DeskApp
from desktop.ui.context import jpeg_bytes
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.sound import Cue, SoundBoard
from desktop.ui.workers import Lane
from shared.errors import PermissionDenied
from shared.kinds import Role
from tests.desktop.ui.conftest import drain_lanes


def test_settings_are_saved_and_applied(qtbot, desk, terminal):
    changed: list[bool] = []
    desk.signals.preferences_changed.connect(lambda: changed.append(True))
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)
    dialog.sound.setChecked(False)
    dialog.idle_lock.setValue(3)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.snapshots.setChecked(True)

    dialog.accept()

    prefs = load_preferences(terminal.engine)
    assert (prefs.sound, prefs.idle_lock_minutes, prefs.language, prefs.snapshots) == (
        False,
        3,
        "en",
        True,
    )
    assert desk.prefs == prefs and changed


@pytest.mark.parametrize("desk_role", [Role.ADMIN])
def test_an_administrator_sets_the_re_entry_window(qtbot, desk, terminal):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)
    assert dialog.checkin_window.isEnabled()

    dialog.checkin_window.setValue(15)
    dialog.accept()

    assert terminal.config.checkin_window_minutes == 15


def test_only_an_administrator_may_change_the_re_entry_window(qtbot, desk, terminal):
    dialog = SettingsDialog(desk)
    qtbot.addWidget(dialog)

    assert not dialog.checkin_window.isEnabled()
    with pytest.raises(PermissionDenied):
        terminal.set_checkin_window(5)


def test_sounds_play_only_when_switched_on(qtbot):
    board = SoundBoard(enabled=False)

    board.play(Cue.DENIED)

    assert board.last_cue is Cue.DENIED
    board.enabled = True
    board.play(Cue.WELCOME)
    assert board.last_cue is Cue.WELCOME


def test_a_lane_hands_back_answers_and_errors_on_the_gui_thread(qtbot):
    lane = Lane("test", 1)
    answers: list[object] = []

    lane.run(lambda: 6 * 7, answers.append)
    lane.run(lambda: 1 / 0, on_error=answers.append)

    qtbot.waitUntil(lambda: len(answers) == 2, timeout=5_000)
    assert answers[0] == 42
    assert isinstance(answers[1], ZeroDivisionError)
    assert lane.pending() == 0


def test_a_webcam_frame_becomes_a_jpeg(qtbot):
    from PySide6.QtGui import QColor, QImage

    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))

    assert jpeg_bytes(image).startswith(b"\xff\xd8")


def test_the_app_starts_locked_on_a_terminal(qtbot, terminal):
    desk = DeskApp(terminal, camera=True)
    try:
        assert desk.window.locked
        assert desk.language in ("zh_CN", "en")
        assert desk.camera is not None
    finally:
        desk.close()
        drain_lanes(desk.ctx)
        QCoreApplication.processEvents()
    assert QApplication.instance() is desk.qapp


def test_the_command_without_a_terminal_says_how_to_make_one(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "nothing")]) == 2

    assert "memberdesk demo" in capsys.readouterr().err
