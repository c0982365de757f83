"""The terminal's SQLite file: durable pragmas, migrations to head, backups."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from desktop.store.backups import BackupKind, list_backups
from desktop.store.database import (
    BACKUP_DIR,
    DB_FILENAME,
    KEEP_MIGRATION_BACKUPS,
    backup_database,
    open_database,
    rotate_backups,
)
from desktop.store.migrations_runner import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from desktop.store.settings_store import read_settings, write_settings
from shared.errors import BackupFailed, SchemaUnknown
from shared.events.projectors import MEMBERS
from shared.ids import new_id
from shared.kinds import Role
from shared.model import Base
from tests.desktop.store.conftest import NEWER_REVISION, PROBE_TABLE, migrate_with

# A revision this build does not know: a file written by another version of the app.
FOREIGN_REVISION = "9999_from_another_build"


def pragma(conn, name):
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def stamp(path: Path, revision: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def make_database(data_dir: Path, settings: dict[str, str] | None = None) -> Path:
    engine = open_database(data_dir)
    with engine.begin() as conn:
        write_settings(conn, settings or {"marker": "kept"})
    engine.dispose()
    return data_dir / DB_FILENAME


def backups(data_dir: Path) -> list[Path]:
    return sorted((data_dir / BACKUP_DIR).glob("*.sqlite"))


# Pragmas.


def test_every_connection_uses_wal_and_full_fsync(tmp_path):
    engine = open_database(tmp_path)
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert pragma(conn, "journal_mode") == "wal"
                assert pragma(conn, "synchronous") == 2  # FULL
                assert pragma(conn, "busy_timeout") == 5000
                assert pragma(conn, "foreign_keys") == 0
    finally:
        engine.dispose()


def test_a_bulk_load_trades_fsync_for_speed_until_the_file_is_reopened(tmp_path):
    bulk = open_database(tmp_path, bulk_load=True)
    try:
        with bulk.connect() as conn:
            assert pragma(conn, "synchronous") == 0  # OFF
    finally:
        bulk.dispose()

    engine = open_database(tmp_path)
    try:
        with engine.connect() as conn:
            assert pragma(conn, "journal_mode") == "wal"
            assert pragma(conn, "synchronous") == 2
    finally:
        engine.dispose()


def test_the_terminals_engine_is_durable(terminal):
    with terminal.engine.connect() as conn:
        assert pragma(conn, "journal_mode") == "wal"
        assert pragma(conn, "synchronous") == 2


# Migrations.


def test_a_new_directory_is_created_and_migrated_to_head(tmp_path):
    data_dir = tmp_path / "not" / "there" / "yet"

    engine = open_database(data_dir)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert (data_dir / DB_FILENAME).is_file()
    assert set(Base.metadata.tables) <= tables
    assert backups(data_dir) == []  # nothing to keep from a new file


def test_the_migrations_build_exactly_the_models(tmp_path):
    engine = open_database(tmp_path)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_the_migrations_run_down_to_nothing_and_up_again(tmp_path):
    engine = open_database(tmp_path)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        with engine.connect() as conn:
            assert current_revision(conn) is None
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        with engine.begin() as conn:
            upgrade(conn)
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_alembic_refuses_to_run_without_the_connection_the_store_gives_it():
    with pytest.raises(RuntimeError, match="migrations_runner"):
        command.upgrade(alembic_config(), "head")


def test_reopening_a_file_at_head_keeps_its_data_and_takes_no_backup(tmp_path):
    make_database(tmp_path)

    engine = open_database(tmp_path)
    try:
        with engine.connect() as conn:
            assert read_settings(conn)["marker"] == "kept"
    finally:
        engine.dispose()
    assert backups(tmp_path) == []


def test_a_file_from_an_unknown_version_is_refused_and_left_untouched(tmp_path):
    # A file written by a newer MemberDesk: migrating it "to head" would mean going
    # backwards, so the store refuses with a typed error and changes nothing.
    path = make_database(tmp_path, {"marker": "from-the-future"})
    stamp(path, FOREIGN_REVISION)
    before = path.read_bytes()

    with pytest.raises(SchemaUnknown) as refused:
        open_database(tmp_path)

    assert refused.value.params["revision"] == FOREIGN_REVISION
    assert path.read_bytes() == before
    assert backups(tmp_path) == []


def test_a_file_at_an_older_revision_is_backed_up_before_it_is_migrated(tmp_path, newer_migrations):
    make_database(tmp_path, {"marker": "before the upgrade"})

    engine = open_database(tmp_path, migrations=newer_migrations)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == NEWER_REVISION
            assert PROBE_TABLE in inspect(conn).get_table_names()
            assert read_settings(conn)["marker"] == "before the upgrade"
    finally:
        engine.dispose()

    [backup] = backups(tmp_path)
    assert backup.name.startswith(f"memberdesk-pre-migration-{HEAD_REVISION}-")
    [info] = list_backups(tmp_path / BACKUP_DIR)
    assert (info.kind, info.revision) == (BackupKind.MIGRATION, HEAD_REVISION)
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,
        )
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        marker = copy.execute("SELECT value FROM terminal_settings WHERE key = 'marker'").fetchone()
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert PROBE_TABLE not in tables
    assert marker == ("before the upgrade",)


def test_the_migration_backup_opens_at_its_own_revision(tmp_path, newer_migrations):
    make_database(tmp_path)
    open_database(tmp_path, migrations=newer_migrations).dispose()
    [backup] = backups(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(backup, elsewhere / DB_FILENAME)

    engine = open_database(elsewhere)  # this build: the backup is at its head
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD_REVISION
    finally:
        engine.dispose()
    assert backups(elsewhere) == []


def test_migration_backups_are_rotated_to_the_newest_five(tmp_path, newer_migrations):
    make_database(tmp_path)
    for upgrade_no in range(7):
        engine = open_database(tmp_path, migrations=newer_migrations)
        migrate_with(engine, newer_migrations, HEAD_REVISION)  # back to "older" again
        with engine.begin() as conn:
            write_settings(conn, {"upgrade_no": str(upgrade_no + 1)})
        engine.dispose()
    # The first upgrade copied the file before any upgrade_no was written.
    open_database(tmp_path, migrations=newer_migrations).dispose()

    kept = list_backups(tmp_path / BACKUP_DIR)
    assert KEEP_MIGRATION_BACKUPS == 5
    assert len(kept) == KEEP_MIGRATION_BACKUPS == len(backups(tmp_path))
    numbers = []
    for info in kept:
        with closing(sqlite3.connect(info.path)) as copy:
            row = copy.execute(
                "SELECT value FROM terminal_settings WHERE key = 'upgrade_no'"
            ).fetchone()
        numbers.append(int(row[0]))
    assert numbers == [7, 6, 5, 4, 3]  # newest first: the two oldest copies went


def test_a_migration_that_cannot_be_backed_up_does_not_run(tmp_path, newer_migrations):
    path = make_database(tmp_path)
    (tmp_path / BACKUP_DIR).write_text("a file where the backups folder should be")

    with pytest.raises(BackupFailed):
        open_database(tmp_path, migrations=newer_migrations)

    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)


def test_an_old_style_migration_backup_is_listed_and_rotated_with_its_kind(tmp_path):
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    old = folder / "memberdesk-0001-20200101T000000.sqlite"  # named before kinds existed
    old.write_bytes(b"an older backup")

    [info] = list_backups(folder)
    assert (info.kind, info.revision) == (BackupKind.MIGRATION, "0001")
    assert info.taken_at == datetime(2020, 1, 1, tzinfo=UTC)
    rotate_backups(folder, 1, BackupKind.SCHEDULED)
    assert old.exists()


# Backups.


def test_backup_is_a_consistent_copy_of_a_live_database(terminal, login_as, tmp_path):
    login_as(Role.FRONT_DESK)
    for name in ("张三", "李四", "王五"):
        terminal.members.enroll(name=name)
    source = terminal.data_dir / DB_FILENAME
    # Those commits still sit in the WAL file: a plain copy of the main file would miss them.
    assert (terminal.data_dir / f"{DB_FILENAME}-wal").stat().st_size > 0

    with terminal.engine.connect() as writer:
        writer.begin()
        writer.execute(MEMBERS.insert().values(id=new_id(), member_no="X1", name="未提交"))
        target = backup_database(source, tmp_path / "elsewhere" / "copy.sqlite")
        writer.rollback()

    assert target == tmp_path / "elsewhere" / "copy.sqlite"
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = {row[0] for row in copy.execute("SELECT name FROM members")}
        events = copy.execute("SELECT count(*) FROM events").fetchone()[0]
    copy.close()
    assert names == {"张三", "李四", "王五"}
    with terminal.engine.connect() as conn:
        assert events == conn.execute(text("SELECT count(*) FROM events")).scalar_one()


def test_a_transaction_covers_its_reads_not_only_its_writes(tmp_path):
    # pysqlite alone would begin only at the first INSERT, so a check such as "is this
    # mobile taken?" would run outside the transaction that then writes.
    engine = open_database(tmp_path)
    with engine.begin() as conn:
        conn.execute(text("SELECT 1")).all()
        assert conn.connection.driver_connection.in_transaction
    engine.dispose()


def test_the_head_revision_constant_is_the_newest_migration():
    """``open_database`` trusts HEAD_REVISION to skip Alembic on an up-to-date file."""
    assert HEAD_REVISION == head_revision()
