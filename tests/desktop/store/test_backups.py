"""Backups of the live database: consistent while the desk writes, verified, rotated by
kind, listed, due on schedule, and restored (or refused) whole."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.store.backups import (
    BACKUP_DIR,
    BackupKind,
    back_up_if_due,
    backups_folder,
    is_backup_due,
    last_backup_at,
    list_backups,
    restore_backup,
    rotate_backups,
    take_backup,
)
from desktop.store.database import DB_FILENAME, open_database
from desktop.store.migrations_runner import HEAD_REVISION
from desktop.terminal import Terminal
from shared.errors import (
    BackupFailed,
    DatabaseInUse,
    RestoreFileDamaged,
    RestoreFileMissing,
    RestoreNotADatabase,
    RestoreNotMemberDesk,
    RestoreSchemaUnknown,
    SchemaUnknown,
)
from shared.events.projectors import MEMBERS
from shared.ids import new_id
from shared.kinds import Role
from tests.desktop.store.conftest import NEWER_REVISION, PROBE_TABLE, damage

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        return db.execute(sql).fetchall()


def member_names(path: Path) -> set[str]:
    return {name for (name,) in rows(path, "SELECT name FROM members")}


def is_sound(path: Path) -> bool:
    return rows(path, "PRAGMA integrity_check") == [("ok",)]


@pytest.fixture
def database(terminal) -> Path:
    return terminal.data_dir / DB_FILENAME


# Taking a backup.


def test_a_backup_holds_what_was_committed_and_not_an_open_transaction(
    terminal, login_as, database
):
    login_as(Role.FRONT_DESK)
    terminal.members.enroll(name="张三")
    with terminal.engine.connect() as writer:
        writer.begin()
        writer.execute(MEMBERS.insert().values(id=new_id(), member_no="X1", name="未提交"))
        info = take_backup(database, BackupKind.SCHEDULED, now=NOW)
        writer.commit()  # committed only after the copy was taken

    assert is_sound(info.path)
    assert "张三" in member_names(info.path)
    assert "未提交" not in member_names(info.path)
    assert "未提交" in member_names(database)
    assert (info.kind, info.revision, info.taken_at) == (BackupKind.SCHEDULED, HEAD_REVISION, NOW)
    assert info.path.name == f"memberdesk-scheduled-{HEAD_REVISION}-20260615T020000Z.sqlite"
    assert info.size_bytes == info.path.stat().st_size > 0
    # A self-contained file: no WAL beside it, nothing left half-written in the folder.
    assert rows(info.path, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in info.path.parent.iterdir()) == [info.path.name]


WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=0")  # any wait on the backup would fail this writer
    db.execute("PRAGMA synchronous=NORMAL")
    for i in range(int(sys.argv[2])):
        db.execute("BEGIN IMMEDIATE")
        # A pair per transaction: a torn copy would hold one without the other.
        db.execute("INSERT INTO terminal_settings VALUES (?, 'a')", (f"pair.{i}.a",))
        db.execute("INSERT INTO terminal_settings VALUES (?, 'b')", (f"pair.{i}.b",))
        db.execute("COMMIT")
        if i == 200:
            print("writing", flush=True)
    print("done", flush=True)
    """
)


def test_a_backup_is_consistent_while_another_process_keeps_writing(terminal, database):
    transactions = 4_000
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database), str(transactions)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        taken = [
            take_backup(database, BackupKind.SCHEDULED, now=NOW + timedelta(seconds=n))
            for n in range(3)
        ]
        out, err = writer.communicate(timeout=120)
    finally:
        writer.kill()
    assert writer.returncode == 0, err  # the writer never had to wait for a backup
    assert out.strip() == "done"

    counts = []
    for info in taken:
        assert is_sound(info.path)
        keys = {key for (key,) in rows(info.path, "SELECT key FROM terminal_settings")}
        a = {k.removesuffix(".a") for k in keys if k.startswith("pair.") and k.endswith(".a")}
        b = {k.removesuffix(".b") for k in keys if k.startswith("pair.") and k.endswith(".b")}
        assert a == b  # whole transactions only
        counts.append(len(a))
    assert 200 < counts[0] <= counts[1] <= counts[2] <= transactions
    assert counts[0] < transactions  # taken while the writer was still at it
    final = rows(database, "SELECT count(*) FROM terminal_settings WHERE key LIKE 'pair.%'")
    assert final == [(2 * transactions,)]


