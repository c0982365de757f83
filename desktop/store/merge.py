"""Copy every row of one MemberDesk database into another of the same schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine

# Tables that belong to a file rather than to the data in it.
FILE_TABLES = frozenset(("alembic_version", "terminal_settings"))


def merge_database(engine: Engine, source: Path) -> None:
    """Insert all rows of ``source`` into ``engine``'s database, in one transaction.

    For files that hold disjoint parts of one data set (the demo's members, written by
    several processes): a row whose primary key is already there is an error, never a
    silently skipped row. SQLite copies the rows itself, table by table, in the
    source's order.
    """
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        conn.execute("ATTACH DATABASE ? AS source", (str(source),))
        try:
            conn.execute("BEGIN")
            try:
                for table in _tables(conn):
                    columns = ", ".join(f'"{c}"' for c in _columns(conn, table))
                    conn.execute(
                        f'INSERT INTO main."{table}" ({columns}) '
                        f'SELECT {columns} FROM source."{table}"'
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute("DETACH DATABASE source")
    finally:
        raw.close()


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM source.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows if name not in FILE_TABLES]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA main.table_info("{table}")')]
