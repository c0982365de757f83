"""Fixtures for the store: a schema one revision newer than this build's.

The store's migration path (back up, then upgrade) is tested against a copy of the real
migration scripts plus one real extra revision, handed to ``open_database`` the way a
newer MemberDesk would bring its own scripts: so the test holds whatever migrations
this build ships.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine

from desktop.store.migrations_runner import HEAD_REVISION, MIGRATIONS_DIR, alembic_config

NEWER_REVISION = "0002_backup_probe"
PROBE_TABLE = "backup_probe"

_NEWER_SCRIPT = f'''"""a table only the newer schema has

Revision ID: {NEWER_REVISION}
Revises: {HEAD_REVISION}
"""

import sqlalchemy as sa
from alembic import op

revision = "{NEWER_REVISION}"
down_revision = "{HEAD_REVISION}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("{PROBE_TABLE}", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("{PROBE_TABLE}")
'''


@pytest.fixture(scope="session")
def newer_migrations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real migration scripts plus ``NEWER_REVISION`` on top of this build's head."""
    scripts = tmp_path_factory.mktemp("newer") / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{NEWER_REVISION}.py").write_text(_NEWER_SCRIPT, encoding="utf-8")
    return scripts


def migrate_with(engine: Engine, scripts: Path, revision: str) -> None:
    """Move the engine's file to ``revision`` (up or down) with the scripts in ``scripts``."""
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        cfg.set_main_option("script_location", str(scripts))
        current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if current == NEWER_REVISION and revision != NEWER_REVISION:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)


def damage(path: Path) -> None:
    """Overwrite the second page onwards (the tables) but keep the header readable."""
    with closing(sqlite3.connect(path)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(path.read_bytes())
    data[page_size : page_size * 3] = b"\xff" * (page_size * 2)
    path.write_bytes(bytes(data))