def test_a_backup_of_a_damaged_database_fails_and_keeps_the_backups_there_were(tmp_path):
    database = tmp_path / DB_FILENAME
    open_database(tmp_path).dispose()
    good = take_backup(database, BackupKind.SCHEDULED, now=NOW)
    damage(database)

    with pytest.raises(BackupFailed):
        take_backup(database, BackupKind.SCHEDULED, now=NOW + timedelta(hours=1), keep=1)

    assert [info.path for info in list_backups(good.path.parent)] == [good.path]
    assert sorted(p.name for p in good.path.parent.iterdir()) == [good.path.name]


def test_a_backup_of_a_directory_without_a_database_fails(tmp_path):
    with pytest.raises(BackupFailed):
        take_backup(tmp_path / DB_FILENAME, BackupKind.MANUAL)

    assert not (tmp_path / DB_FILENAME).exists()  # not created by trying


def test_two_backups_in_one_second_are_both_kept_in_order(database):
    first = take_backup(database, BackupKind.SCHEDULED, now=NOW)
    second = take_backup(database, BackupKind.SCHEDULED, now=NOW)

    assert first.path != second.path
    assert [b.path for b in list_backups(backups_folder(database))] == [second.path, first.path]


# Rotation.


def test_rotation_keeps_the_newest_scheduled_backups_and_every_other_kind(database):
    folder = backups_folder(database)
    others = [
        take_backup(database, kind, now=NOW - timedelta(days=30))
        for kind in (BackupKind.MIGRATION, BackupKind.RESTORE, BackupKind.MANUAL)
    ]
    scheduled = [
        take_backup(database, BackupKind.SCHEDULED, now=NOW + timedelta(hours=h), keep=3)
        for h in range(6)
    ]

    kept = list_backups(folder)
    assert [b.path for b in kept if b.kind is BackupKind.SCHEDULED] == [
        b.path for b in reversed(scheduled[-3:])
    ]
    assert {b.path for b in kept if b.kind is not BackupKind.SCHEDULED} == {b.path for b in others}


def test_rotation_orders_by_the_time_in_the_name_not_the_file_time(tmp_path):
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    names = [f"memberdesk-scheduled-0001-2026061{day}T000000Z.sqlite" for day in range(5)]
    for name in reversed(names):  # the oldest file written last
        (folder / name).write_bytes(b"a backup")

    rotate_backups(folder, 2, BackupKind.SCHEDULED)

    assert sorted(p.name for p in folder.iterdir()) == names[-2:]


def test_listing_ignores_files_that_are_not_backups(tmp_path):
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    for name in ("notes.txt", "memberdesk-scheduled-0001-20261340T000000Z.sqlite", "x.sqlite"):
        (folder / name).write_bytes(b"")

    assert list_backups(folder) == []
    assert list_backups(tmp_path / "nowhere") == []


# When a backup is due.


@pytest.mark.parametrize(
    ("last", "interval", "due"),
    [
        (None, 0, False),  # off, even if there has never been one
        (NOW - timedelta(days=400), 0, False),  # off
        (None, 24, True),  # never backed up
        (NOW - timedelta(hours=24) + timedelta(seconds=1), 24, False),  # just before
        (NOW - timedelta(hours=24), 24, True),  # exactly the interval
        (NOW - timedelta(hours=24, seconds=1), 24, True),  # just after
        (NOW, 1, False),  # taken this moment
        (NOW + timedelta(seconds=1), 24, True),  # the clock moved backwards
        (NOW + timedelta(days=300), 24, True),  # a backup stamped far in the future
    ],
)
def test_a_backup_is_due(last, interval, due):
    assert is_backup_due(last, NOW, interval) is due


