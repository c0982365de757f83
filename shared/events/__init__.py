"""The event log: catalog of event types, the envelope, and how events are applied."""

from shared.events.apply import apply_events, apply_own_event, apply_own_events, load_events
from shared.events.catalog import CATALOG, LATEST_VERSION, EventType, event_type
from shared.events.envelope import EventEnvelope, envelope_json, parse_envelope

__all__ = [
    "CATALOG",
    "LATEST_VERSION",
    "EventEnvelope",
    "EventType",
    "apply_events",
    "apply_own_event",
    "apply_own_events",
    "envelope_json",
    "event_type",
    "load_events",
    "parse_envelope",
]
