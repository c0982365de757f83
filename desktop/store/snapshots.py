"""Webcam snapshots of check-ins, kept on this terminal only (never synced) and purged by age.

Layout: ``<data_dir>/snapshots/YYYY-MM-DD/<checkin_id>.jpg``, one directory per day of the
check-in's own (aware) time, so the caller should pass branch-local times. There is no
index: a lookup with the check-in's date opens one file, and without it one stat per kept
day. Expiry deletes whole day directories.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from desktop.store.atomic import write_bytes_atomic
from shared.errors import PhotoUnreadable, SnapshotIdInvalid

__all__ = ["SnapshotStore", "check_checkin_id"]

_ID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JPEG_MAGIC = b"\xff\xd8\xff"
_PRIVATE_DIR_MODE = 0o700


def check_checkin_id(checkin_id: str) -> str:
    """``checkin_id`` itself when it is a UUID in lowercase hex (dashes optional)."""
    if not isinstance(checkin_id, str) or _ID_RE.fullmatch(checkin_id) is None:
        raise SnapshotIdInvalid(checkin_id=str(checkin_id)[:80])
    return checkin_id


class SnapshotStore:
    """Check-in snapshots under one directory, one sub-directory per day."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SnapshotStore:
        """The terminal's snapshot store, ``<data_dir>/snapshots``."""
        return cls(data_dir / "snapshots")

    def save(self, checkin_id: str, jpeg: bytes, at: datetime) -> Path:
        """Keep ``jpeg`` as the snapshot of check-in ``checkin_id`` made at ``at`` (aware)."""
        check_checkin_id(checkin_id)
        if not jpeg.startswith(_JPEG_MAGIC):
            raise PhotoUnreadable()
        day_dir = self.root / _day(at).isoformat()
        self.root.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        day_dir.mkdir(mode=_PRIVATE_DIR_MODE, exist_ok=True)
        target = day_dir / f"{checkin_id}.jpg"
        write_bytes_atomic(target, jpeg)
        return target

    def find(self, checkin_id: str, on: date | None = None) -> Path | None:
        """The snapshot of ``checkin_id``, or ``None``; ``on`` (its day) makes this one stat.

        With ``on`` the day before and after are tried too (a caller's other time zone),
        then every kept day, newest first.
        """
        name = f"{check_checkin_id(checkin_id)}.jpg"
        days = [on, on - timedelta(days=1), on + timedelta(days=1)] if on is not None else []
        for day in days:
            candidate = self.root / day.isoformat() / name
            if candidate.is_file():
                return candidate
        for _day_date, day_dir in sorted(self._day_dirs(), reverse=True):
            candidate = day_dir / name
            if candidate.is_file():
                return candidate
        return None

    def purge(self, older_than_days: int, now: datetime) -> int:
        """Delete the days more than ``older_than_days`` before ``now``'s day; files removed.

        With 30 on 30 June, 31 May and later are kept. Directories that are not days are
        left alone.
        """
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        oldest_kept = _day(now) - timedelta(days=older_than_days)
        removed = 0
        for day, day_dir in self._day_dirs():
            if day < oldest_kept:
                removed += _count_files(day_dir)
                shutil.rmtree(day_dir)
        return removed

    def _day_dirs(self) -> list[tuple[date, Path]]:
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return []
        days: list[tuple[date, Path]] = []
        for entry in entries:
            day = _parse_day(entry.name)
            if day is not None and entry.is_dir(follow_symlinks=False):
                days.append((day, Path(entry.path)))
        return days


def _day(at: datetime) -> date:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("snapshot times must be aware datetimes (branch local time)")
    return at.date()


def _parse_day(name: str) -> date | None:
    if _DAY_RE.fullmatch(name) is None:
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def _count_files(directory: Path) -> int:
    return sum(1 for _root, _dirs, files in os.walk(directory) for _ in files)
