"""The terminal's SQLite file: WAL, full fsync, migrated to the newest schema on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event

from desktop.store import local_model as _local_model  # noqa: F401  (registers its tables)
from desktop.store.backups import (
    BACKUP_DIR,
    BackupKind,
    backup_database,
    rotate_backups,
    take_backup,
)
from desktop.store.migrations_runner import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    is_known_revision,
    upgrade,
)
from shared.errors import SchemaUnknown

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

__all__ = [
    "BACKUP_DIR",
    "DB_FILENAME",
    "KEEP_MIGRATION_BACKUPS",
    "backup_database",
    "open_database",
    "rotate_backups",
]

DB_FILENAME = "memberdesk.sqlite"
KEEP_MIGRATION_BACKUPS = 5


def open_database(
    data_dir: Path, *, bulk_load: bool = False, migrations: Path = MIGRATIONS_DIR
) -> Engine:
    """Open (creating if needed) the data directory's database at the newest schema.

    ``bulk_load`` trades durability for speed and is only for filling a new file.
    ``migrations`` is the Alembic script folder; only tests bring another one (with a
    revision newer than this build's head, to migrate a file from "an older version").

    Before an existing file is migrated it is copied to ``backups/`` as a ``pre-migration``
    backup with its schema revision in the name, so a failed or regretted upgrade can be
    undone (``memberdesk restore``). The newest five such copies are kept.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    engine = create_engine(
        f"sqlite:///{path}",
        # orjson: ten times quicker than json for the payload of every event written.
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )
    event.listen(engine, "connect", _bulk_load_pragmas if bulk_load else _set_pragmas)
    event.listen(engine, "begin", _begin)
    with engine.connect() as conn:
        revision = current_revision(conn)
    if revision == HEAD_REVISION and migrations == MIGRATIONS_DIR:
        return engine
    scripts = _scripts(migrations)
    if revision == scripts.get_current_head():
        return engine
    if revision is not None and not _is_known(scripts, migrations, revision):
        engine.dispose()
        raise SchemaUnknown(revision=revision, path=str(path))
    try:
        if revision is not None:
            # No upgrade without its backup: a BackupFailed leaves the file as it was.
            take_backup(path, BackupKind.MIGRATION, keep=KEEP_MIGRATION_BACKUPS)
        with engine.begin() as conn:
            if migrations == MIGRATIONS_DIR:
                upgrade(conn)
            else:
                _upgrade_with(conn, migrations)
    except BaseException:
        engine.dispose()
        raise
    return engine


# Internals below.


def _set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Python's sqlite3 would open a transaction only at the first INSERT, leaving the
    # reads before it (is this mobile taken? which plan is valid?) outside; SQLAlchemy's
    # documented fix: the driver stays in autocommit and _begin emits BEGIN itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a check-in the desk was told about survives a power cut, not just a crash.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    # Projections reference rows that may arrive later from other terminals.
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-16384")  # 16 MB a connection; the OS caches the file too
    cur.close()


def _begin(conn: Connection) -> None:
    # Straight to the driver: exec_driver_sql would cost thirty times as much (a cursor,
    # a result, the execution events) for no result. A transaction the Recorder began on
    # the driver is joined, not nested: SQLAlchemy then commits or rolls back that one.
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    if not driver.in_transaction:
        driver.execute("BEGIN")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _bulk_load_pragmas(dbapi_conn: Any, record: Any) -> None:
    """For filling a brand-new file (demo data): a crash or an error means starting again
    anyway (the demo generator then deletes the file), so nothing is journalled."""
    _set_pragmas(dbapi_conn, record)
    cur = dbapi_conn.cursor()
    # Pages are written once into the file: not into the WAL and then again, nor copied
    # into a rollback journal first.
    cur.execute("PRAGMA journal_mode=OFF")
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA cache_size=-1048576")
    cur.close()


def _scripts(migrations: Path) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    cfg.set_main_option("script_location", str(migrations))
    return ScriptDirectory.from_config(cfg)


def _is_known(scripts: ScriptDirectory, migrations: Path, revision: str) -> bool:
    if migrations == MIGRATIONS_DIR:
        return is_known_revision(revision)
    return any(rev.revision == revision for rev in scripts.walk_revisions())


def _upgrade_with(conn: Connection, migrations: Path) -> None:
    from alembic import command

    cfg = alembic_config(conn)
    cfg.set_main_option("script_location", str(migrations))
    command.upgrade(cfg, "head")
