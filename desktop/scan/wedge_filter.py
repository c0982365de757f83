"""Catching keyboard-wedge scans anywhere in the app, before any field sees them.

``WedgeFilter`` is installed on the QApplication. It watches key presses meant for the
focused object, holds printable keys in a ``WedgeBuffer`` while they might be a scanner
burst, and then either emits ``scanned(code)`` (the keys never reach the field) or
replays the held keys to the object they were meant for, in order, as if they had just
been typed. Key times come from the event (the window system's timestamp, so a busy
GUI thread cannot make slow typing look like a burst), or the monotonic clock.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent

from desktop.scan.wedge import Released, Scanned, WedgeBuffer

_ENDS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab})
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)

_HeldKey = tuple[QObject, QKeyEvent]


class WedgeFilter(QObject):
    scanned = Signal(str)

    def __init__(self, gap_ms: int = 35, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buffer: WedgeBuffer[_HeldKey] = WedgeBuffer(gap_ms=gap_ms)
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_gap)
        self.enabled = True

    def set_gap_ms(self, gap_ms: int) -> None:
        self._buffer.gap_ms = gap_ms

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self._replaying or not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        if watched is not QGuiApplication.focusObject():
            return False  # the window's copy of the event, or one propagating to a parent
        assert isinstance(event, QKeyEvent)
        at = float(event.timestamp()) or time.monotonic() * 1000
        key = Qt.Key(event.key())
        if key in _ENDS and not event.modifiers() & _COMMAND_MODIFIERS:
            actions, consumed = self._buffer.enter(at)
            self._apply(actions)
            return consumed
        text = event.text()
        if text and text.isprintable() and not event.modifiers() & _COMMAND_MODIFIERS:
            self._apply(self._buffer.key(text, (watched, _copy(event)), at))
            self._timer.start(int(self._buffer.gap_ms) + 1)
            return True
        self._apply(self._buffer.other_key())
        return False

    def flush(self) -> None:
        """Decide now about any held keys (the gap is taken as passed)."""
        self._timer.stop()
        self._apply(self._buffer.expire())

    # Internals below.

    def _on_gap(self) -> None:
        self._apply(self._buffer.expire())

    def _apply(self, actions: list[Released[_HeldKey] | Scanned]) -> None:
        for action in actions:
            if isinstance(action, Scanned):
                self._timer.stop()
                if action.code:
                    self.scanned.emit(action.code)
            else:
                self._replay(action.keys)

    def _replay(self, keys: tuple[_HeldKey, ...]) -> None:
        self._replaying = True
        try:
            for target, event in keys:
                try:
                    QCoreApplication.sendEvent(target, event)
                except RuntimeError:  # the field was closed meanwhile; drop its keys
                    continue
        finally:
            self._replaying = False


def _copy(event: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(
        event.type(),
        event.key(),
        event.modifiers(),
        event.text(),
        event.isAutoRepeat(),
        event.count(),
    )
