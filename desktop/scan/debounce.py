"""A code held up to the camera is seen in frame after frame but counts once.

``SightingDebouncer.accept(code, now)`` says yes the first time a code is seen and
then no for as long as the code keeps being seen; once it has been out of sight for
``quiet_s`` seconds it counts again (the member came back). Pure logic: the caller
supplies the time.
"""

from __future__ import annotations


class SightingDebouncer:
    def __init__(self, quiet_s: float = 2.0) -> None:
        self.quiet_s = quiet_s
        self._last_seen: dict[str, float] = {}

    def accept(self, code: str, now: float) -> bool:
        last = self._last_seen.get(code)
        self._last_seen[code] = now
        self._forget_older_than(now - self.quiet_s)
        return last is None or now - last >= self.quiet_s

    def _forget_older_than(self, cutoff: float) -> None:
        if len(self._last_seen) > 64:
            self._last_seen = {c: t for c, t in self._last_seen.items() if t >= cutoff}
