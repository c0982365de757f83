"""Row ids and the hybrid logical clock that orders events across terminals.

Ids are UUIDv7 (time-ordered, so b-tree inserts stay local and ids made later in a process
sort after earlier ones).

Every event carries an :class:`Hlc` stamp. Its canonical text ``WWWWWWWWWWWWWWW:CCCCCC:node``
(15-digit wall milliseconds, 6-digit counter, terminal id) sorts as a plain string in the
same order as the stamp itself, so the database can order and compare stamps by text
(``events.hlc`` is ``String(64)``, which caps ``node`` at 41 characters).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uuid6

from shared.errors import ClockSkewTooLarge, EventInvalid

__all__ = [
    "COUNTER_MAX",
    "HLC_TEXT_MAX_LENGTH",
    "NODE_MAX_LENGTH",
    "WALL_MS_MAX",
    "Hlc",
    "HybridLogicalClock",
    "new_id",
    "system_wall_ms",
]

WALL_MS_MAX = 10**15 - 1
"""Largest wall time a stamp can carry (15 digits: the year 33658)."""

COUNTER_MAX = 999_999
"""Largest counter (6 digits). The clock never issues more; see :class:`HybridLogicalClock`."""

HLC_TEXT_MAX_LENGTH = 64
NODE_MAX_LENGTH = HLC_TEXT_MAX_LENGTH - len("000000000000000:000000:")
"""41: the longest node whose stamp text still fits ``events.hlc`` (``String(64)``)."""

_id_lock = threading.Lock()


def new_id() -> str:
    """A new UUIDv7 as canonical 36-character lowercase text.

    ``uuid6.uuid7`` keeps its last timestamp in a module global and, within a process,
    issues a strictly later millisecond for every call (running ahead of the real clock
    during bursts). That global is not thread-safe, hence the lock.
    """
    with _id_lock:
        return str(uuid6.uuid7())


def system_wall_ms() -> int:
    """Milliseconds since the Unix epoch from the system clock (may jump either way)."""
    return time.time_ns() // 1_000_000


_HLC_RE = re.compile(rf"([0-9]{{15}}):([0-9]{{6}}):([^:\s]{{1,{NODE_MAX_LENGTH}}})")


def _check_node(node: str) -> None:
    if (
        not isinstance(node, str)
        or not 1 <= len(node) <= NODE_MAX_LENGTH
        or ":" in node
        or not node.isprintable()
        or any(ch.isspace() for ch in node)
    ):
        raise ValueError(
            f"HLC node must be 1-{NODE_MAX_LENGTH} printable characters without ':' or "
            f"whitespace, got {node!r}"
        )


def _check_int(name: str, value: int, maximum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise ValueError(f"HLC {name} must be an int in [0, {maximum}], got {value!r}")


@dataclass(frozen=True, order=True)
class Hlc:
    """A hybrid logical clock stamp. Orders by (wall_ms, counter, node), like its text.

    Constructing one with out-of-range fields is a programming error (``ValueError``);
    text from a peer goes through :meth:`parse`, which raises :class:`EventInvalid`.
    """

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        _check_int("wall_ms", self.wall_ms, WALL_MS_MAX)
        _check_int("counter", self.counter, COUNTER_MAX)
        _check_node(self.node)

    def __str__(self) -> str:
        return f"{self.wall_ms:015d}:{self.counter:06d}:{self.node}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        """Read the canonical text made by ``str()``; anything else is ``EventInvalid``."""
        match = _HLC_RE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise EventInvalid(field="hlc", value=text)
        wall, counter, node = match.groups()
        try:
            return cls(int(wall), int(counter), node)
        except ValueError:
            raise EventInvalid(field="hlc", value=text) from None


class HybridLogicalClock:
    """Issues strictly increasing :class:`Hlc` stamps for one terminal (``node``).

    ``now()`` stamps a local event; ``observe()`` folds in a stamp received from a peer so
    that everything this terminal stamps afterwards sorts after it. The physical clock may
    jump backwards (the stamps then hold the last wall time and count up) or lag a peer by a
    day (the stamps then carry the peer's wall time). ``last`` is the newest stamp issued
    (or the one passed in, typically the greatest stamp found in the local store at start;
    it may come from any node).

    Counter overflow: a wall millisecond holds at most ``COUNTER_MAX + 1`` stamps. When the
    counter would pass ``COUNTER_MAX`` the stamp moves to the next millisecond with counter
    0 instead, running slightly ahead of the physical clock; the physical clock catches up,
    and the order stays strict.

    ``max_skew_ms`` (off by default) makes ``observe()`` refuse, with
    :class:`ClockSkewTooLarge` and without changing state, a remote stamp more than that
    many milliseconds ahead of the physical clock, so one peer with a wild clock cannot drag
    every terminal's stamps into the future.

    All methods are safe to call from several threads.
    """

    def __init__(
        self,
        node: str,
        wall_ms: Callable[[], int] = system_wall_ms,
        last: Hlc | None = None,
        *,
        max_skew_ms: int | None = None,
    ) -> None:
        _check_node(node)
        if max_skew_ms is not None and max_skew_ms < 0:
            raise ValueError("max_skew_ms must be >= 0")
        self._node = node
        self._wall_ms = wall_ms
        self._last = last
        self._max_skew_ms = max_skew_ms
        self._lock = threading.Lock()

    @property
    def node(self) -> str:
        return self._node

    @property
    def last(self) -> Hlc | None:
        with self._lock:
            return self._last

    def now(self) -> Hlc:
        """Stamp a local event."""
        with self._lock:
            physical = self._physical()
            last = self._last
            if last is None or physical > last.wall_ms:
                stamp = self._make(physical, 0)
            else:
                stamp = self._make(last.wall_ms, last.counter + 1)
            self._last = stamp
            return stamp

    def observe(self, remote: Hlc) -> Hlc:
        """Merge a stamp received from a peer; return the new ``last`` (greater than both)."""
        with self._lock:
            physical = self._physical()
            if self._max_skew_ms is not None and remote.wall_ms - physical > self._max_skew_ms:
                raise ClockSkewTooLarge(
                    remote=str(remote), skew_ms=remote.wall_ms - physical, node=self._node
                )
            last = self._last
            last_wall = -1 if last is None else last.wall_ms
            wall = max(last_wall, remote.wall_ms, physical)
            if last is not None and wall == last.wall_ms == remote.wall_ms:
                counter = max(last.counter, remote.counter) + 1
            elif last is not None and wall == last.wall_ms:
                counter = last.counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            stamp = self._make(wall, counter)
            self._last = stamp
            return stamp

    def _physical(self) -> int:
        # A clock reading before 1970 or past the 15-digit range is clamped, not trusted.
        return min(max(self._wall_ms(), 0), WALL_MS_MAX)

    def _make(self, wall: int, counter: int) -> Hlc:
        if counter > COUNTER_MAX:
            wall, counter = wall + 1, 0
        return Hlc(wall, counter, self._node)
