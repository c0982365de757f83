"""The check-in's raw loaders read exactly what the general loaders read.

``load_checkin_member`` and ``load_membership_states`` go straight through the driver on
every scan; they must agree with ``load_member_row`` and ``load_memberships`` on every
kind of plan, freeze, undone check-in and unknown member.
"""

from __future__ import annotations

from datetime import timedelta

from desktop.services.member_state import (
    load_checkin_member,
    load_member_row,
    load_membership_states,
    load_memberships,
)
from shared.events.payloads import MembershipFrozen, MembershipUnfrozen
from shared.ids import new_id
from shared.kinds import Role
from shared.rules.checkin import local_date


def assert_same_reads(terminal, member_id):
    with terminal.engine.connect() as conn:
        row = load_member_row(conn, member_id)
        fast = load_checkin_member(conn, member_id)
        if row is None:
            assert fast is None
        else:
            assert fast is not None
            assert (fast.birthday, fast.last_checkin_at) == (row.birthday, row.last_checkin_at)
        states = tuple(v.state for v in load_memberships(conn, member_id))
        assert load_membership_states(conn, member_id) == states
    return states


def test_the_raw_loaders_agree_with_the_general_ones(terminal, plans, login_as, clock):
    manager = login_as(Role.MANAGER)
    member_id = terminal.members.enroll(name="张三", mobile="13800138000")
    assert_same_reads(terminal, member_id)  # no plan, no check-in yet

    terminal.sales.sell_plan(member_id, plans["10次卡"])
    first = terminal.checkins.check_in_member(member_id)  # uses a visit
    assert first.decision.consumes_visit
    clock.advance(days=1)
    terminal.sales.sell_plan(member_id, plans["月卡"])
    terminal.sales.sell_plan(member_id, plans["储值1000送100"])
    second = terminal.checkins.check_in_member(member_id)
    assert second.checkin_id is not None
    terminal.checkins.undo(second.checkin_id)  # the last check-in is now the first one

    states = assert_same_reads(terminal, member_id)
    monthly = next(s for s in states if s.kind == "time")
    today = local_date(clock.now(), terminal.branch_tz)
    freezes = [
        {"freeze_id": new_id(), "membership_id": monthly.id, "member_id": member_id}
        for _ in range(2)
    ]
    with terminal.recorder.transaction() as tx:
        for n, freeze in enumerate(freezes):
            start = today + timedelta(days=10 * (1 - n))  # the later one recorded first
            tx.record(
                "membership.frozen",
                MembershipFrozen(**freeze, start_date=start, end_date=start + timedelta(days=5)),
                actor_id=manager.staff_id,
            )
        tx.record(
            "membership.unfrozen",
            MembershipUnfrozen(**freezes[1], unfrozen_on=today + timedelta(days=2)),
            actor_id=manager.staff_id,
        )
        # An early unfreeze whose freeze has not arrived yet counts for nothing.
        tx.record(
            "membership.unfrozen",
            MembershipUnfrozen(
                freeze_id=new_id(),
                membership_id=monthly.id,
                member_id=member_id,
                unfrozen_on=today,
            ),
            actor_id=manager.staff_id,
        )

    states = assert_same_reads(terminal, member_id)
    assert len(next(s for s in states if s.id == monthly.id).freezes) == 2
    assert {s.visits_left for s in states if s.kind == "visits"} == {9}


def test_the_raw_loaders_agree_on_an_unknown_member(terminal):
    assert assert_same_reads(terminal, new_id()) == ()
