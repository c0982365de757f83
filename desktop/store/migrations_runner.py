"""Alembic, driven from code: the terminal migrates its own file on start.

Opening a file that is already at ``HEAD_REVISION`` (every start but the first after an
upgrade) reads one row and never imports Alembic, which with Mako and Pygments costs a
quarter of a second of a desk's start. A test keeps ``HEAD_REVISION`` equal to the head
of the migration scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD_REVISION = "0002"


def alembic_config(conn: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest migration script's revision (reads the scripts; see HEAD_REVISION)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    """Whether this version of MemberDesk has the migration named ``revision``."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The file's schema revision; None for a new file."""
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except OperationalError:  # no such table: nothing was ever migrated here
        conn.rollback()
        return None
    return None if row is None else str(row[0])


def upgrade(conn: Connection, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), revision)
