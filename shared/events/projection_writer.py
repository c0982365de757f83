"""Writes projection rows for the events being applied, in batches.

Three kinds of write, each buffered per table and written with ``executemany``:

* facts (check-ins, ledger entries, orders ...): set unions keyed by id, inserted while
  ignoring rows already present;
* upserts (a card's issue and revocation, a freeze and its early end): each event sets
  only its own columns, merged with commutative expressions;
* merges: last-writer-wins registers per field, ordered by HLC text.

A projector that reads a table first calls :meth:`flushed` with it, so it always sees the
earlier events of its batch, while writes bound for other tables keep piling up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from shared.model import UtcDateTime

# A merge value for an upsert: given (excluded, table, dialect name), a SQL expression.
MergeExpr = Callable[[Any, Table, str], Any]
# Columns derived from the fields a merge won: (writer, key, won, is_new) -> columns.
Derive = Callable[["ProjectionWriter", str, dict[str, Any], bool], dict[str, Any]]

# SQLite allows 32,766 bound parameters; keep IN lists well under that.
ID_CHUNK = 900


class ProjectionWriter:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._facts: dict[Table, list[dict[str, Any]]] = {}
        self._upserts: dict[Table, dict[Any, list[dict[str, Any]]]] = {}
        self._merges: dict[Table, _PendingMerges] = {}
        self._statements: dict[tuple[Any, ...], Any] = {}

    def add_fact(self, table: Table, row: Mapping[str, Any]) -> None:
        self._facts.setdefault(table, []).append(dict(row))

    def upsert(self, table: Table, row: Mapping[str, Any], update: Mapping[str, Any]) -> None:
        """Insert ``row``, or on a primary-key clash set the ``update`` columns.

        A value of None takes the incoming row's value; a :data:`MergeExpr` builds a SQL
        expression, for merges such as "keep the earliest date".
        """
        stmt = self._statement(
            ("upsert", table, tuple(row), tuple(update)), lambda: self._upsert_stmt(table, update)
        )
        self._upserts.setdefault(table, {}).setdefault(stmt, []).append(dict(row))

    def merge(
        self,
        table: Table,
        key: str,
        hlc: str,
        fields: Mapping[str, Any],
        derive: Derive | None = None,
    ) -> None:
        """Last-writer-wins per field of row ``key``, by ``hlc`` (kept in field_clocks)."""
        pending = self._merges.setdefault(table, _PendingMerges(derive))
        pending.items.append((key, hlc, dict(fields)))

    def flushed(self, *tables: Table) -> Connection:
        """The connection, after everything buffered for ``tables`` has been written."""
        for table in tables:
            merges = self._merges.pop(table, None)
            if merges is not None:
                self._write_merges(table, merges)
            for stmt, rows in self._upserts.pop(table, {}).items():
                self._conn.execute(stmt, rows)
            facts = self._facts.pop(table, None)
            if facts:
                insert_facts(self._conn, table, facts)
        return self._conn

    def flush(self) -> None:
        # Merges first: deriving their columns may add facts (a member's name grams).
        self.flushed(*list(self._merges))
        self.flushed(*list(self._upserts), *list(self._facts))

    # Internals below.

    def _write_merges(self, table: Table, merges: _PendingMerges) -> None:
        keys = list(dict.fromkeys(key for key, _, _ in merges.items))
        stored: dict[str, dict[str, str]] = {}
        for start in range(0, len(keys), ID_CHUNK):
            chunk = keys[start : start + ID_CHUNK]
            found = self._conn.execute(
                select(table.c.id, table.c.field_clocks).where(table.c.id.in_(chunk))
            )
            stored.update((r.id, dict(r.field_clocks or {})) for r in found)
        clocks = {key: dict(stored.get(key, {})) for key in keys}
        won: dict[str, dict[str, Any]] = {key: {} for key in keys}
        for key, hlc, fields in merges.items:
            for name, value in fields.items():
                if clocks[key].get(name, "") < hlc:
                    clocks[key][name] = hlc
                    won[key][name] = value
        inserts: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key in keys:
            if not won[key]:
                continue
            is_new = key not in stored
            derived = merges.derive(self, key, won[key], is_new) if merges.derive else {}
            values = {**won[key], **derived, "field_clocks": clocks[key]}
            if is_new:
                inserts.setdefault(tuple(values), []).append({"id": key, **values})
            else:
                updates.setdefault(tuple(values), []).append({"_key": key, **values})
        for rows in inserts.values():
            self._conn.execute(insert(table), rows)
        for rows in updates.values():
            stmt = update(table).where(table.c.id == bindparam("_key"))
            self._conn.execute(stmt, rows)

    def _upsert_stmt(self, table: Table, update: Mapping[str, Any]) -> Any:
        stmt = _insert_for(self._conn, table)
        dialect = self._conn.dialect.name
        values = {
            k: v(stmt.excluded, table, dialect) if v is not None else stmt.excluded[k]
            for k, v in update.items()
        }
        return stmt.on_conflict_do_update(index_elements=_pk(table), set_=values)

    def _statement(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        stmt = self._statements.get(key)
        if stmt is None:
            stmt = self._statements[key] = build()
        return stmt


@dataclass
class _PendingMerges:
    derive: Derive | None
    items: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def insert_facts(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary key is already there.

    On SQLite this goes straight to the driver's ``executemany`` with SQLAlchemy's own
    type processors: bulk loads (a pulled page, the demo data) spend their time in
    SQLite rather than in building parameters row by row.
    """
    if conn.dialect.name != "sqlite":
        conn.execute(insert_ignoring_duplicates(conn, table), rows)
        return
    if len(rows) == 1:  # a check-in's event and its row
        by_shape = {tuple(rows[0]): rows}
    else:
        by_shape = {}
        for row in rows:
            by_shape.setdefault(tuple(row), []).append(row)
    # Inside a transaction (SQLAlchemy's, or one begun on the driver) the driver takes
    # the statement itself (a check-in's hot path: no per-statement work in SQLAlchemy);
    # outside one, SQLAlchemy begins it first.
    raw = conn.connection.driver_connection
    driver = raw if raw is not None and raw.in_transaction else None
    for columns, same in by_shape.items():
        shape = _shape(table, columns, conn.dialect)
        params = shape.params(same)
        if driver is None:
            conn.exec_driver_sql(shape.sql, params)
        elif len(params) == 1:
            driver.execute(shape.sql, params[0])
        else:
            driver.executemany(shape.sql, params)


