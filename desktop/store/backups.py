"""Copies of the terminal's database: taken live, verified, rotated, listed and restored.

A backup is a consistent copy of the live file made with SQLite's online backup API from
a connection of its own: the database is in WAL mode, so the desk keeps writing while the
copy is read from one snapshot. The copy is written under a temporary name, checked with
``PRAGMA integrity_check`` and only then renamed into ``backups/``, so a file there is
always a whole, sound database. A failed backup leaves the folder as it was.

File names carry what a backup is, the schema revision it holds and when (UTC) it was
taken: ``memberdesk-<kind>-<revision>-<YYYYmmddTHHMMSSZ>.sqlite``. Each kind is rotated on
its own, so the scheduled ones never push out a copy taken before a migration or a restore.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from desktop.store.atomic import fsync_directory
from desktop.store.migrations_runner import is_known_revision
from shared.errors import (
    BackupFailed,
    DatabaseInUse,
    RestoreFileDamaged,
    RestoreFileMissing,
    RestoreNotADatabase,
    RestoreNotMemberDesk,
    RestoreOtherTerminal,
    RestoreSchemaUnknown,
)

BACKUP_DIR = "backups"


class BackupKind(StrEnum):
    SCHEDULED = "scheduled"  # the desk's regular copies; rotated to the preference's count
    MANUAL = "manual"  # ``memberdesk backup``; kept until rotated by hand (--keep)
    MIGRATION = "pre-migration"  # the file as it was before a schema upgrade
    RESTORE = "pre-restore"  # the file a restore replaced


# What "the last backup" means for the schedule: a copy of the data as it is now.
REGULAR_KINDS = frozenset({BackupKind.SCHEDULED, BackupKind.MANUAL})


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: BackupKind
    revision: str
    taken_at: datetime  # UTC, from the file name (second precision)
    size_bytes: int


@dataclass(frozen=True)
class ScheduledRun:
    """What one scheduled check found: the backup it took (if one was due) and the newest."""

    taken: BackupInfo | None
    last_at: datetime | None


@dataclass(frozen=True)
class RestoreResult:
    revision: str  # the restored file's schema revision
    safety: BackupInfo | None  # the copy of the file it replaced (None: there was none)


def backups_folder(database: Path) -> Path:
    return database.parent / BACKUP_DIR


def backup_database(source: Path, target: Path) -> Path:
    """A consistent, verified copy of a live database, written atomically to ``target``.

    Raises BackupFailed (and leaves no file behind) when the source cannot be read or the
    copy does not pass SQLite's integrity check.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _copy_to_temp(source, target.parent)
    try:
        _check_integrity(tmp)
        _publish(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    return target


def take_backup(
    database: Path,
    kind: BackupKind,
    *,
    now: datetime | None = None,
    keep: int | None = None,
) -> BackupInfo:
    """Back ``database`` up into its ``backups/`` folder; then keep the ``keep`` newest of
    this kind (None: rotate nothing). The file name holds the revision the copy holds."""
    if not database.is_file():
        raise BackupFailed(reason="no database", path=str(database))
    at = _utc(now)
    folder = backups_folder(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = _copy_to_temp(database, folder)
        try:
            _check_integrity(tmp)
            revision = _revision_of(tmp) or "none"
            target = _free_name(folder, kind, revision, at)
            _publish(tmp, target)
        except BaseException:
            _remove(tmp)
            raise
        info = _info(target, kind, revision, at)
        if keep is not None:
            rotate_backups(folder, keep, kind)
    except OSError as exc:  # a full disk, a folder the desk may not write to
        raise BackupFailed(reason=exc.strerror or str(exc), path=str(folder)) from exc
    return info


def rotate_backups(folder: Path, keep: int, kind: BackupKind = BackupKind.MIGRATION) -> None:
    """Delete all but the ``keep`` newest backups of ``kind`` in ``folder``.

    Other kinds are never touched. Leftovers of a backup cut short (a power cut between
    the copy and the rename) are removed once they are a day old.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    of_kind = [b for b in list_backups(folder) if b.kind is kind]
    for old in of_kind[keep:]:
        with contextlib.suppress(FileNotFoundError):
            old.path.unlink()
    _remove_stale_temps(folder)


def list_backups(folder: Path) -> list[BackupInfo]:
    """Every backup in ``folder``, newest first (files not named as backups are ignored)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("memberdesk-*.sqlite"):
        parsed = _parse_name(path.name)
        if parsed is None:
            continue
        kind, revision, at, counter = parsed
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # rotated away by another process meanwhile
            continue
        found.append((at, counter, path.name, BackupInfo(path, kind, revision, at, size)))
    found.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in found]


def last_backup_at(backups: Iterable[BackupInfo], now: datetime) -> datetime | None:
    """When the data was last copied (scheduled or manual backups), as far as ``now`` knows.

    A backup stamped after ``now`` was taken while the clock was wrong (or the clock has
    since been set back); it cannot say how old the newest copy really is, so it is ignored
    and the next check takes a fresh one instead of waiting for the clock to catch up.
    """
    times = [b.taken_at for b in backups if b.kind in REGULAR_KINDS and b.taken_at <= now]
    return max(times, default=None)


def is_backup_due(last_at: datetime | None, now: datetime, interval_hours: int) -> bool:
    """Whether a scheduled backup should be taken now.

    Off when ``interval_hours`` is 0 (or less); due when there has never been one, when the
    interval has passed, and when the last one is stamped after ``now`` (the clock moved
    backwards: better one copy too many than none for as long as it was set back).
    """
    if interval_hours <= 0:
        return False
    if last_at is None or last_at > now:
        return True
    return now - last_at >= timedelta(hours=interval_hours)


def back_up_if_due(
    database: Path, *, now: datetime, interval_hours: int, keep: int
) -> ScheduledRun:
    """The scheduler's job: take a scheduled backup if one is due, rotate, report."""
    now = _utc(now)
    last = last_backup_at(list_backups(backups_folder(database)), now)
    if not is_backup_due(last, now, interval_hours):
        return ScheduledRun(taken=None, last_at=last)
    taken = take_backup(database, BackupKind.SCHEDULED, now=now, keep=keep)
    return ScheduledRun(taken=taken, last_at=taken.taken_at)


def restore_backup(
    backup: Path,
    database: Path,
    *,
    now: datetime | None = None,
    other_terminal: bool = False,
) -> RestoreResult:
    """Replace ``database`` with the copy in ``backup``.

    The backup is checked first (a SQLite file, sound, from MemberDesk, at a schema revision
    this build knows; an older one is migrated when the database is next opened). Then the
    current file is copied to ``backups/`` as a ``pre-restore`` backup, and the backup takes
    its place with any ``-wal``/``-shm`` of the old file removed. Refused while any program
    has the database open: the desk would go on writing into the file being replaced.

    A backup of another terminal is refused unless ``other_terminal``: it carries that
    terminal's identity (the PC replacing a broken one wants exactly that; any other PC
    would then write events as a second copy of it).
    """
    if not backup.is_file():
        raise RestoreFileMissing(path=str(backup))
    if not _has_sqlite_header(backup):
        raise RestoreNotADatabase(path=str(backup))
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        candidate = _copy_to_temp(backup, database.parent, read_only=True)
    except BackupFailed as exc:
        raise RestoreNotADatabase(path=str(backup), reason=exc.params.get("reason", "")) from exc
    try:
        revision = _check_restorable(candidate, backup)
        safety = None
        if database.exists():
            if not other_terminal:
                _ensure_same_terminal(candidate, database, backup)
            _ensure_not_in_use(database)
            safety = _safety_copy(database, now)
        os.replace(candidate, database)
    except BaseException:
        _remove(candidate)
        raise
    for suffix in ("-wal", "-shm", "-journal"):
        _remove(database.with_name(database.name + suffix))
    fsync_directory(database.parent)
    return RestoreResult(revision=revision, safety=safety)


# Internals below.

_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(
    r"^memberdesk-(?P<kind>scheduled|manual|pre-migration|pre-restore)-(?P<revision>.+)-"
    r"(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<counter>\d+))?\.sqlite$"
)
# Migration backups made before the kinds existed: memberdesk-<revision>-<YYYYmmddTHHMMSS>.
_LEGACY_NAME = re.compile(r"^memberdesk-(?P<revision>.+)-(?P<stamp>\d{8}T\d{6})\.sqlite$")
_SQLITE_HEADER = b"SQLite format 3\x00"
_STALE_TEMP = timedelta(days=1)


def _parse_name(name: str) -> tuple[BackupKind, str, datetime, int] | None:
    try:
        match = _NAME.match(name)
        if match is not None:
            at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            return BackupKind(match["kind"]), match["revision"], at, int(match["counter"] or 0)
        legacy = _LEGACY_NAME.match(name)
        if legacy is not None:
            at = datetime.strptime(legacy["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            return BackupKind.MIGRATION, legacy["revision"], at, 0
    except ValueError:  # digits that are no date (20260231): not one of ours
        pass
    return None


def _free_name(folder: Path, kind: BackupKind, revision: str, at: datetime) -> Path:
    """The backup's file name; a later backup within the same second gets a higher counter
    (never a freed lower one: the counter orders backups taken in one second)."""
    safe = re.sub(r"[^A-Za-z0-9_.]", "_", revision)[:64]
    base = f"memberdesk-{kind}-{safe}-{at.strftime(_STAMP)}"
    taken = [
        parsed[3]
        for path in folder.glob(f"{base}*.sqlite")
        if (parsed := _parse_name(path.name)) is not None and path.name.startswith(base)
    ]
    if not taken:
        return folder / f"{base}.sqlite"
    return folder / f"{base}-{max(taken) + 1}.sqlite"


def _info(path: Path, kind: BackupKind, revision: str, at: datetime) -> BackupInfo:
    return BackupInfo(path, kind, revision, at.replace(microsecond=0), path.stat().st_size)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("backup times are aware datetimes")
    return now.astimezone(UTC)


def _copy_to_temp(source: Path, folder: Path, *, read_only: bool = False) -> Path:
    """The source copied with the online backup API to a new temporary file in ``folder``.

    One backup step copies every page from one read transaction: in WAL mode that is a
    snapshot, and writers on other connections carry on meanwhile. The copy is switched
    to a rollback journal so it is a single self-contained file.
    """
    fd, name = tempfile.mkstemp(dir=folder, prefix=".memberdesk-", suffix=".sqlite.tmp")
    os.close(fd)
    tmp = Path(name)
    mode = "ro" if read_only else "rw"  # never "rwc": a missing source is not created
    try:
        shutil.copymode(source, tmp)  # as private as the database, not mkstemp's 0600
        with (
            contextlib.closing(
                sqlite3.connect(f"{source.resolve().as_uri()}?mode={mode}", uri=True)
            ) as src,
            contextlib.closing(sqlite3.connect(tmp, isolation_level=None)) as dst,
        ):
            src.execute("PRAGMA busy_timeout=5000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        _remove(tmp)
        raise BackupFailed(reason=str(exc), path=str(source)) from exc
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _check_integrity(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            rows = [row[0] for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise BackupFailed(reason=str(exc), path=str(path)) from exc
    if rows != ["ok"]:
        raise BackupFailed(reason="; ".join(str(r) for r in rows[:5]), path=str(path))


def _revision_of(path: Path) -> str | None:
    """The schema revision in ``path``; None when it has no (or an empty) alembic_version."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        try:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return None if row is None else str(row[0])


def _has_table(path: Path, table: str) -> bool:
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    return row is not None


def _check_restorable(candidate: Path, backup: Path) -> str:
    try:
        _check_integrity(candidate)
    except BackupFailed as exc:
        raise RestoreFileDamaged(path=str(backup), reason=exc.params["reason"]) from exc
    revision = _revision_of(candidate)
    if revision is None or not _has_table(candidate, "terminal_settings"):
        raise RestoreNotMemberDesk(path=str(backup))
    if not is_known_revision(revision):
        raise RestoreSchemaUnknown(revision=revision, path=str(backup))
    return revision


def _ensure_same_terminal(candidate: Path, database: Path, backup: Path) -> None:
    theirs, ours = _terminal_of(candidate), _terminal_of(database)
    if theirs is not None and ours is not None and theirs[0] != ours[0]:
        raise RestoreOtherTerminal(
            path=str(backup), backup_terminal=theirs[1], this_terminal=ours[1]
        )


def _terminal_of(path: Path) -> tuple[str, str] | None:
    """(terminal id, terminal code) of a database; None when it cannot be read (a
    damaged current file is what a restore is for) or is not set up yet."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            found = dict(
                db.execute(
                    "SELECT key, value FROM terminal_settings "
                    "WHERE key IN ('terminal_id', 'terminal_code')"
                ).fetchall()
            )
    except sqlite3.DatabaseError:
        return None
    if "terminal_id" not in found:
        return None
    return found["terminal_id"], found.get("terminal_code") or found["terminal_id"]


def _ensure_not_in_use(database: Path) -> None:
    """Refuse when another connection has the file open.

    Leaving WAL mode needs the only connection to the file; SQLite answers "busy" while
    any other (an idle pooled one included) is open. It also folds the WAL into the file,
    so nothing is left in a ``-wal`` that the safety copy could miss.
    """
    try:
        with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout=0")
            db.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise DatabaseInUse(path=str(database)) from exc
        # Anything else (a damaged file): the restore is how it gets fixed; go on.
    except sqlite3.DatabaseError:
        pass


def _safety_copy(database: Path, now: datetime | None) -> BackupInfo:
    """The file about to be replaced, kept whole even if it is damaged (that may be why it
    is being replaced): a verified copy when SQLite can read it, else its bytes."""
    try:
        return take_backup(database, BackupKind.RESTORE, now=now)
    except BackupFailed:
        at = _utc(now)
        target = _free_name(backups_folder(database), BackupKind.RESTORE, "unreadable", at)
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            shutil.copyfile(database, tmp)
            _publish(tmp, target)
        except BaseException:
            _remove(tmp)
            raise
        return _info(target, BackupKind.RESTORE, "unreadable", at)


def _has_sqlite_header(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER


def _publish(tmp: Path, target: Path) -> None:
    """Flush the finished copy to disk and give it its name in one step."""
    with tmp.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    fsync_directory(target.parent)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _remove_stale_temps(folder: Path) -> None:
    cutoff = datetime.now(UTC).timestamp() - _STALE_TEMP.total_seconds()
    for tmp in folder.glob(".memberdesk-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
