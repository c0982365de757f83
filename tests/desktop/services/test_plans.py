"""Defining the plans on sale: time plans, 次卡 and 储值."""

from __future__ import annotations

import pytest

from shared.errors import PermissionDenied, ValidationError
from shared.kinds import PlanKind, Role


def test_an_admin_defines_a_plan_that_is_then_on_sale(terminal, login_as):
    login_as(Role.ADMIN)

    plan_id = terminal.plans.define(
        name=" 季卡 ",
        kind=PlanKind.TIME,
        price_fen=79_900,
        duration_days=90,
        freeze_max_days_per_year=14,
        freeze_min_days=7,
    )

    [plan] = [p for p in terminal.plans.list() if p.id == plan_id]
    assert (plan.name, plan.kind, plan.price_fen, plan.duration_days) == (
        "季卡",
        PlanKind.TIME,
        79_900,
        90,
    )
    assert (plan.freeze_max_days_per_year, plan.freeze_min_days) == (14, 7)


@pytest.mark.parametrize(
    "terms",
    [
        {"name": "月卡", "kind": PlanKind.TIME, "price_fen": 100},
        {"name": "次卡", "kind": PlanKind.VISITS, "price_fen": 100, "duration_days": 30},
        {"name": "储值", "kind": PlanKind.STORED_VALUE, "price_fen": 100},
        {"name": "月卡", "kind": PlanKind.TIME, "price_fen": -1, "duration_days": 30},
        {"name": "  ", "kind": PlanKind.TIME, "price_fen": 100, "duration_days": 30},
    ],
    ids=[
        "time-without-days",
        "visits-without-count",
        "stored-value-without-amount",
        "negative-price",
        "blank-name",
    ],
)
def test_a_plan_missing_what_its_kind_needs_is_refused(terminal, login_as, row_counts, terms):
    login_as(Role.ADMIN)
    before = row_counts()

    with pytest.raises(ValidationError):
        terminal.plans.define(**terms)
    assert row_counts() == before


def test_only_an_admin_may_define_plans(terminal, login_as, row_counts):
    login_as(Role.MANAGER)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        terminal.plans.define(name="月卡", kind=PlanKind.TIME, price_fen=100, duration_days=30)
    assert row_counts() == before
