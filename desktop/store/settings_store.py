"""Read and write the terminal's own key/value settings (``terminal_settings``)."""

from __future__ import annotations

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects.sqlite import insert

from desktop.store.local_model import TerminalSetting

SETTINGS: Table = TerminalSetting.__table__  # type: ignore[assignment]


def read_settings(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(SETTINGS.c.key, SETTINGS.c.value)).all()
    return {row.key: row.value for row in rows}


def write_settings(conn: Connection, values: dict[str, str]) -> None:
    for key, value in values.items():
        stmt = insert(SETTINGS).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