def test_the_last_backup_counts_scheduled_and_manual_copies_not_from_the_future(database):
    take_backup(database, BackupKind.MIGRATION, now=NOW - timedelta(hours=1))
    manual = take_backup(database, BackupKind.MANUAL, now=NOW - timedelta(hours=5))
    take_backup(database, BackupKind.SCHEDULED, now=NOW - timedelta(hours=9))
    take_backup(database, BackupKind.SCHEDULED, now=NOW + timedelta(days=2))  # clock was ahead

    assert last_backup_at(list_backups(backups_folder(database)), NOW) == manual.taken_at


def test_a_scheduled_check_takes_one_backup_per_interval(database):
    first = back_up_if_due(database, now=NOW, interval_hours=24, keep=7)
    later = back_up_if_due(database, now=NOW + timedelta(hours=23), interval_hours=24, keep=7)
    next_day = back_up_if_due(database, now=NOW + timedelta(hours=24), interval_hours=24, keep=7)

    assert first.taken is not None and first.last_at == NOW
    assert later.taken is None and later.last_at == NOW
    assert next_day.taken is not None and next_day.last_at == NOW + timedelta(hours=24)
    assert len(list_backups(backups_folder(database))) == 2


def test_after_the_clock_is_set_back_one_backup_is_taken_then_the_schedule_resumes(database):
    take_backup(database, BackupKind.SCHEDULED, now=NOW + timedelta(days=30))

    fresh = back_up_if_due(database, now=NOW, interval_hours=24, keep=7)
    again = back_up_if_due(database, now=NOW + timedelta(minutes=5), interval_hours=24, keep=7)

    assert fresh.taken is not None and fresh.last_at == NOW
    assert again.taken is None


def test_no_scheduled_backup_when_switched_off(database):
    run = back_up_if_due(database, now=NOW, interval_hours=0, keep=7)

    assert run.taken is None and run.last_at is None
    assert list_backups(backups_folder(database)) == []


# Restoring.


def test_a_restore_brings_back_the_backup_and_keeps_the_file_it_replaced(
    data_dir, clock, keyring_backend
):
    database = data_dir / DB_FILENAME
    enroll_directly(data_dir, "备份前")
    backup = take_backup(database, BackupKind.MANUAL, now=NOW)
    enroll_directly(data_dir, "备份后")

    result = restore_backup(backup.path, database, now=NOW + timedelta(hours=1))

    assert result.revision == HEAD_REVISION
    assert result.safety is not None and result.safety.kind is BackupKind.RESTORE
    assert "备份后" in member_names(result.safety.path) and is_sound(result.safety.path)
    assert not database.with_name(DB_FILENAME + "-wal").exists()
    assert not database.with_name(DB_FILENAME + "-shm").exists()
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as terminal:
        with terminal.engine.connect() as conn:
            names = set(conn.execute(select(MEMBERS.c.name)).scalars())
        terminal.staff.login("1111")
        terminal.members.enroll(name="恢复后")  # the restored file is a working database
    assert "备份前" in names and "备份后" not in names
    assert backup.path.exists()  # restoring does not use the backup up


def test_an_older_backup_is_migrated_when_the_desk_next_opens_it(tmp_path, newer_migrations):
    data_dir = tmp_path / "desk"
    database = data_dir / DB_FILENAME
    open_database(data_dir).dispose()
    old = take_backup(database, BackupKind.MANUAL, now=NOW)
    open_database(data_dir, migrations=newer_migrations).dispose()  # the desk is upgraded

    result = restore_backup(old.path, database)

    assert result.revision == HEAD_REVISION
    assert result.safety is not None and result.safety.revision == NEWER_REVISION
    engine = open_database(data_dir, migrations=newer_migrations)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            probe = conn.execute(text(f"SELECT count(*) FROM {PROBE_TABLE}")).scalar()
    finally:
        engine.dispose()
    assert (version, probe) == (NEWER_REVISION, 0)
    kinds = {b.kind for b in list_backups(backups_folder(database))}
    assert BackupKind.MIGRATION in kinds  # the restored file was copied before its upgrade


