"""The Qt binding itself must be sound: PySide6 6.12.0 on Python 3.11 lost a reference
to True on every signal emit and to None on every processEvents, and a desk running a
few hours aborted in bool_dealloc/none_dealloc. pyproject.toml pins it below 6.12;
this test fails (instead of the desk) if a future version does the same."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_signals_and_event_processing_keep_their_references(qtbot):
    emitter = _Emitter()
    seen: list[int] = []
    emitter.ping.connect(seen.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)

    for i in range(300):
        emitter.ping.emit(i)
        QCoreApplication.processEvents()

    assert len(seen) == 300
    # Other threads may hold or drop a few references meanwhile; a leak loses hundreds.
    assert sys.getrefcount(True) > true_before - 50
    assert sys.getrefcount(None) > none_before - 50