def insert_ignoring_duplicates(conn: Connection, table: Table) -> Insert:
    stmt: Insert = _insert_for(conn, table).on_conflict_do_nothing(index_elements=_pk(table))
    return stmt


@dataclass(frozen=True, slots=True)
class _Shape:
    """How rows of one table with one set of columns go to the driver; built once."""

    sql: str
    row: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row dict to its parameters

    def params(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return list(map(self.row, rows))


def _shape(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Shape:
    key = (table.name, columns, dialect.name)
    found = _SHAPES.get(key)
    if found is None:
        found = _SHAPES[key] = _Shape(
            sql=_insert_sql(table, columns),
            row=_row_function(columns, _processors(table, columns, dialect)),
        )
    return found


_SHAPES: dict[tuple[str, tuple[str, ...], str], _Shape] = {}


def _row_function(
    columns: tuple[str, ...], processors: dict[int, Callable[[Any], Any]]
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """One function per shape, written out the way ``namedtuple`` writes its methods:
    ``lambda r: (r['id'], p7(r['at']), ...)``. A bulk load calls it millions of times,
    and a generic loop over the columns costs several times as much per row."""
    if not processors:
        get = itemgetter(*columns)
        return (lambda r: (get(r),)) if len(columns) == 1 else get
    items = ", ".join(
        f"p{i}(r[{c!r}])" if i in processors else f"r[{c!r}]" for i, c in enumerate(columns)
    )
    function: Callable[[dict[str, Any]], tuple[Any, ...]] = eval(  # noqa: S307
        f"lambda r: ({items},)", {f"p{i}": p for i, p in processors.items()}
    )
    return function


def _insert_sql(table: Table, columns: tuple[str, ...]) -> str:
    """Only a clash on the primary key means "already here"; any other clash (a taken
    ``seq``) is an error, never a silently skipped row."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    key = ", ".join(f'"{c}"' for c in _pk(table))
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) ON CONFLICT ({key}) DO NOTHING'


def _processors(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> dict[int, Callable[[Any], Any]]:
    """The bind processor of each column that needs one, by position.

    The dialect's own implementation of each type, as a compiled statement uses: a
    datetime must be stored as the same text SQLAlchemy binds when comparing with it
    ("... 08:16:00.000000", not the driver's "... 08:16:00"), or a query such as
    ``at = :t`` would miss it. UTC datetimes on SQLite take a quicker route to that
    same text (a test holds the two equal).
    """
    found: dict[int, Callable[[Any], Any]] = {}
    for i, c in enumerate(columns):
        column_type = table.c[c].type
        if dialect.name == "sqlite" and isinstance(column_type, UtcDateTime):
            found[i] = sqlite_utc_text
        elif (p := column_type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            found[i] = p
    return found


def sqlite_utc_text(value: datetime | None) -> str | None:
    """An aware datetime as the text SQLAlchemy's SQLite dialect stores for UtcDateTime
    ("2026-03-01 07:05:00.000000", in UTC), without its three layers of processors."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _insert_for(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]