def test_a_restore_into_an_empty_directory_needs_no_safety_copy(tmp_path, database):
    backup = take_backup(database, BackupKind.MANUAL, now=NOW)
    target = tmp_path / "new-pc" / DB_FILENAME

    result = restore_backup(backup.path, target)

    assert result.safety is None
    assert member_names(target) == member_names(backup.path)


def test_a_damaged_database_is_replaced_and_its_bytes_are_kept(tmp_path, database):
    backup = take_backup(database, BackupKind.MANUAL, now=NOW)
    target = tmp_path / "broken" / DB_FILENAME
    target.parent.mkdir()
    target.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    stale_wal = target.with_name(DB_FILENAME + "-wal")
    stale_wal.write_bytes(b"not for the restored file")

    result = restore_backup(backup.path, target, now=NOW)

    assert result.safety is not None
    assert result.safety.path.read_bytes().startswith(b"SQLite format 3\x00\x07\x07")
    assert not stale_wal.exists()
    assert is_sound(target)


def refused_restore(backup: Path, database: Path, error: type[Exception]) -> Exception:
    before = database.read_bytes()
    with pytest.raises(error) as refused:
        restore_backup(backup, database)
    assert database.read_bytes() == before
    assert list_backups(backups_folder(database)) == []
    assert [p.name for p in database.parent.glob(".memberdesk-*")] == []
    return refused.value


def test_a_missing_file_is_refused(tmp_path):
    database = make_closed_database(tmp_path)
    error = refused_restore(tmp_path / "no-such.sqlite", database, RestoreFileMissing)
    assert error.params["path"].endswith("no-such.sqlite")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    database = make_closed_database(tmp_path)
    other = tmp_path / "members.xlsx"
    other.write_bytes(b"PK\x03\x04 a spreadsheet")
    refused_restore(other, database, RestoreNotADatabase)


def test_a_sqlite_file_from_another_program_is_refused(tmp_path):
    database = make_closed_database(tmp_path)
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.commit()
    refused_restore(other, database, RestoreNotMemberDesk)


def test_a_damaged_backup_is_refused(tmp_path):
    database = make_closed_database(tmp_path)
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(database.read_bytes())
    damage(copy)
    refused_restore(copy, database, RestoreFileDamaged)


def test_a_backup_from_an_unknown_schema_is_refused(tmp_path):
    database = make_closed_database(tmp_path)
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(database.read_bytes())
    with closing(sqlite3.connect(newer)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_another_build'")
        db.commit()

    error = refused_restore(newer, database, RestoreSchemaUnknown)

    assert isinstance(error, SchemaUnknown)
    assert error.params["revision"] == "9999_from_another_build"


def test_a_restore_is_refused_while_the_desk_has_the_database_open(terminal, database):
    backup = take_backup(database, BackupKind.MANUAL, now=NOW)
    with terminal.engine.connect() as conn:  # the desk's pooled connection stays open
        conn.execute(text("SELECT 1")).all()

    with pytest.raises(DatabaseInUse):
        restore_backup(backup.path, database)

    assert [b.kind for b in list_backups(backups_folder(database))] == [BackupKind.MANUAL]
    assert [p.name for p in database.parent.glob(".memberdesk-*")] == []


# Internals below.


def enroll_directly(data_dir: Path, name: str) -> None:
    """A member row written and the file closed again, as a desk that has shut down.

    (Not through a Terminal: Terminal.close leaves the recorder's spare connection open
    until garbage collection, and a restore rightly refuses an open database.)
    """
    engine = open_database(data_dir)
    with engine.begin() as conn:
        conn.execute(MEMBERS.insert().values(id=new_id(), member_no=name, name=name))
    engine.dispose()


def make_closed_database(data_dir: Path) -> Path:
    open_database(data_dir).dispose()
    return data_dir / DB_FILENAME
