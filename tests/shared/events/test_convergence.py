"""Replicas converge: whatever the order, duplication and batching of delivery.

The reference is the scenario applied once, in HLC order, in one batch. Every other
delivery (any permutation, any duplicates, any split into batches, one transaction per
batch) must leave every projection table (all tables but ``events``) with the same rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from shared.events import EventEnvelope, load_events
from shared.events.payloads import MemberUpdated
from shared.ids import new_id
from shared.search_keys import mobile_tail, name_grams, pinyin_keys
from tests.shared.events.conftest import (
    MANAGER_ID,
    TERMINAL_A,
    TERMINAL_B,
    TERMINAL_C,
    FreshDatabases,
    apply,
    apply_batches,
    balance,
    copied_engine,
    count_rows,
    expected_member_fields,
    expected_points,
    expected_visits,
    in_hlc_order,
    make_event,
    member_grams,
    minutes,
    one_row,
    rows,
    snapshot,
    sqlite_engine,
    stored_member_fields,
)
from tests.shared.events.conftest import (
    build_scenario as _build_scenario,
)

SCENARIO = _build_scenario()

PROPERTY = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Batches = list[list[EventEnvelope]]


@st.composite
def deliveries(draw: st.DrawFn, events: Sequence[EventEnvelope]) -> Batches:
    """The events in any order, some delivered more than once, cut into batches."""
    sequence = list(draw(st.permutations(list(events))))
    for again in draw(st.lists(st.sampled_from(list(events)), max_size=8)):
        # An equal copy, not the same object: what a second delivery would bring.
        sequence.insert(draw(st.integers(0, len(sequence))), dataclasses.replace(again))
    cuts = []
    if len(sequence) > 1:
        cuts = sorted(draw(st.sets(st.integers(1, len(sequence) - 1), max_size=8)))
    bounds = [0, *cuts, len(sequence)]
    return [sequence[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


@pytest.fixture(scope="module")
def reference(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    engine = copied_engine(sqlite_template, tmp_path_factory.mktemp("ref") / "ref.sqlite")
    apply(engine, in_hlc_order(SCENARIO.events))
    result = snapshot(engine)
    engine.dispose()
    return result


# The reference itself, checked by hand.


def test_the_scenario_in_hlc_order_gives_the_expected_state(engine: Engine) -> None:
    s = SCENARIO
    apply(engine, in_hlc_order(s.events))

    assert count_rows(engine, "events") == len(s.events)
    zhang = one_row(engine, "members", id=s.zhang)
    # Two terminals renamed 张三 in the same millisecond; terminal B's id sorts last.
    assert (zhang["name"], zhang["mobile"], zhang["mobile_tail"]) == ("张珊", "13700001111", "1111")
    assert (zhang["name_pinyin"], zhang["name_initials"]) == ("zhangshan", "zs")
    assert zhang["tags"] == ["早鸟", "vip"]
    assert member_grams(engine, s.zhang) == {"张", "珊", "张珊"}
    ouyang = one_row(engine, "members", id=s.ouyang)
    assert (ouyang["birthday"], ouyang["gender"], ouyang["tier"]) == (
        date(1992, 5, 1),
        "male",
        "gold",
    )
    anna = one_row(engine, "members", id=s.anna)
    assert (anna["mobile"], anna["mobile_tail"], anna["photo_ref"]) == (None, None, "p-1")
    assert one_row(engine, "plans", id=s.plan_visits)["price_fen"] == 88000
    assert one_row(engine, "branches")["name"] == "南山旗舰店"
    old_card = one_row(engine, "member_cards", id=s.card_zhang_old)
    assert old_card["revoked_at"] is not None
    assert one_row(engine, "member_cards", id=s.card_zhang_new)["revoked_at"] is None
    revokes = [
        e.occurred_at
        for e in s.events
        if e.type == "card.revoked" and e.payload["card_id"] == s.card_ouyang
    ]
    assert one_row(engine, "member_cards", id=s.card_ouyang)["revoked_at"] == min(revokes)
    assert one_row(engine, "membership_freezes", id=s.freeze)["unfrozen_on"] == date(2026, 2, 10)
    # Three visits used, one of them undone at both terminals: each undo gave one back.
    assert balance(engine, s.zhang, "visits", s.visits_membership) == 10 - 3 + 2
    assert balance(engine, s.zhang, "points") == 800 - 300
    assert balance(engine, s.ouyang, "points") == 2986 + 50
    assert count_rows(engine, "checkins") == 5
    assert count_rows(engine, "checkin_undos") == 2
    kept = next(
        e
        for e in s.events
        if e.type == "checkin.undone"
        and e.payload["checkin_id"] == s.undone_visit_checkin
        and e.terminal_id == TERMINAL_A
    )
    undo = one_row(engine, "checkin_undos", checkin_id=s.undone_visit_checkin)
    assert (undo["event_id"], undo["reason"], undo["at"]) == (kept.id, "扫错人", kept.occurred_at)
    undo = one_row(engine, "checkin_undos", checkin_id=s.undone_time_checkin)
    assert (undo["reason"], undo["staff_id"]) == ("刷了两次", MANAGER_ID)


def test_applying_the_scenario_one_event_per_batch_in_hlc_order_matches_the_reference(
    engine: Engine, reference: dict[str, Any]
) -> None:
    apply_batches(engine, [[e] for e in in_hlc_order(SCENARIO.events)])

    assert snapshot(engine) == reference


def test_applying_the_scenario_in_reverse_hlc_order_matches_the_reference(
    engine: Engine, reference: dict[str, Any]
) -> None:
    apply_batches(engine, [[e] for e in reversed(in_hlc_order(SCENARIO.events))])

    assert snapshot(engine) == reference


def test_replaying_the_stored_log_into_an_empty_replica_matches_the_reference(
    engine: Engine, tmp_path: Path, reference: dict[str, Any]
) -> None:
    apply(engine, list(reversed(SCENARIO.events)))
    with engine.connect() as conn:
        log = load_events(conn)

    rebuilt = sqlite_engine(tmp_path / "rebuilt.sqlite")
    apply(rebuilt, log)

    assert snapshot(rebuilt) == reference
    rebuilt.dispose()


# The properties.


@PROPERTY
@given(batches=deliveries(SCENARIO.events))
def test_any_order_duplication_and_batching_converges_to_the_hlc_order_projection(
    fresh_databases: FreshDatabases, reference: dict[str, Any], batches: Batches
) -> None:
    with fresh_databases() as engine:
        apply_batches(engine, batches)

        assert snapshot(engine) == reference
        assert count_rows(engine, "events") == len(SCENARIO.events)


@PROPERTY
@given(batches=deliveries(SCENARIO.events))
def test_member_fields_and_balances_follow_the_events_applied_so_far(
    fresh_databases: FreshDatabases, batches: Batches
) -> None:
    s = SCENARIO
    seen: dict[str, EventEnvelope] = {}
    with fresh_databases() as engine:
        for batch in batches:
            apply(engine, batch)
            seen.update((e.id, e) for e in batch)
            so_far = list(seen.values())

            for member_id, fields in expected_member_fields(so_far).items():
                stored = stored_member_fields(engine, member_id)
                assert {k: stored[k] for k in fields} == fields
            points = expected_points(so_far)
            for member_id in s.member_ids:
                assert balance(engine, member_id, "points") == points.get(member_id, 0)
            assert balance(engine, s.zhang, "visits", s.visits_membership) == expected_visits(
                so_far, s.visits_membership
            )
            for checkin_id in s.undone_checkins:
                undos = [
                    e
                    for e in so_far
                    if e.type == "checkin.undone" and e.payload["checkin_id"] == checkin_id
                ]
                kept = rows_where(engine, "checkin_undos", checkin_id=checkin_id)
                if undos:
                    assert [r["event_id"] for r in kept] == [min(undos, key=lambda e: e.hlc).id]
                else:
                    assert kept == []


# Last writer wins, with generated edits.

NAMES = ["张三", "李四", "欧阳小明", "Anna 李", "王 五"]
MOBILES = [None, "13800138000", "13912345678", "+447911123456"]
CHANGES = {
    "name": st.sampled_from(NAMES),
    "mobile": st.sampled_from(MOBILES),
    "tier": st.sampled_from(["standard", "gold", "vip"]),
    "tags": st.lists(st.sampled_from(["早鸟", "vip", "学生"]), max_size=2),
    "birthday": st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2010, 12, 31))),
    "marketing_consent": st.booleans(),
}


@st.composite
def member_edits(draw: st.DrawFn) -> tuple[str, list[EventEnvelope]]:
    """An enrolment and edits of one member, stamped close together at three terminals."""
    member_id = new_id()
    stamps = draw(
        st.lists(
            st.tuples(
                st.integers(0, 3),  # wall minute: equal walls are common
                st.integers(0, 2),  # counter
                st.sampled_from([TERMINAL_A, TERMINAL_B, TERMINAL_C]),
            ),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    enrol_stamp, *edit_stamps = stamps
    events = [
        make_event(
            "member.enrolled",
            {
                "member_id": member_id,
                "member_no": "M1",
                "name": draw(st.sampled_from(NAMES)),
                "mobile": draw(st.sampled_from(MOBILES)),
            },
            wall_ms=minutes(enrol_stamp[0]),
            counter=enrol_stamp[1],
            terminal=enrol_stamp[2],
        )
    ]
    for minute, counter, terminal in edit_stamps:
        fields = draw(
            st.lists(st.sampled_from(sorted(CHANGES)), min_size=1, max_size=3, unique=True)
        )
        changes = {f: draw(CHANGES[f]) for f in fields}
        payload = MemberUpdated(member_id=member_id, changes=changes).model_dump(mode="json")
        events.append(
            make_event(
                "member.updated",
                payload,
                wall_ms=minutes(minute),
                counter=counter,
                terminal=terminal,
            )
        )
    return member_id, events


@PROPERTY
@given(data=st.data(), edits=member_edits())
def test_each_member_field_holds_the_write_with_the_greatest_hlc(
    fresh_databases: FreshDatabases, data: st.DataObject, edits: tuple[str, list[EventEnvelope]]
) -> None:
    member_id, events = edits
    batches = data.draw(deliveries(events), label="batches")
    with fresh_databases() as engine:
        apply_batches(engine, batches)

        expected = expected_member_fields(events)[member_id]
        stored = stored_member_fields(engine, member_id)
        assert {k: stored[k] for k in expected} == expected
        member = one_row(engine, "members", id=member_id)
        assert (member["name_pinyin"], member["name_initials"]) == pinyin_keys(expected["name"])
        assert member["mobile_tail"] == mobile_tail(expected["mobile"])
        assert member_grams(engine, member_id) == name_grams(expected["name"])
        hlcs = {e.hlc for e in events}
        assert set(member["field_clocks"].values()) <= hlcs
        assert count_rows(engine, "member_name_grams") == len(name_grams(expected["name"]))


@PROPERTY
@given(data=st.data(), edits=member_edits())
def test_member_edits_converge_whatever_the_delivery(
    fresh_databases: FreshDatabases, data: st.DataObject, edits: tuple[str, list[EventEnvelope]]
) -> None:
    _, events = edits
    first = data.draw(deliveries(events), label="first delivery")
    second = data.draw(deliveries(events), label="second delivery")
    with fresh_databases() as one, fresh_databases() as other:
        apply_batches(one, first)
        apply_batches(other, second)

        assert snapshot(one) == snapshot(other)


def rows_where(engine: Engine, table_name: str, **where: Any) -> list[dict[str, Any]]:
    return [r for r in rows(engine, table_name) if all(r[k] == v for k, v in where.items())]


def test_terminal_ids_sort_in_the_order_they_were_made() -> None:
    # The scenario relies on it for its tie: B's stamp beats A's at equal wall and counter.
    assert TERMINAL_A < TERMINAL_B < TERMINAL_C
