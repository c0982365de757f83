"""apply_events: append to the log and project, idempotently, all or nothing."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from shared.errors import EventInvalid
from shared.events import (
    CATALOG,
    EventEnvelope,
    apply_events,
    apply_own_event,
    event_type,
    load_events,
)
from shared.events.payloads import MEMBER_FIELDS, CheckinRecorded
from shared.ids import new_id
from shared.model import Checkin, Event
from tests.shared.events.conftest import (
    BRANCH_ID,
    DESK_STAFF_ID,
    MANAGER_ID,
    TERMINAL_A,
    TERMINAL_B,
    all_counts,
    apply,
    at_ms,
    balance,
    build_scenario,
    count_rows,
    in_hlc_order,
    make_event,
    member_grams,
    minutes,
    one_row,
    rows,
    snapshot,
    sqlite_engine,
)


def enrolled(member_id: str, name: str = "张三", mobile: str | None = "13800138000", **kw: Any):
    payload = {"member_id": member_id, "member_no": "M0001", "name": name, "mobile": mobile}
    return make_event("member.enrolled", payload, **kw)


def updated(member_id: str, **changes: Any) -> Callable[..., EventEnvelope]:
    def build(**kw: Any) -> EventEnvelope:
        return make_event("member.updated", {"member_id": member_id, "changes": changes}, **kw)

    return build


def visits_order(member_id: str, membership_id: str, **kw: Any) -> EventEnvelope:
    return make_event(
        "order.placed",
        {
            "order_id": new_id(),
            "member_id": member_id,
            "total_fen": 50000,
            "lines": [
                {
                    "line_id": new_id(),
                    "kind": "plan",
                    "ref_id": new_id(),
                    "quantity": 1,
                    "unit_price_fen": 50000,
                    "amount_fen": 50000,
                }
            ],
            "payments": [{"payment_id": new_id(), "method": "cash", "amount_fen": 50000}],
            "memberships": [
                {
                    "membership_id": membership_id,
                    "plan_id": new_id(),
                    "kind": "visits",
                    "start_date": "2026-01-01",
                    "visits_total": 10,
                }
            ],
            "ledger": [
                {
                    "entry_id": new_id(),
                    "account": "visits",
                    "amount": 10,
                    "reason": "purchase",
                    "membership_id": membership_id,
                }
            ],
        },
        **kw,
    )


# Appending and projecting.


def test_applying_events_appends_them_to_the_log_and_projects_them(engine: Engine) -> None:
    member_id = new_id()
    events = [enrolled(member_id), visits_order(member_id, new_id(), wall_ms=minutes(1))]

    applied = apply(engine, events)

    assert applied == events
    assert count_rows(engine, "events") == 2
    assert count_rows(engine, "members") == 1
    assert count_rows(engine, "orders") == 1
    with engine.connect() as conn:
        assert load_events(conn) == events


def test_applying_nothing_writes_nothing_and_returns_nothing(engine: Engine) -> None:
    assert apply(engine, []) == []
    assert set(all_counts(engine).values()) == {0}


def test_an_event_applied_inside_a_rolled_back_transaction_leaves_no_trace(
    engine: Engine,
) -> None:
    with engine.connect() as conn:
        with conn.begin() as tx:
            apply_events(conn, [enrolled(new_id())])
            tx.rollback()

    assert set(all_counts(engine).values()) == {0}


def test_applying_an_event_twice_in_one_batch_changes_nothing_and_returns_it_once(
    engine: Engine,
) -> None:
    member_id = new_id()
    event = enrolled(member_id)
    order = visits_order(member_id, new_id(), wall_ms=minutes(1))

    applied = apply(engine, [event, order, event, order])

    assert applied == [event, order]
    assert count_rows(engine, "events") == 2
    assert count_rows(engine, "members") == 1
    assert count_rows(engine, "ledger_entries") == 1
    assert balance(engine, member_id, "visits") == 10


def test_applying_an_event_again_in_a_later_batch_changes_nothing_and_returns_nothing(
    engine: Engine,
) -> None:
    member_id = new_id()
    events = [
        enrolled(member_id),
        visits_order(member_id, new_id(), wall_ms=minutes(1)),
        updated(member_id, name="李四")(wall_ms=minutes(2)),
    ]
    apply(engine, events)
    before, counts = snapshot(engine), all_counts(engine)

    assert apply(engine, events) == []
    assert apply(engine, list(reversed(events))) == []

    assert snapshot(engine) == before
    assert all_counts(engine) == counts


def test_a_batch_of_old_and_new_events_returns_only_the_new_ones(engine: Engine) -> None:
    member_id = new_id()
    old = enrolled(member_id)
    apply(engine, [old])
    new = updated(member_id, tier="gold")(wall_ms=minutes(1))

    assert apply(engine, [old, new, old]) == [new]
    assert count_rows(engine, "events") == 2
    assert one_row(engine, "members", id=member_id)["tier"] == "gold"


def test_a_copy_of_a_stored_event_with_a_server_seq_is_still_a_duplicate(engine: Engine) -> None:
    event = enrolled(new_id())
    apply(engine, [event])
    from_server = EventEnvelope(**{**event.to_row(), "seq": 41})

    assert apply(engine, [from_server]) == []
    assert count_rows(engine, "events") == 1


# All or nothing.


def _unknown_type() -> EventEnvelope:
    return make_event("member.teleported", {"member_id": new_id()}, wall_ms=minutes(5))


def _unknown_version() -> EventEnvelope:
    return make_event(
        "checkin.recorded",
        {"checkin_id": new_id(), "member_id": new_id(), "method": "qr"},
        wall_ms=minutes(5),
        v=99,
    )


def _negative_amount() -> EventEnvelope:
    payload = {
        "order_id": new_id(),
        "total_fen": -1,
        "lines": [
            {
                "line_id": new_id(),
                "kind": "product",
                "quantity": 1,
                "unit_price_fen": 100,
                "amount_fen": 100,
            }
        ],
    }
    return make_event("order.placed", payload, wall_ms=minutes(5))


def _missing_field() -> EventEnvelope:
    return make_event("card.revoked", {"card_id": new_id()}, wall_ms=minutes(5))


def _extra_field() -> EventEnvelope:
    payload = {"checkin_id": new_id(), "member_id": new_id(), "method": "qr", "by": "x"}
    return make_event("checkin.recorded", payload, wall_ms=minutes(5))


def _unknown_member_field() -> EventEnvelope:
    payload = {"member_id": new_id(), "changes": {"shoe_size": 42}}
    return make_event("member.updated", payload, wall_ms=minutes(5))


def _unknown_zone() -> EventEnvelope:
    payload = {"branch_id": BRANCH_ID, "name": "店", "timezone": "Mars/Olympus_Mons"}
    return make_event("branch.configured", payload, wall_ms=minutes(5))


def _zone_region_without_city() -> EventEnvelope:
    payload = {"branch_id": BRANCH_ID, "name": "店", "timezone": "Asia"}
    return make_event("branch.configured", payload, wall_ms=minutes(5))


@pytest.mark.parametrize(
    "bad_event",
    [
        _unknown_type,
        _unknown_version,
        _negative_amount,
        _missing_field,
        _extra_field,
        _unknown_member_field,
        _unknown_zone,
    ],
)
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_a_batch_with_one_invalid_event_raises_event_invalid_and_writes_nothing(
    engine: Engine, bad_event: Callable[[], EventEnvelope], position: str
) -> None:
    kept = enrolled(new_id(), wall_ms=minutes(0))
    apply(engine, [kept])
    before, counts = snapshot(engine), all_counts(engine)
    member_id = new_id()
    good = [
        enrolled(member_id, wall_ms=minutes(1)),
        visits_order(member_id, new_id(), wall_ms=minutes(2)),
        updated(kept.payload["member_id"], name="王五")(wall_ms=minutes(3)),
    ]
    index = {"first": 0, "middle": 2, "last": len(good)}[position]
    batch = [*good[:index], bad_event(), *good[index:]]

    with pytest.raises(EventInvalid):
        apply(engine, batch)

    assert all_counts(engine) == counts
    assert snapshot(engine) == before


def test_a_branch_time_zone_naming_a_region_without_a_city_is_refused_as_invalid(
    engine: Engine,
) -> None:
    # "Asia" is a directory of the zone database: ZoneInfo raises IsADirectoryError.
    with pytest.raises(EventInvalid):
        apply(engine, [_zone_region_without_city()])

    assert set(all_counts(engine).values()) == {0}


def test_an_unknown_event_type_names_the_type_field(engine: Engine) -> None:
    with pytest.raises(EventInvalid) as caught:
        apply(engine, [_unknown_type()])

    assert caught.value.params == {
        "type": "member.teleported",
        "v": 1,
        "field": "type",
        "reason": "unknown",
    }


def test_an_unknown_version_of_a_known_type_is_refused(engine: Engine) -> None:
    with pytest.raises(EventInvalid) as caught:
        apply(engine, [_unknown_version()])

    assert caught.value.params["v"] == 99
    assert caught.value.params["reason"] == "unknown"


def test_a_bad_payload_names_the_type_and_the_field(engine: Engine) -> None:
    with pytest.raises(EventInvalid) as caught:
        apply(engine, [_negative_amount()])

    assert caught.value.params == {
        "type": "order.placed",
        "field": "total_fen",
        "reason": "greater_than_equal",
    }


def test_an_invalid_event_is_refused_even_when_its_id_is_already_stored(engine: Engine) -> None:
    event = enrolled(new_id())
    apply(engine, [event])
    tampered = EventEnvelope(**{**event.to_row(), "payload": {"member_id": "x"}})

    with pytest.raises(EventInvalid):
        apply(engine, [tampered])


def test_an_order_selling_a_membership_without_a_member_is_refused_as_invalid(
    engine: Engine,
) -> None:
    # memberships.member_id is NOT NULL: such an order must be refused as invalid (a peer
    # can be told why), not crash the projector with a database error.
    order = visits_order(new_id(), new_id())
    anonymous = EventEnvelope(**{**order.to_row(), "payload": {**order.payload, "member_id": None}})

    with pytest.raises(EventInvalid):
        apply(engine, [anonymous])

    assert set(all_counts(engine).values()) == {0}


def test_an_event_whose_seq_is_taken_is_never_projected_without_being_logged(
    engine: Engine,
) -> None:
    # events.seq is unique. Whether such a batch is refused or not, every projected fact
    # must have its event in the log, or rebuilding the projections from the log loses it.
    first = make_event(
        "checkin.recorded",
        {"checkin_id": new_id(), "member_id": new_id(), "method": "qr"},
        seq=5,
    )
    clash = make_event(
        "checkin.recorded",
        {"checkin_id": new_id(), "member_id": new_id(), "method": "qr"},
        wall_ms=minutes(1),
        seq=5,
    )
    apply(engine, [first])

    with contextlib.suppress(Exception):
        apply(engine, [clash])

    assert count_rows(engine, "checkins") == count_rows(engine, "events")


# Reading the log back.


def test_load_events_returns_the_log_ordered_by_hlc(engine: Engine) -> None:
    member_id = new_id()
    events = [
        enrolled(member_id, wall_ms=minutes(0)),
        updated(member_id, tier="gold")(wall_ms=minutes(1), terminal=TERMINAL_A),
        updated(member_id, tier="silver")(wall_ms=minutes(1), terminal=TERMINAL_B),
        updated(member_id, tier="vip")(wall_ms=minutes(1), counter=1, terminal=TERMINAL_A),
        visits_order(member_id, new_id(), wall_ms=minutes(3)),
    ]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    apply(engine, shuffled[:2])
    apply(engine, shuffled[2:])

    with engine.connect() as conn:
        loaded = load_events(conn)

    assert loaded == sorted(events, key=lambda e: e.hlc)
    assert [e.hlc for e in loaded] == sorted(e.hlc for e in events)


def test_load_events_can_filter_the_log(engine: Engine) -> None:
    member_id = new_id()
    first = enrolled(member_id)
    apply(engine, [first, updated(member_id, tier="gold")(wall_ms=minutes(1))])

    with engine.connect() as conn:
        loaded = load_events(conn, where=Event.type == "member.enrolled")

    assert loaded == [first]


def test_a_loaded_event_keeps_its_occurrence_time_as_aware_utc(engine: Engine) -> None:
    event = enrolled(new_id(), wall_ms=minutes(0))
    apply(engine, [event])

    with engine.connect() as conn:
        (loaded,) = load_events(conn)

    assert loaded.occurred_at == event.occurred_at
    offset = loaded.occurred_at.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 0


# What each event type projects.


def test_member_enrolled_writes_the_member_with_its_search_keys_and_name_grams(
    engine: Engine,
) -> None:
    member_id, referrer = new_id(), new_id()
    event = make_event(
        "member.enrolled",
        {
            "member_id": member_id,
            "member_no": "M0042",
            "name": "张三",
            "mobile": "13800138000",
            "gender": "male",
            "birthday": "1990-01-02",
            "tags": ["早鸟", "vip"],
            "tier": "gold",
            "home_branch_id": BRANCH_ID,
            "referrer_id": referrer,
            "marketing_consent": True,
            "photo_ref": "photo-1",
        },
        wall_ms=minutes(3),
    )
    apply(engine, [event])

    member = one_row(engine, "members", id=member_id)
    assert member == {
        "id": member_id,
        "member_no": "M0042",
        "name": "张三",
        "mobile": "13800138000",
        "gender": "male",
        "birthday": date(1990, 1, 2),
        "tags": ["早鸟", "vip"],
        "tier": "gold",
        "home_branch_id": BRANCH_ID,
        "referrer_id": referrer,
        "marketing_consent": True,
        "photo_ref": "photo-1",
        "enrolled_at": event.occurred_at,
        "name_pinyin": "zhangsan",
        "name_initials": "zs",
        "mobile_tail": "8000",
        "field_clocks": dict.fromkeys([*MEMBER_FIELDS, "member_no", "enrolled_at"], event.hlc),
    }
    assert member_grams(engine, member_id) == {"张", "三", "张三"}


def test_member_enrolled_without_mobile_has_no_mobile_tail(engine: Engine) -> None:
    member_id = new_id()
    apply(engine, [enrolled(member_id, name="欧阳小明", mobile=None)])

    member = one_row(engine, "members", id=member_id)
    assert member["mobile"] is None
    assert member["mobile_tail"] is None
    assert (member["name_pinyin"], member["name_initials"]) == ("ouyangxiaoming", "oyxm")
    assert member_grams(engine, member_id) == {
        "欧", "阳", "小", "明", "欧阳", "阳小", "小明",
    }  # fmt: skip


@pytest.mark.parametrize("same_batch", [True, False])
def test_member_updated_changing_the_name_replaces_its_search_keys_and_grams(
    engine: Engine, same_batch: bool
) -> None:
    member_id, other_id = new_id(), new_id()
    first = [enrolled(member_id, name="张三"), enrolled(other_id, name="张三", wall_ms=minutes(0))]
    rename = updated(member_id, name="李四")(wall_ms=minutes(1))
    if same_batch:
        apply(engine, [*first, rename])
    else:
        apply(engine, first)
        apply(engine, [rename])

    member = one_row(engine, "members", id=member_id)
    assert member["name"] == "李四"
    assert (member["name_pinyin"], member["name_initials"]) == ("lisi", "ls")
    assert member["mobile"] == "13800138000"
    assert member["mobile_tail"] == "8000"
    assert member["field_clocks"]["name"] == rename.hlc
    assert member["field_clocks"]["mobile"] == first[0].hlc
    assert member_grams(engine, member_id) == {"李", "四", "李四"}
    assert member_grams(engine, other_id) == {"张", "三", "张三"}


def test_member_updated_with_an_older_stamp_than_the_stored_field_changes_nothing(
    engine: Engine,
) -> None:
    member_id = new_id()
    apply(engine, [enrolled(member_id, name="张三", wall_ms=minutes(10))])
    before = snapshot(engine)

    apply(engine, [updated(member_id, name="李四", mobile="13700001111")(wall_ms=minutes(5))])

    assert snapshot(engine) == before


def test_member_updated_before_the_enrolment_arrives_keeps_the_newer_fields(
    engine: Engine,
) -> None:
    member_id = new_id()
    enrol = enrolled(member_id, name="张三", wall_ms=minutes(0))
    rename = updated(member_id, name="李四", tier="gold")(wall_ms=minutes(1))

    apply(engine, [rename])
    early = one_row(engine, "members", id=member_id)
    assert (early["name"], early["tier"], early["name_pinyin"]) == ("李四", "gold", "lisi")
    apply(engine, [enrol])

    member = one_row(engine, "members", id=member_id)
    assert member["name"] == "李四"
    assert member["tier"] == "gold"
    assert member["member_no"] == "M0001"
    assert member["mobile"] == "13800138000"
    assert member["mobile_tail"] == "8000"
    assert member["enrolled_at"] == enrol.occurred_at
    assert member_grams(engine, member_id) == {"李", "四", "李四"}


def test_member_updated_mobile_rewrites_the_mobile_tail(engine: Engine) -> None:
    member_id = new_id()
    apply(engine, [enrolled(member_id)])

    apply(engine, [updated(member_id, mobile="13911112222")(wall_ms=minutes(1))])
    assert one_row(engine, "members", id=member_id)["mobile_tail"] == "2222"

    apply(engine, [updated(member_id, mobile=None)(wall_ms=minutes(2))])
    member = one_row(engine, "members", id=member_id)
    assert (member["mobile"], member["mobile_tail"]) == (None, None)


def test_member_updated_stores_birthday_gender_and_tags(engine: Engine) -> None:
    member_id = new_id()
    apply(engine, [enrolled(member_id)])

    apply(
        engine,
        [
            updated(member_id, birthday="1992-05-01", gender="female", tags=["新人"])(
                wall_ms=minutes(1)
            )
        ],
    )
    member = one_row(engine, "members", id=member_id)
    assert (member["birthday"], member["gender"], member["tags"]) == (
        date(1992, 5, 1),
        "female",
        ["新人"],
    )

    apply(engine, [updated(member_id, birthday=None)(wall_ms=minutes(2))])
    assert one_row(engine, "members", id=member_id)["birthday"] is None


def test_member_updated_ties_on_wall_time_and_counter_are_broken_by_terminal(
    engine: Engine,
) -> None:
    member_id = new_id()
    from_a = updated(member_id, name="张三丰")(wall_ms=minutes(1), terminal=TERMINAL_A)
    from_b = updated(member_id, name="张珊")(wall_ms=minutes(1), terminal=TERMINAL_B)
    assert TERMINAL_A < TERMINAL_B

    apply(engine, [enrolled(member_id), from_b])
    apply(engine, [from_a])

    assert one_row(engine, "members", id=member_id)["name"] == "张珊"
    assert member_grams(engine, member_id) == {"张", "珊", "张珊"}


def _card_issued(card_id: str, member_id: str, **kw: Any) -> EventEnvelope:
    payload = {
        "card_id": card_id,
        "member_id": member_id,
        "kind": "qr",
        "number": "M0001",
        "version": 3,
    }
    return make_event("card.issued", payload, **kw)


def _card_revoked(card_id: str, member_id: str, **kw: Any) -> EventEnvelope:
    return make_event("card.revoked", {"card_id": card_id, "member_id": member_id}, **kw)


@pytest.mark.parametrize("order", ["issued first", "revoked first", "same batch reversed"])
def test_card_issued_and_card_revoked_in_either_order_give_a_revoked_card(
    engine: Engine, order: str
) -> None:
    card_id, member_id = new_id(), new_id()
    issued = _card_issued(card_id, member_id, wall_ms=minutes(1))
    revoked = _card_revoked(card_id, member_id, wall_ms=minutes(9))
    if order == "issued first":
        apply(engine, [issued])
        apply(engine, [revoked])
    elif order == "revoked first":
        apply(engine, [revoked])
        apply(engine, [issued])
    else:
        apply(engine, [revoked, issued])

    assert rows(engine, "member_cards") == [
        {
            "id": card_id,
            "member_id": member_id,
            "kind": "qr",
            "number": "M0001",
            "version": 3,
            "issued_at": issued.occurred_at,
            "revoked_at": revoked.occurred_at,
        }
    ]


def test_card_issued_alone_is_not_revoked(engine: Engine) -> None:
    card_id = new_id()
    apply(engine, [_card_issued(card_id, new_id())])

    assert one_row(engine, "member_cards", id=card_id)["revoked_at"] is None


@pytest.mark.parametrize("later_first", [True, False])
def test_a_card_revoked_twice_keeps_the_earliest_revocation(
    engine: Engine, later_first: bool
) -> None:
    card_id, member_id = new_id(), new_id()
    early = _card_revoked(card_id, member_id, wall_ms=minutes(5), terminal=TERMINAL_B)
    late = _card_revoked(card_id, member_id, wall_ms=minutes(8), terminal=TERMINAL_A)
    issued = _card_issued(card_id, member_id)
    for event in [late, issued, early] if later_first else [early, issued, late]:
        apply(engine, [event])

    assert one_row(engine, "member_cards", id=card_id)["revoked_at"] == early.occurred_at


def _frozen(freeze_id: str, membership_id: str, member_id: str, **kw: Any) -> EventEnvelope:
    payload = {
        "freeze_id": freeze_id,
        "membership_id": membership_id,
        "member_id": member_id,
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
    }
    return make_event("membership.frozen", payload, actor_id=MANAGER_ID, **kw)


def _unfrozen(
    freeze_id: str, membership_id: str, member_id: str, on: str, **kw: Any
) -> EventEnvelope:
    payload = {
        "freeze_id": freeze_id,
        "membership_id": membership_id,
        "member_id": member_id,
        "unfrozen_on": on,
    }
    return make_event("membership.unfrozen", payload, actor_id=MANAGER_ID, **kw)


@pytest.mark.parametrize("order", ["frozen first", "unfrozen first", "same batch reversed"])
def test_membership_frozen_and_unfrozen_in_either_order_give_an_ended_freeze(
    engine: Engine, order: str
) -> None:
    freeze_id, membership_id, member_id = new_id(), new_id(), new_id()
    frozen = _frozen(freeze_id, membership_id, member_id, wall_ms=minutes(1))
    unfrozen = _unfrozen(freeze_id, membership_id, member_id, "2026-02-10", wall_ms=minutes(2))
    if order == "frozen first":
        apply(engine, [frozen])
        apply(engine, [unfrozen])
    elif order == "unfrozen first":
        apply(engine, [unfrozen])
        apply(engine, [frozen])
    else:
        apply(engine, [unfrozen, frozen])

    assert rows(engine, "membership_freezes") == [
        {
            "id": freeze_id,
            "membership_id": membership_id,
            "start_date": date(2026, 2, 1),
            "end_date": date(2026, 2, 28),
            "unfrozen_on": date(2026, 2, 10),
        }
    ]


def test_membership_frozen_alone_has_no_early_end(engine: Engine) -> None:
    freeze_id = new_id()
    apply(engine, [_frozen(freeze_id, new_id(), new_id())])

    assert one_row(engine, "membership_freezes", id=freeze_id)["unfrozen_on"] is None


@pytest.mark.parametrize("later_date_first", [True, False])
def test_a_freeze_ended_early_twice_keeps_the_earliest_date(
    engine: Engine, later_date_first: bool
) -> None:
    freeze_id, membership_id, member_id = new_id(), new_id(), new_id()
    frozen = _frozen(freeze_id, membership_id, member_id)
    # The earlier date was written by the later stamp: the date decides, not the stamp.
    on_15th = _unfrozen(freeze_id, membership_id, member_id, "2026-02-15", wall_ms=minutes(1))
    on_10th = _unfrozen(freeze_id, membership_id, member_id, "2026-02-10", wall_ms=minutes(2))
    sequence = [on_15th, frozen, on_10th] if later_date_first else [on_10th, frozen, on_15th]
    for event in sequence:
        apply(engine, [event])

    assert one_row(engine, "membership_freezes", id=freeze_id)["unfrozen_on"] == date(2026, 2, 10)


def test_order_placed_writes_order_lines_payments_memberships_and_ledger(engine: Engine) -> None:
    member_id, order_id, membership_id, plan_id = new_id(), new_id(), new_id(), new_id()
    line_plan, line_water = new_id(), new_id()
    cash, wechat = new_id(), new_id()
    visits_entry, points_entry = new_id(), new_id()
    expires = datetime(2027, 1, 1, tzinfo=UTC)
    event = make_event(
        "order.placed",
        {
            "order_id": order_id,
            "member_id": member_id,
            "total_fen": 80600,
            "lines": [
                {
                    "line_id": line_plan,
                    "kind": "plan",
                    "ref_id": plan_id,
                    "description": "10次卡",
                    "quantity": 1,
                    "unit_price_fen": 80000,
                    "amount_fen": 80000,
                },
                {
                    "line_id": line_water,
                    "kind": "product",
                    "description": "矿泉水",
                    "quantity": 2,
                    "unit_price_fen": 300,
                    "amount_fen": 600,
                },
            ],
            "payments": [
                {"payment_id": cash, "method": "cash", "amount_fen": 600},
                {"payment_id": wechat, "method": "wechat", "amount_fen": 80000},
            ],
            "memberships": [
                {
                    "membership_id": membership_id,
                    "plan_id": plan_id,
                    "kind": "visits",
                    "start_date": "2026-01-01",
                    "base_end_date": "2026-12-31",
                    "visits_total": 10,
                }
            ],
            "ledger": [
                {
                    "entry_id": visits_entry,
                    "account": "visits",
                    "amount": 10,
                    "reason": "purchase",
                    "membership_id": membership_id,
                },
                {
                    "entry_id": points_entry,
                    "account": "points",
                    "amount": 806,
                    "reason": "purchase",
                    "expires_at": expires.isoformat(),
                },
            ],
        },
        wall_ms=minutes(30),
        terminal=TERMINAL_B,
        actor_id=DESK_STAFF_ID,
    )
    apply(engine, [event])

    assert rows(engine, "orders") == [
        {
            "id": order_id,
            "branch_id": BRANCH_ID,
            "member_id": member_id,
            "staff_id": DESK_STAFF_ID,
            "total_fen": 80600,
            "at": event.occurred_at,
        }
    ]
    assert sorted(rows(engine, "order_lines"), key=lambda r: r["amount_fen"]) == [
        {
            "id": line_water,
            "order_id": order_id,
            "kind": "product",
            "ref_id": None,
            "description": "矿泉水",
            "quantity": 2,
            "unit_price_fen": 300,
            "amount_fen": 600,
        },
        {
            "id": line_plan,
            "order_id": order_id,
            "kind": "plan",
            "ref_id": plan_id,
            "description": "10次卡",
            "quantity": 1,
            "unit_price_fen": 80000,
            "amount_fen": 80000,
        },
    ]
    assert sorted(rows(engine, "payments"), key=lambda r: r["amount_fen"]) == [
        {"id": cash, "order_id": order_id, "method": "cash", "amount_fen": 600},
        {"id": wechat, "order_id": order_id, "method": "wechat", "amount_fen": 80000},
    ]
    assert rows(engine, "memberships") == [
        {
            "id": membership_id,
            "member_id": member_id,
            "plan_id": plan_id,
            "kind": "visits",
            "start_date": date(2026, 1, 1),
            "base_end_date": date(2026, 12, 31),
            "visits_total": 10,
            "order_id": order_id,
            "sold_at": event.occurred_at,
        }
    ]
    assert sorted(rows(engine, "ledger_entries"), key=lambda r: r["account"]) == [
        {
            "id": points_entry,
            "member_id": member_id,
            "account": "points",
            "amount": 806,
            "reason": "purchase",
            "membership_id": None,
            "order_id": order_id,
            "source_event_id": event.id,
            "at": event.occurred_at,
            "expires_at": expires,
        },
        {
            "id": visits_entry,
            "member_id": member_id,
            "account": "visits",
            "amount": 10,
            "reason": "purchase",
            "membership_id": membership_id,
            "order_id": order_id,
            "source_event_id": event.id,
            "at": event.occurred_at,
            "expires_at": None,
        },
    ]


def test_an_anonymous_product_sale_writes_an_order_without_a_member(engine: Engine) -> None:
    order_id = new_id()
    payload = {
        "order_id": order_id,
        "total_fen": 300,
        "lines": [
            {
                "line_id": new_id(),
                "kind": "product",
                "quantity": 1,
                "unit_price_fen": 300,
                "amount_fen": 300,
            }
        ],
        "payments": [{"payment_id": new_id(), "method": "cash", "amount_fen": 300}],
    }
    apply(engine, [make_event("order.placed", payload)])

    assert one_row(engine, "orders", id=order_id)["member_id"] is None
    assert count_rows(engine, "order_lines") == 1
    assert count_rows(engine, "payments") == 1
    assert count_rows(engine, "ledger_entries") == 0


def test_checkin_recorded_with_a_visit_writes_the_checkin_and_takes_one_visit(
    engine: Engine,
) -> None:
    member_id, membership_id = new_id(), new_id()
    checkin_id, visit_entry = new_id(), new_id()
    checkin = make_event(
        "checkin.recorded",
        {
            "checkin_id": checkin_id,
            "member_id": member_id,
            "membership_id": membership_id,
            "method": "qr",
            "visit_entry_id": visit_entry,
        },
        wall_ms=minutes(60),
        terminal=TERMINAL_B,
    )
    apply(engine, [visits_order(member_id, membership_id), checkin])

    assert rows(engine, "checkins") == [
        {
            "id": checkin_id,
            "member_id": member_id,
            "membership_id": membership_id,
            "branch_id": BRANCH_ID,
            "terminal_id": TERMINAL_B,
            "staff_id": DESK_STAFF_ID,
            "method": "qr",
            "at": checkin.occurred_at,
            "visit_entry_id": visit_entry,
        }
    ]
    assert one_row(engine, "ledger_entries", id=visit_entry) == {
        "id": visit_entry,
        "member_id": member_id,
        "account": "visits",
        "amount": -1,
        "reason": "checkin",
        "membership_id": membership_id,
        "order_id": None,
        "source_event_id": checkin.id,
        "at": checkin.occurred_at,
        "expires_at": None,
    }
    assert balance(engine, member_id, "visits", membership_id) == 9


def test_checkin_recorded_without_a_visit_takes_nothing_from_the_ledger(engine: Engine) -> None:
    payload = {"checkin_id": new_id(), "member_id": new_id(), "method": "mobile"}
    apply(engine, [make_event("checkin.recorded", payload)])

    assert count_rows(engine, "checkins") == 1
    assert count_rows(engine, "ledger_entries") == 0


def _visit_checkin(member_id: str, membership_id: str, checkin_id: str, **kw: Any) -> EventEnvelope:
    payload = {
        "checkin_id": checkin_id,
        "member_id": member_id,
        "membership_id": membership_id,
        "method": "qr",
        "visit_entry_id": new_id(),
    }
    return make_event("checkin.recorded", payload, **kw)


def _undone(
    checkin_id: str, member_id: str, membership_id: str | None, reason: str | None, **kw: Any
) -> EventEnvelope:
    payload = {
        "checkin_id": checkin_id,
        "member_id": member_id,
        "membership_id": membership_id,
        "visit_entry_id": new_id() if membership_id else None,
        "reason": reason,
    }
    return make_event("checkin.undone", payload, actor_id=MANAGER_ID, **kw)


@pytest.mark.parametrize("order", ["checkin first", "undo first", "same batch reversed"])
def test_checkin_undone_in_either_order_keeps_the_checkin_and_gives_the_visit_back(
    engine: Engine, order: str
) -> None:
    member_id, membership_id, checkin_id = new_id(), new_id(), new_id()
    checkin = _visit_checkin(member_id, membership_id, checkin_id, wall_ms=minutes(60))
    undo = _undone(checkin_id, member_id, membership_id, "扫错人", wall_ms=minutes(62))
    apply(engine, [visits_order(member_id, membership_id)])
    if order == "checkin first":
        apply(engine, [checkin])
        apply(engine, [undo])
    elif order == "undo first":
        apply(engine, [undo])
        apply(engine, [checkin])
    else:
        apply(engine, [undo, checkin])

    assert one_row(engine, "checkins", id=checkin_id)["at"] == checkin.occurred_at
    assert rows(engine, "checkin_undos") == [
        {
            "checkin_id": checkin_id,
            "event_id": undo.id,
            "member_id": member_id,
            "staff_id": MANAGER_ID,
            "at": undo.occurred_at,
            "reason": "扫错人",
            "hlc": undo.hlc,
        }
    ]
    returned = undo.payload["visit_entry_id"]
    assert one_row(engine, "ledger_entries", id=returned) == {
        "id": returned,
        "member_id": member_id,
        "account": "visits",
        "amount": 1,
        "reason": "checkin_undone",
        "membership_id": membership_id,
        "order_id": None,
        "source_event_id": undo.id,
        "at": undo.occurred_at,
        "expires_at": None,
    }
    assert balance(engine, member_id, "visits", membership_id) == 10


def test_checkin_undone_without_a_visit_takes_nothing_from_the_ledger(engine: Engine) -> None:
    checkin_id, member_id = new_id(), new_id()
    checkin = {"checkin_id": checkin_id, "member_id": member_id, "method": "mobile"}
    apply(engine, [make_event("checkin.recorded", checkin)])
    apply(engine, [_undone(checkin_id, member_id, None, None, wall_ms=minutes(1))])

    assert one_row(engine, "checkin_undos", checkin_id=checkin_id)["reason"] is None
    assert count_rows(engine, "ledger_entries") == 0


@pytest.mark.parametrize("same_batch", [False, True])
@pytest.mark.parametrize("later_first", [True, False])
def test_a_checkin_undone_at_two_terminals_keeps_the_undo_with_the_smaller_hlc(
    engine: Engine, later_first: bool, same_batch: bool
) -> None:
    member_id, membership_id, checkin_id = new_id(), new_id(), new_id()
    checkin = _visit_checkin(member_id, membership_id, checkin_id, wall_ms=minutes(60))
    # Same wall time and counter: terminal A's id sorts first, so its stamp is smaller.
    first = _undone(checkin_id, member_id, membership_id, "A", wall_ms=minutes(61))
    second = _undone(
        checkin_id, member_id, membership_id, "B", wall_ms=minutes(61), terminal=TERMINAL_B
    )
    assert first.hlc < second.hlc
    sequence = [second, checkin, first] if later_first else [first, checkin, second]
    apply_batches_of(engine, sequence, same_batch)

    undo = one_row(engine, "checkin_undos", checkin_id=checkin_id)
    assert (undo["event_id"], undo["reason"], undo["hlc"]) == (first.id, "A", first.hlc)
    # Both undos gave a visit back: a conflict the merge must show, never hide.
    assert balance(engine, member_id, "visits", membership_id) == -1 + 2


def apply_batches_of(engine: Engine, events: list[EventEnvelope], same_batch: bool) -> None:
    if same_batch:
        apply(engine, events)
    else:
        for event in events:
            apply(engine, [event])


def test_ledger_posted_writes_one_entry(engine: Engine) -> None:
    member_id, entry_id = new_id(), new_id()
    expires = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    event = make_event(
        "ledger.posted",
        {
            "member_id": member_id,
            "entry": {
                "entry_id": entry_id,
                "account": "points",
                "amount": -300,
                "reason": "redeem",
                "expires_at": expires.isoformat(),
            },
        },
        actor_id=MANAGER_ID,
    )
    apply(engine, [event])

    assert rows(engine, "ledger_entries") == [
        {
            "id": entry_id,
            "member_id": member_id,
            "account": "points",
            "amount": -300,
            "reason": "redeem",
            "membership_id": None,
            "order_id": None,
            "source_event_id": event.id,
            "at": event.occurred_at,
            "expires_at": expires,
        }
    ]
    assert balance(engine, member_id, "points") == -300


def test_branch_configured_writes_the_branch_and_a_later_stamp_wins(engine: Engine) -> None:
    later = make_event(
        "branch.configured",
        {"branch_id": BRANCH_ID, "name": "南山旗舰店", "timezone": "Asia/Shanghai"},
        wall_ms=minutes(2),
        terminal=TERMINAL_B,
    )
    earlier = make_event(
        "branch.configured",
        {"branch_id": BRANCH_ID, "name": "南山店", "timezone": "Asia/Urumqi"},
        wall_ms=minutes(1),
    )
    apply(engine, [later])
    apply(engine, [earlier])

    assert rows(engine, "branches") == [
        {
            "id": BRANCH_ID,
            "name": "南山旗舰店",
            "timezone": "Asia/Shanghai",
            "field_clocks": {"name": later.hlc, "timezone": later.hlc},
        }
    ]


def test_staff_enrolled_writes_the_staff_member(engine: Engine) -> None:
    event = make_event(
        "staff.enrolled",
        {
            "staff_id": MANAGER_ID,
            "branch_id": BRANCH_ID,
            "name": "王店长",
            "role": "manager",
            "pin_hash": "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
        },
    )
    apply(engine, [event])

    assert rows(engine, "staff") == [
        {
            "id": MANAGER_ID,
            "branch_id": BRANCH_ID,
            "name": "王店长",
            "role": "manager",
            "pin_hash": "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
            "active": True,
            "field_clocks": dict.fromkeys(["branch_id", "name", "role", "pin_hash"], event.hlc),
        }
    ]


def test_plan_defined_writes_the_plan_and_an_older_definition_arriving_later_loses(
    engine: Engine,
) -> None:
    plan_id = new_id()
    base = {
        "plan_id": plan_id,
        "name": "10次卡",
        "kind": "visits",
        "visits": 10,
        "freeze_max_days_per_year": 30,
        "freeze_min_days": 7,
    }
    new = make_event("plan.defined", {**base, "price_fen": 88000}, wall_ms=minutes(9))
    old = make_event("plan.defined", {**base, "price_fen": 80000, "active": False})
    apply(engine, [new])
    apply(engine, [old])

    plan = one_row(engine, "plans", id=plan_id)
    del plan["field_clocks"]
    assert plan == {
        "id": plan_id,
        "name": "10次卡",
        "kind": "visits",
        "price_fen": 88000,
        "duration_days": None,
        "visits": 10,
        "stored_value_fen": None,
        "freeze_max_days_per_year": 30,
        "freeze_min_days": 7,
        "active": True,
    }


def _sample_events() -> dict[str, tuple[EventEnvelope, str]]:
    """One event of each catalog type and a table it must write a row to."""
    member_id, membership_id, card_id, freeze_id = new_id(), new_id(), new_id(), new_id()
    return {
        "branch.configured": (
            make_event(
                "branch.configured",
                {"branch_id": BRANCH_ID, "name": "店", "timezone": "UTC"},
            ),
            "branches",
        ),
        "staff.enrolled": (
            make_event(
                "staff.enrolled",
                {
                    "staff_id": new_id(),
                    "branch_id": BRANCH_ID,
                    "name": "前台",
                    "role": "front_desk",
                    "pin_hash": "h",
                },
            ),
            "staff",
        ),
        "plan.defined": (
            make_event(
                "plan.defined",
                {"plan_id": new_id(), "name": "储值", "kind": "stored_value", "price_fen": 0},
            ),
            "plans",
        ),
        "member.enrolled": (enrolled(member_id), "member_name_grams"),
        "member.updated": (updated(new_id(), name="赵六")(), "members"),
        "card.issued": (_card_issued(card_id, member_id), "member_cards"),
        "card.revoked": (_card_revoked(new_id(), member_id), "member_cards"),
        "order.placed": (visits_order(member_id, membership_id), "memberships"),
        "membership.frozen": (_frozen(freeze_id, membership_id, member_id), "membership_freezes"),
        "membership.unfrozen": (
            _unfrozen(new_id(), membership_id, member_id, "2026-02-02"),
            "membership_freezes",
        ),
        "checkin.recorded": (
            make_event(
                "checkin.recorded",
                {"checkin_id": new_id(), "member_id": member_id, "method": "search"},
            ),
            "checkins",
        ),
        "checkin.undone": (
            make_event(
                "checkin.undone",
                {"checkin_id": new_id(), "member_id": member_id, "reason": "扫错人"},
                actor_id=MANAGER_ID,
            ),
            "checkin_undos",
        ),
        "ledger.posted": (
            make_event(
                "ledger.posted",
                {
                    "member_id": member_id,
                    "entry": {
                        "entry_id": new_id(),
                        "account": "stored_value",
                        "amount": 10000,
                        "reason": "top_up",
                    },
                },
            ),
            "ledger_entries",
        ),
    }


def test_every_catalog_type_has_a_sample_here() -> None:
    assert {name for name, _ in CATALOG} == set(_sample_events())


@pytest.mark.parametrize("type_name", sorted({name for name, _ in CATALOG}))
def test_each_catalog_type_projects_a_row_and_is_idempotent(engine: Engine, type_name: str) -> None:
    event, table = _sample_events()[type_name]

    assert apply(engine, [event]) == [event]
    assert count_rows(engine, table) >= 1
    before = snapshot(engine)
    assert apply(engine, [event]) == []
    assert snapshot(engine) == before


def test_occurred_at_in_another_zone_is_stored_as_the_same_instant(engine: Engine) -> None:
    member_id = new_id()
    event = enrolled(member_id)
    shanghai = datetime.fromisoformat("2026-01-01T08:00:00+08:00")
    local = EventEnvelope(**{**event.to_row(), "occurred_at": shanghai})
    apply(engine, [local])

    assert one_row(engine, "members", id=member_id)["enrolled_at"] == at_ms(minutes(0))


@pytest.mark.parametrize("microsecond", [0, 123_000])
def test_a_projected_time_is_stored_as_the_text_a_query_compares_it_with(
    engine: Engine, microsecond: int
) -> None:
    # Facts go to SQLite by the writer's own executemany; a keyset page asks for
    # "at = :t AND id < :id", so both must turn a time into the same text.
    checkin_id = new_id()
    event = make_event(
        "checkin.recorded",
        {"checkin_id": checkin_id, "member_id": new_id(), "method": "qr"},
        wall_ms=minutes(1) + microsecond // 1000,
    )
    apply(engine, [event])
    checkins = Checkin.__table__
    with engine.connect() as conn:
        same = conn.execute(
            select(checkins.c.id).where(checkins.c.at == event.occurred_at)
        ).scalars()
        earlier = conn.execute(
            select(checkins.c.id).where(checkins.c.at < event.occurred_at)
        ).scalars()
        assert (list(same), list(earlier)) == ([checkin_id], [])


# A terminal's own events, already validated.


def test_apply_own_event_projects_like_apply_events(engine: Engine, tmp_path: Path) -> None:
    events = in_hlc_order(build_scenario().events)
    for event in events:
        payload = event_type(event.type, event.v).parse(event.payload)
        with engine.begin() as conn:
            apply_own_event(conn, event, payload)
    reference = sqlite_engine(tmp_path / "reference.sqlite")
    apply(reference, events)

    assert snapshot(engine) == snapshot(reference)
    with engine.connect() as conn:
        assert load_events(conn) == events
    reference.dispose()


def test_apply_own_event_refuses_a_payload_model_of_another_type(engine: Engine) -> None:
    event = enrolled(new_id())
    wrong = CheckinRecorded(checkin_id=new_id(), member_id=new_id(), method="qr")

    with pytest.raises(TypeError), engine.begin() as conn:
        apply_own_event(conn, event, wrong)

    assert set(all_counts(engine).values()) == {0}


def raw_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows exactly as stored (text, not what the column types read back)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}


def test_facts_written_through_the_driver_are_stored_as_sqlalchemy_stores_them(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a transaction the facts go straight to the driver (a check-in's hot path);
    outside one, through SQLAlchemy. Both store the very same bytes."""
    events = in_hlc_order(build_scenario().events)
    parsed = [(e, event_type(e.type, e.v).parse(e.payload)) for e in events]
    for event, payload in parsed:
        with engine.begin() as conn:  # in a transaction: the driver path
            apply_own_event(conn, event, payload)
    reference = sqlite_engine(tmp_path / "reference.sqlite")
    for event, payload in parsed:
        with reference.begin() as conn:
            # Seen as not begun, every fact goes through SQLAlchemy.
            monkeypatch.setattr(conn, "in_transaction", lambda: False)
            apply_own_event(conn, event, payload)

    assert raw_tables(Path(str(engine.url.database))) == raw_tables(tmp_path / "reference.sqlite")
    reference.dispose()
