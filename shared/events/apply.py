"""Applying events: append to the log and project, idempotently, in one transaction.

The caller owns the transaction (``with engine.begin() as conn``); on any error nothing
of the batch is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Table, select

from shared.events.catalog import event_type
from shared.events.envelope import EventEnvelope
from shared.events.projection_writer import ID_CHUNK, ProjectionWriter, insert_facts
from shared.model import Event

EVENTS: Table = Event.__table__  # type: ignore[assignment]


def apply_events(conn: Connection, events: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    """Append the events not yet in the log and project them; return those that were new.

    Every event is validated before anything is written, so a bad one rejects the batch.
    Duplicates (within the batch or already stored) are skipped: applying twice changes
    nothing.
    """
    unique: dict[str, EventEnvelope] = {}
    for e in events:
        unique.setdefault(e.id, e)
    parsed: list[tuple[EventEnvelope, BaseModel]] = [
        (e, event_type(e.type, e.v).parse(e.payload)) for e in unique.values()
    ]
    known = stored_ids(conn, list(unique))
    fresh = [(e, payload) for e, payload in parsed if e.id not in known]
    _append_and_project(conn, fresh)
    return [e for e, _ in fresh]


def apply_own_events(conn: Connection, events: Sequence[tuple[EventEnvelope, BaseModel]]) -> None:
    """Apply events this writer has just made, each with the payload model it came from.

    Their ids are brand new and their payloads were built as the catalog's own models,
    so neither the duplicate check nor a second validation is needed (a check-in's hot
    path; a bulk load of millions).
    """
    for event, payload in events:
        expected = event_type(event.type, event.v).payload
        if type(payload) is not expected:
            raise TypeError(f"{event.type} needs a {expected.__name__} payload")
    _append_and_project(conn, list(events))


def apply_own_event(conn: Connection, event: EventEnvelope, payload: BaseModel) -> None:
    apply_own_events(conn, [(event, payload)])


def _append_and_project(conn: Connection, fresh: list[tuple[EventEnvelope, BaseModel]]) -> None:
    if not fresh:
        return
    insert_facts(conn, EVENTS, [e.to_row() for e, _ in fresh])
    writer = ProjectionWriter(conn)
    for e, payload in fresh:
        event_type(e.type, e.v).project(writer, e, payload)
    writer.flush()


def stored_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        found.update(conn.execute(select(EVENTS.c.id).where(EVENTS.c.id.in_(chunk))).scalars())
    return found


def load_events(conn: Connection, *, where: Any = None) -> list[EventEnvelope]:
    """Read events back from the log (oldest HLC first), e.g. to rebuild projections."""
    stmt = select(EVENTS).order_by(EVENTS.c.hlc)
    if where is not None:
        stmt = stmt.where(where)
    return [EventEnvelope.from_row(r) for r in conn.execute(stmt)]
