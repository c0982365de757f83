"""Running terminal calls off the GUI thread and getting the answer back on it.

The GUI thread only paints and reacts (ARCHITECTURE.md, Threads). Every call into the
terminal that touches the database, the camera or the disk goes through a ``Lane``:

    lane.run(lambda: terminal.search(text), on_done=self._show_hits, on_error=self._fail)

``on_done`` and ``on_error`` run on the GUI thread. A lane with one thread runs its jobs
in submission order, which is what writes want (one check-in after another); reads use a
lane of their own so a slow report never holds up a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call over to it."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to on_error on the GUI thread
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


class Lane(QObject):
    """A named pool of worker threads; jobs report back through signals."""

    def __init__(self, name: str, threads: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], Any] | None = None,
        on_error: Callable[[Exception], Any] | None = None,
    ) -> None:
        relay = _Relay()  # created here, on the caller's (GUI) thread
        self._relays.add(relay)

        @Slot(object)
        def finished(result: Any) -> None:
            self._relays.discard(relay)
            if on_done is not None:
                _deliver(on_done, result)

        @Slot(object)
        def failed(exc: Any) -> None:
            self._relays.discard(relay)
            if on_error is not None:
                _deliver(on_error, exc)
            else:
                raise exc

        relay.done.connect(finished)
        relay.failed.connect(failed)
        self._pool.start(_Job(fn, relay))

    def pending(self) -> int:
        """Jobs started or queued whose answer has not come back yet."""
        return len(self._relays)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (shutdown and tests only, never on a click)."""
        return self._pool.waitForDone(msecs)


def _deliver(callback: Callable[[Any], Any], value: Any) -> None:
    """Hand an answer over, unless the widget that asked has been closed meanwhile."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return
    try:
        callback(value)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise  # only "the screen is gone" is expected here


class Lanes(QObject):
    """The app's lanes: ``writes`` (one thread, in order) and ``reads`` (two threads)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.writes = Lane("writes", 1, self)
        self.reads = Lane("reads", 2, self)

    def pending(self) -> int:
        return self.writes.pending() + self.reads.pending()

    def wait(self, msecs: int = -1) -> bool:
        return self.writes.wait(msecs) and self.reads.wait(msecs)
