"""Records a user action: one transaction that appends its event(s) and projects them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from desktop.config import TerminalIdentity
from shared.events import LATEST_VERSION, EventEnvelope, apply_own_event
from shared.events.payloads import payload_checked
from shared.ids import HybridLogicalClock, new_id


@dataclass
class Recorder:
    engine: Engine
    identity: TerminalIdentity
    clock: HybridLogicalClock
    now: Callable[[], datetime]

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All events recorded inside are kept together, or none is."""
        with payload_checked(), self.engine.begin() as conn:
            yield Transaction(conn, self)

    def make_event(self, type_: str, payload: BaseModel, *, actor_id: str) -> EventEnvelope:
        return EventEnvelope(
            id=new_id(),
            type=type_,
            v=LATEST_VERSION[type_],
            terminal_id=self.identity.terminal_id,
            branch_id=self.identity.branch_id,
            actor_id=actor_id,
            hlc=str(self.clock.now()),
            occurred_at=self.now(),
            payload=payload.model_dump(mode="json"),
        )


@dataclass
class Transaction:
    conn: Connection
    recorder: Recorder

    def record(self, type_: str, payload: BaseModel, *, actor_id: str) -> EventEnvelope:
        event = self.recorder.make_event(type_, payload, actor_id=actor_id)
        apply_own_event(self.conn, event, payload)
        return event
