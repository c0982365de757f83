"""The envelope: the same shape in the SQLite file, on the wire and on the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from shared.errors import EventInvalid
from shared.events import EventEnvelope, envelope_json, parse_envelope
from shared.ids import new_id
from shared.model import Event
from tests.shared.events.conftest import TERMINAL_B, make_event, minutes

EVENTS = Event.__table__


def sample(**overrides: Any) -> EventEnvelope:
    event = make_event(
        "member.updated",
        {"member_id": new_id(), "changes": {"name": "欧阳小明", "tags": ["vip"]}},
        wall_ms=minutes(90),
        counter=3,
        terminal=TERMINAL_B,
    )
    return EventEnvelope(**{**event.to_row(), **overrides})


def wire(**overrides: Any) -> dict[str, Any]:
    return {**envelope_json(sample()), **overrides}


# From and to the wire.


def test_envelope_json_is_ready_for_json() -> None:
    event = sample()
    data = envelope_json(event)

    assert json.loads(json.dumps(data)) == data
    assert data["occurred_at"] == "2026-01-01T01:30:00Z"
    assert data["payload"] == event.payload
    assert data["seq"] is None


@pytest.mark.parametrize("seq", [None, 1, 2**40])
def test_parse_envelope_gives_back_an_equal_envelope_from_a_dict(seq: int | None) -> None:
    event = sample(seq=seq)

    assert parse_envelope(envelope_json(event)) == event


def test_parse_envelope_gives_back_an_equal_envelope_from_json_text_and_bytes() -> None:
    event = sample()
    text = json.dumps(envelope_json(event), ensure_ascii=False)

    assert parse_envelope(text) == event
    assert parse_envelope(text.encode()) == event


def test_parse_envelope_keeps_an_occurrence_time_in_another_zone_as_the_same_instant() -> None:
    shanghai = timezone(timedelta(hours=8))
    parsed = parse_envelope(wire(occurred_at="2026-01-01T09:30:00+08:00"))

    assert parsed.occurred_at == datetime(2026, 1, 1, 9, 30, tzinfo=shanghai)
    assert parsed.occurred_at == datetime(2026, 1, 1, 1, 30, tzinfo=UTC)


def test_parse_envelope_accepts_an_unknown_type_which_the_catalog_refuses_later() -> None:
    assert parse_envelope(wire(type="member.teleported")).type == "member.teleported"


# Refusals, each naming the field and the reason.


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"occurred_at": "2026-01-01T01:30:00"}, "occurred_at", "timezone_aware"),
        ({"occurred_at": "yesterday"}, "occurred_at", "datetime_from_date_parsing"),
        ({"v": 0}, "v", "greater_than_equal"),
        ({"v": "one"}, "v", "int_parsing"),
        ({"id": "0190c0de-short"}, "id", "string_too_short"),
        ({"id": "x" * 37}, "id", "string_too_long"),
        ({"type": ""}, "type", "string_too_short"),
        ({"terminal_id": ""}, "terminal_id", "string_too_short"),
        ({"branch_id": "b" * 37}, "branch_id", "string_too_long"),
        ({"actor_id": None}, "actor_id", "string_type"),
        ({"hlc": "h" * 65}, "hlc", "string_too_long"),
        ({"payload": ["not", "a", "dict"]}, "payload", "dict_type"),
        ({"seq": "first"}, "seq", "int_parsing"),
    ],
)
def test_parse_envelope_refuses_a_bad_field_naming_it_and_the_reason(
    overrides: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(EventInvalid) as caught:
        parse_envelope(wire(**overrides))

    assert caught.value.params == {"field": field, "reason": reason}
    assert caught.value.code == "event.invalid"


def test_parse_envelope_refuses_a_missing_field() -> None:
    data = wire()
    del data["hlc"]

    with pytest.raises(EventInvalid) as caught:
        parse_envelope(data)

    assert caught.value.params == {"field": "hlc", "reason": "missing"}


def test_parse_envelope_refuses_text_that_is_not_json() -> None:
    with pytest.raises(EventInvalid) as caught:
        parse_envelope('{"id": ')

    assert caught.value.params["reason"] == "json_invalid"


@pytest.mark.parametrize(
    "hlc",
    [
        "not a clock",
        "zzzzzzzzzzzzzzz:000000:node",
        "1767225600000:0:node",  # not zero-padded: would sort wrongly as text
        "001767225600000:000000:",
    ],
)
def test_parse_envelope_refuses_an_hlc_that_is_not_a_canonical_stamp(hlc: str) -> None:
    # Last-writer-wins compares stamps as text; one peer sending "zzz..." would win every
    # field forever. The module promises that parse_envelope "validates every field".
    with pytest.raises(EventInvalid) as caught:
        parse_envelope(wire(hlc=hlc))

    assert caught.value.params["field"] == "hlc"


# Through a real SQLite table.


def test_to_row_and_from_row_round_trip_through_the_events_table(engine: Engine) -> None:
    event = sample(seq=7)

    with engine.begin() as conn:
        conn.execute(insert(EVENTS).values(event.to_row()))
    with engine.connect() as conn:
        row = conn.execute(select(EVENTS).where(EVENTS.c.id == event.id)).one()

    again = EventEnvelope.from_row(row)
    assert again == event
    assert again.occurred_at.utcoffset() == timedelta(0)


def test_an_occurrence_time_in_another_zone_comes_back_as_the_same_instant_in_utc(
    engine: Engine,
) -> None:
    local = datetime(2026, 1, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    event = sample(occurred_at=local)

    with engine.begin() as conn:
        conn.execute(insert(EVENTS).values(event.to_row()))
    with engine.connect() as conn:
        again = EventEnvelope.from_row(conn.execute(select(EVENTS)).one())

    assert again.occurred_at == local
    assert again.occurred_at.tzinfo == UTC


def test_from_row_also_takes_a_plain_mapping() -> None:
    event = sample(seq=3)

    assert EventEnvelope.from_row(event.to_row()) == event


def test_to_row_has_exactly_the_columns_of_the_events_table() -> None:
    assert set(sample().to_row()) == set(EVENTS.c.keys())


def test_an_envelope_is_immutable() -> None:
    event = sample()
    with pytest.raises(AttributeError):
        event.type = "other"  # type: ignore[misc]
