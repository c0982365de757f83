"""Events from other terminals, delivered to a test's terminal as sync would bring them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.terminal import Terminal
from shared.events import EventEnvelope, apply_events
from shared.ids import Hlc, new_id


def peer_event(
    type_: str,
    payload: dict[str, Any],
    at: datetime,
    *,
    branch_id: str,
    actor_id: str | None = None,
) -> EventEnvelope:
    """An event written at ``at`` by a terminal of its own (a new id every call)."""
    terminal_id = new_id()
    return EventEnvelope(
        id=new_id(),
        type=type_,
        v=1,
        terminal_id=terminal_id,
        branch_id=branch_id,
        actor_id=actor_id or new_id(),
        hlc=str(Hlc(int(at.timestamp() * 1000), 0, terminal_id)),
        occurred_at=at,
        payload=payload,
    )


def receive(terminal: Terminal, *events: EventEnvelope) -> None:
    """Apply the events in one transaction, as a pulled page is."""
    with terminal.engine.begin() as conn:
        apply_events(conn, list(events))
