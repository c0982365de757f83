"""Selling plans at the counter: memberships, ledgers and points."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.errors import (
    MemberNotFound,
    NotLoggedIn,
    PermissionDenied,
    PlanNotFound,
    ValidationError,
)
from shared.events.payloads import PlanDefined
from shared.events.projectors import LEDGER, MEMBERSHIPS, ORDER_LINES, ORDERS, PAYMENTS
from shared.ids import new_id
from shared.kinds import Account, PlanKind, Role
from shared.rules.checkin import local_date


@pytest.fixture
def cashier(login_as):
    return login_as(Role.CASHIER)


@pytest.fixture
def member_id(terminal, cashier):
    return terminal.members.enroll(name="张三", mobile="13800138000")


def today(terminal, clock):
    return local_date(clock.now(), terminal.branch_tz)


def ledger(terminal, member_id):
    with terminal.engine.connect() as conn:
        rows = conn.execute(select(LEDGER).where(LEDGER.c.member_id == member_id)).all()
    return {(r.account, r.amount, r.reason) for r in rows}


def test_a_time_plan_bought_on_day_d_runs_to_d_plus_29(terminal, plans, member_id, clock):
    day = today(terminal, clock)

    terminal.sales.sell_plan(member_id, plans["月卡"])

    [membership] = terminal.members.status(member_id).memberships
    assert membership.plan_name == "月卡"
    assert membership.state.kind == PlanKind.TIME
    assert membership.state.start_date == day
    assert membership.state.base_end_date == day + timedelta(days=29)
    assert membership.state.visits_left is None
    assert ledger(terminal, member_id) == {(Account.POINTS, 299, "earn")}


def test_a_visits_plan_posts_its_visits_to_the_ledger(terminal, plans, member_id, clock):
    day = today(terminal, clock)

    terminal.sales.sell_plan(member_id, plans["10次卡"])

    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.kind == PlanKind.VISITS
    assert membership.state.visits_left == 10
    assert membership.state.base_end_date == day + timedelta(days=179)
    assert ledger(terminal, member_id) == {
        (Account.VISITS, 10, "purchase"),
        (Account.POINTS, 500, "earn"),
    }


def test_a_visits_plan_without_an_end_date_never_ends(terminal, plans, member_id):
    terminal.sales.sell_plan(member_id, plans["体验卡"])

    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.base_end_date is None
    assert membership.state.visits_left == 1


def test_a_stored_value_plan_credits_the_stored_value_ledger(terminal, plans, member_id):
    terminal.sales.sell_plan(member_id, plans["储值1000送100"])

    status = terminal.members.status(member_id)
    [membership] = status.memberships
    assert membership.state.kind == PlanKind.STORED_VALUE
    assert membership.state.base_end_date is None
    assert status.balances.stored_value_fen == 110_000
    assert status.balances.points == 1_000
    assert ledger(terminal, member_id) == {
        (Account.STORED_VALUE, 110_000, "purchase"),
        (Account.POINTS, 1_000, "earn"),
    }


def test_points_add_up_over_purchases_at_one_point_a_yuan(terminal, plans, member_id):
    terminal.sales.sell_plan(member_id, plans["月卡"])
    terminal.sales.sell_plan(member_id, plans["10次卡"])
    terminal.sales.sell_plan(member_id, plans["体验卡"])

    assert terminal.members.status(member_id).balances.points == 299 + 500 + 30


def test_earned_points_expire_a_year_after_the_sale(terminal, plans, member_id, clock):
    terminal.sales.sell_plan(member_id, plans["月卡"])

    with terminal.engine.connect() as conn:
        expires_at = conn.execute(
            select(LEDGER.c.expires_at).where(LEDGER.c.account == Account.POINTS)
        ).scalar_one()
    assert expires_at == clock.now() + timedelta(days=365)


def test_an_order_records_its_line_and_payment(terminal, plans, member_id, cashier, clock):
    order_id = terminal.sales.sell_plan(member_id, plans["月卡"], payment_method="wechat")

    with terminal.engine.connect() as conn:
        order = conn.execute(select(ORDERS).where(ORDERS.c.id == order_id)).one()
        [line] = conn.execute(select(ORDER_LINES).where(ORDER_LINES.c.order_id == order_id)).all()
        [payment] = conn.execute(select(PAYMENTS).where(PAYMENTS.c.order_id == order_id)).all()
        [membership] = conn.execute(
            select(MEMBERSHIPS).where(MEMBERSHIPS.c.order_id == order_id)
        ).all()
    assert (order.member_id, order.staff_id, order.total_fen) == (
        member_id,
        cashier.staff_id,
        29_900,
    )
    assert order.at == clock.now()
    assert (line.kind, line.ref_id, line.description, line.amount_fen) == (
        "plan",
        plans["月卡"],
        "月卡",
        29_900,
    )
    assert (payment.method, payment.amount_fen) == ("wechat", 29_900)
    assert membership.member_id == member_id


def test_the_start_date_is_the_branchs_local_day_not_utcs(terminal, plans, member_id, clock):
    # 17:30 UTC on 15 June is already 01:30 on 16 June in Shanghai.
    clock.at = datetime(2026, 6, 15, 17, 30, tzinfo=UTC)

    terminal.sales.sell_plan(member_id, plans["月卡"])

    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.start_date == date(2026, 6, 16)
    assert membership.state.base_end_date == date(2026, 7, 15)


def test_a_plan_may_be_sold_to_start_later(terminal, plans, member_id, clock):
    start = today(terminal, clock) + timedelta(days=10)

    terminal.sales.sell_plan(member_id, plans["月卡"], start=start)

    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.start_date == start
    assert membership.state.base_end_date == start + timedelta(days=29)


def test_an_unknown_payment_method_is_refused_and_writes_nothing(
    terminal, plans, member_id, row_counts
):
    before = row_counts()

    with pytest.raises(ValidationError):
        terminal.sales.sell_plan(member_id, plans["月卡"], payment_method="bitcoin")
    assert row_counts() == before


def test_selling_an_unknown_plan_raises_plan_not_found(terminal, member_id, row_counts):
    before = row_counts()

    with pytest.raises(PlanNotFound):
        terminal.sales.sell_plan(member_id, new_id())
    assert row_counts() == before


def test_selling_a_withdrawn_plan_raises_plan_not_found(
    terminal, plans, member_id, row_counts, staff_logins
):
    with terminal.recorder.transaction() as tx:
        tx.record(
            "plan.defined",
            PlanDefined(
                plan_id=plans["月卡"],
                name="月卡",
                kind=PlanKind.TIME,
                price_fen=29_900,
                duration_days=30,
                active=False,
            ),
            actor_id=staff_logins[Role.ADMIN].staff_id,
        )
    before = row_counts()

    with pytest.raises(PlanNotFound):
        terminal.sales.sell_plan(member_id, plans["月卡"])
    assert row_counts() == before
    assert "月卡" not in {p.name for p in terminal.plans.list()}


def test_selling_to_an_unknown_member_raises_member_not_found(terminal, plans, cashier, row_counts):
    before = row_counts()

    with pytest.raises(MemberNotFound):
        terminal.sales.sell_plan(new_id(), plans["月卡"])
    assert row_counts() == before


def test_front_desk_staff_may_not_sell(terminal, plans, member_id, login_as, row_counts):
    login_as(Role.FRONT_DESK)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        terminal.sales.sell_plan(member_id, plans["月卡"])
    assert row_counts() == before


@pytest.mark.parametrize("role", [Role.CASHIER, Role.MANAGER, Role.ADMIN])
def test_cashiers_managers_and_admins_may_sell(terminal, plans, member_id, login_as, role):
    login_as(role)

    terminal.sales.sell_plan(member_id, plans["体验卡"])

    assert len(terminal.members.status(member_id).memberships) == 1


def test_selling_needs_a_logged_in_staff_member(terminal, plans, member_id, row_counts):
    terminal.staff.logout()
    before = row_counts()

    with pytest.raises(NotLoggedIn):
        terminal.sales.sell_plan(member_id, plans["月卡"])
    assert row_counts() == before


def test_the_plans_on_sale_cover_all_three_kinds(terminal, plans):
    listed = {p.name: p for p in terminal.plans.list()}

    assert set(listed) == set(plans)
    assert {p.kind for p in listed.values()} == set(PlanKind)
    assert listed["10次卡"].visits == 10
    assert listed["储值1000送100"].stored_value_fen == 110_000
