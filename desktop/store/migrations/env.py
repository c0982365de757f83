"""Alembic environment: always given a live connection by desktop.store."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from desktop.store import local_model  # noqa: F401  (registers terminal-only tables)
from shared.model import Base, UtcDateTime


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations must not import model code: UtcDateTime is a plain DATETIME on disk."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through desktop.store.migrations_runner")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
