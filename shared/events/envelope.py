"""The event envelope: the same shape in the SQLite file, on the wire and on the server.

A plain frozen dataclass, cheap to build for the terminal's own events (and for the
millions a bulk load makes); whatever comes from outside (a peer, a file, the wire)
goes through :func:`parse_envelope`, which validates every field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from shared.errors import EventInvalid
from shared.ids import Hlc


def _canonical_hlc(text: str) -> str:
    if str(Hlc.parse(text)) != text:
        raise ValueError("not a canonical HLC stamp")
    return text


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """One immutable fact; ``id`` (UUIDv7) is the idempotency key everywhere."""

    id: Annotated[str, Field(min_length=36, max_length=36)]
    type: Annotated[str, Field(min_length=1, max_length=64)]
    v: Annotated[int, Field(ge=1)]
    terminal_id: Annotated[str, Field(min_length=1, max_length=36)]
    branch_id: Annotated[str, Field(min_length=1, max_length=36)]
    actor_id: Annotated[str, Field(min_length=1, max_length=36)]
    hlc: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_canonical_hlc)]
    occurred_at: AwareDatetime
    payload: dict[str, Any]
    seq: int | None = None

    def to_row(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that deep-copies the payload, for nothing.
        return {
            "id": self.id,
            "type": self.type,
            "v": self.v,
            "terminal_id": self.terminal_id,
            "branch_id": self.branch_id,
            "actor_id": self.actor_id,
            "hlc": self.hlc,
            "occurred_at": self.occurred_at,
            "payload": self.payload,
            "seq": self.seq,
        }

    @classmethod
    def from_row(cls, row: Any) -> EventEnvelope:
        """Rebuild from a row of the ``events`` table (a SQLAlchemy Row or mapping)."""
        m = row._mapping if hasattr(row, "_mapping") else row
        occurred: datetime = m["occurred_at"]
        return cls(
            id=m["id"],
            type=m["type"],
            v=m["v"],
            terminal_id=m["terminal_id"],
            branch_id=m["branch_id"],
            actor_id=m["actor_id"],
            hlc=m["hlc"],
            occurred_at=occurred,
            payload=m["payload"],
            seq=m["seq"],
        )


ENVELOPE = TypeAdapter(EventEnvelope)


def parse_envelope(data: Any) -> EventEnvelope:
    """Validate an envelope from outside (a dict, or JSON text)."""
    try:
        if isinstance(data, str | bytes):
            return ENVELOPE.validate_json(data)
        return ENVELOPE.validate_python(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise EventInvalid(field=field, reason=first["type"]) from exc


def envelope_json(event: EventEnvelope) -> dict[str, Any]:
    """The envelope as JSON-ready values (for the wire)."""
    data: dict[str, Any] = ENVELOPE.dump_python(event, mode="json")
    return data
