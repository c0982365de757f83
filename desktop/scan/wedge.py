"""Telling a keyboard-wedge barcode scanner from a person typing, by timing alone.

A USB scanner "types" its code as a burst of keystrokes a few milliseconds apart,
usually ending with Enter. A person types tens to hundreds of milliseconds apart. The
``WedgeBuffer`` holds keystrokes back while they might still be a scan:

- every printable key goes into the buffer with its time;
- a key that comes more than ``gap_ms`` after the previous one ends the chance of a
  burst: the held keys are released to be delivered as typed;
- Enter (or Tab) after at least ``min_length`` fast keys completes a scan: the buffer
  becomes one code and nothing reaches the focused field;
- a burst that simply stops (scanners set up without a suffix) counts as a scan too
  when it is at least ``min_length_no_suffix`` keys long.

So a scan never lands in whatever field had the focus, and a person's typing is only
held for ``gap_ms``. This module is pure; ``wedge_filter`` feeds it from Qt.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")  # whatever the caller needs to replay a key (a copied QKeyEvent)


@dataclass(frozen=True)
class Released(Generic[K]):
    """Keys that turned out to be typing: deliver them, in order."""

    keys: tuple[K, ...]


@dataclass(frozen=True)
class Scanned:
    """A complete scan; control characters already stripped."""

    code: str


@dataclass
class _Held(Generic[K]):
    text: str
    key: K
    at_ms: float


@dataclass
class WedgeBuffer(Generic[K]):
    gap_ms: float = 35.0
    min_length: int = 4
    min_length_no_suffix: int = 8
    _held: list[_Held[K]] = field(default_factory=list)

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def key(self, text: str, key: K, at_ms: float) -> list[Released[K] | Scanned]:
        """A printable keystroke arrived; what, if anything, must happen now."""
        out: list[Released[K] | Scanned] = []
        if self._held and at_ms - self._held[-1].at_ms > self.gap_ms:
            out.extend(self._give_up())
        self._held.append(_Held(text, key, at_ms))
        return out

    def enter(self, at_ms: float) -> tuple[list[Released[K] | Scanned], bool]:
        """Enter or Tab arrived. Returns what to do and whether the key was consumed."""
        if (
            len(self._held) >= self.min_length
            and at_ms - self._held[-1].at_ms <= self.gap_ms
            and self._all_fast()
        ):
            return [self._scan()], True
        return self._give_up(), False

    def other_key(self) -> list[Released[K] | Scanned]:
        """A non-printable key (arrow, Backspace, a shortcut): release what was held."""
        return self._give_up()

    def expire(self) -> list[Released[K] | Scanned]:
        """The caller saw ``gap_ms`` pass with no new key."""
        if len(self._held) >= self.min_length_no_suffix and self._all_fast():
            return [self._scan()]
        return self._give_up()

    # Internals below.

    def _all_fast(self) -> bool:
        times = [h.at_ms for h in self._held]
        return all(b - a <= self.gap_ms for a, b in zip(times, times[1:], strict=False))

    def _scan(self) -> Scanned:
        code = strip_controls("".join(h.text for h in self._held))
        self._held.clear()
        return Scanned(code)

    def _give_up(self) -> list[Released[K] | Scanned]:
        if not self._held:
            return []
        keys = tuple(h.key for h in self._held)
        self._held.clear()
        return [Released(keys)]


def strip_controls(text: str) -> str:
    """Drop control characters (CR, LF, TAB, GS separators) a scanner may send."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()
