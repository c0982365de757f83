"""Freezing and unfreezing a member's plan: refused at the desk while frozen, end pushed back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shared.errors import (
    FreezeInvalidRange,
    FreezeLimitExceeded,
    FreezeNotAllowed,
    FreezeOverlaps,
    FreezeTooShort,
    MembershipNotFound,
    NotLoggedIn,
    PermissionDenied,
)
from shared.ids import new_id
from shared.kinds import PlanKind, Role
from shared.model import Event
from shared.rules.checkin import (
    Denial,
    FreezePeriod,
    MembershipState,
    effective_end_date,
    local_date,
)

PLAN_NAME = "季卡可冻结"
# A 90-day plan the member may pause for up to 30 days a calendar year, 3 days at least.
FREEZABLE_PLAN: dict[str, object] = {
    "kind": PlanKind.TIME,
    "price_fen": 80_000,
    "duration_days": 90,
    "freeze_max_days_per_year": 30,
    "freeze_min_days": 3,
}


@dataclass(frozen=True)
class Sold:
    member_id: str
    membership_id: str


def days(n: int) -> timedelta:
    return timedelta(days=n)


def today(terminal, clock) -> date:
    return local_date(clock.now(), terminal.branch_tz)


def membership_state(terminal, member_id, plan_name=PLAN_NAME) -> MembershipState:
    [view] = [m for m in terminal.members.status(member_id).memberships if m.plan_name == plan_name]
    return view.state


def effective_end(terminal, member_id, plan_name=PLAN_NAME) -> date | None:
    return effective_end_date(membership_state(terminal, member_id, plan_name))


def last_event(terminal):
    with terminal.engine.connect() as conn:
        return conn.execute(
            select(Event.type, Event.actor_id).order_by(Event.hlc.desc()).limit(1)
        ).one()


def sell_as_admin(terminal, login_as, plan_name, terms, *, mobile="13900139000", start=None):
    """Admin defines a plan (the template's plans may not be frozen) and sells it."""
    login_as(Role.ADMIN)
    plan_id = terminal.plans.define(name=plan_name, **terms)
    member_id = terminal.members.enroll(name="李四", mobile=mobile)
    terminal.sales.sell_plan(member_id, plan_id, start=start)
    return Sold(member_id, membership_state(terminal, member_id, plan_name).id)


@pytest.fixture
def sold(terminal, login_as) -> Sold:
    """A member holding the freezable plan from today; a manager is at the desk."""
    sold = sell_as_admin(terminal, login_as, PLAN_NAME, FREEZABLE_PLAN)
    login_as(Role.MANAGER)
    return sold


def assert_freeze_refused(terminal, row_counts, sold, start, end, error):
    """Booking the freeze raises ``error`` and nothing at all is written."""
    before = row_counts()
    with pytest.raises(error) as raised:
        terminal.memberships.freeze(sold.membership_id, start, end)
    assert row_counts() == before
    return raised.value


def check_in_refused(terminal, row_counts, member_id):
    before = row_counts()
    result = terminal.checkins.check_in_member(member_id)
    assert row_counts() == before
    assert result.checkin_id is None
    return result.decision


# Freezing.


def test_a_manager_freezes_a_time_plan_and_its_end_moves_later_by_the_frozen_days(
    terminal, sold, clock, row_counts, staff_logins
):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date
    assert effective_end(terminal, sold.member_id) == base_end
    before = row_counts()

    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(7))

    state = membership_state(terminal, sold.member_id)
    assert state.freezes == (FreezePeriod(freeze_id, d + days(1), d + days(7)),)
    assert effective_end_date(state) == base_end + days(7)
    assert row_counts()["events"] == before["events"] + 1
    assert tuple(last_event(terminal)) == (
        "membership.frozen",
        staff_logins[Role.MANAGER].staff_id,
    )


def test_a_frozen_plan_refuses_checkin_on_every_frozen_day_and_admits_around_them(
    terminal, sold, clock, row_counts
):
    d = today(terminal, clock)
    terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(3))

    assert terminal.checkins.check_in_member(sold.member_id).decision.allowed  # the day before
    for _ in range(3):
        clock.advance(days=1)
        decision = check_in_refused(terminal, row_counts, sold.member_id)
        assert decision.reason == Denial.FROZEN
        assert decision.membership_id == sold.membership_id

    clock.advance(days=1)
    after = terminal.checkins.check_in_member(sold.member_id)
    assert after.decision.allowed
    # 90-day plan: four days gone, three frozen days given back at the end.
    assert after.decision.days_left == 90 - 4 + 3


def test_a_freeze_starting_today_refuses_checkin_today(terminal, sold, clock, row_counts):
    d = today(terminal, clock)
    terminal.memberships.freeze(sold.membership_id, d, d + days(4))

    assert check_in_refused(terminal, row_counts, sold.member_id).reason == Denial.FROZEN


def test_a_freeze_of_exactly_the_minimum_length_is_booked(terminal, sold, clock):
    d = today(terminal, clock)

    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(2), d + days(4))

    [period] = membership_state(terminal, sold.member_id).freezes
    assert (period.id, period.days) == (freeze_id, 3)


def test_freezes_up_to_exactly_the_yearly_limit_are_booked(terminal, sold, clock):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date

    terminal.memberships.freeze(sold.membership_id, d, d + days(19))  # 20 days
    terminal.memberships.freeze(sold.membership_id, d + days(20), d + days(29))  # 10 more

    assert effective_end(terminal, sold.member_id) == base_end + days(30)


def test_a_freeze_right_after_another_does_not_overlap_it(terminal, sold, clock):
    d = today(terminal, clock)
    terminal.memberships.freeze(sold.membership_id, d + days(5), d + days(9))

    terminal.memberships.freeze(sold.membership_id, d + days(10), d + days(12))
    terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(4))

    assert [p.days for p in membership_state(terminal, sold.member_id).freezes] == [4, 5, 3]


# Unfreezing.


def test_an_early_unfreeze_admits_the_member_that_day_and_gives_back_only_the_days_used(
    terminal, sold, clock, row_counts
):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date
    freeze_id = terminal.memberships.freeze(sold.membership_id, d, d + days(9))
    assert effective_end(terminal, sold.member_id) == base_end + days(10)
    assert check_in_refused(terminal, row_counts, sold.member_id).reason == Denial.FROZEN
    clock.advance(days=3)
    before = row_counts()

    terminal.memberships.unfreeze(sold.membership_id, freeze_id)

    assert row_counts()["events"] == before["events"] + 1
    assert last_event(terminal).type == "membership.unfrozen"
    state = membership_state(terminal, sold.member_id)
    assert state.freezes == (FreezePeriod(freeze_id, d, d + days(2)),)
    assert effective_end_date(state) == base_end + days(3)
    result = terminal.checkins.check_in_member(sold.member_id)
    assert result.decision.allowed
    # Three days gone frozen, three days added back: the whole 90 are still ahead.
    assert result.decision.days_left == 90


def test_an_unfreeze_for_a_later_day_keeps_the_plan_frozen_until_then(
    terminal, sold, clock, row_counts
):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date
    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(10))

    terminal.memberships.unfreeze(sold.membership_id, freeze_id, on=d + days(5))

    assert effective_end(terminal, sold.member_id) == base_end + days(4)
    clock.advance(days=4)
    assert check_in_refused(terminal, row_counts, sold.member_id).reason == Denial.FROZEN
    clock.advance(days=1)
    assert terminal.checkins.check_in_member(sold.member_id).decision.allowed


def test_an_unfreeze_before_the_freeze_begins_cancels_it_and_frees_its_days(terminal, sold, clock):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date
    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(2), d + days(29))

    terminal.memberships.unfreeze(sold.membership_id, freeze_id)

    [cancelled] = membership_state(terminal, sold.member_id).freezes
    assert cancelled.days == 0
    assert effective_end(terminal, sold.member_id) == base_end
    # The same days may be booked again: the cancelled freeze neither overlaps nor counts.
    terminal.memberships.freeze(sold.membership_id, d + days(2), d + days(31))
    assert effective_end(terminal, sold.member_id) == base_end + days(30)


def test_days_given_back_by_an_early_unfreeze_may_be_frozen_again_that_year(terminal, sold, clock):
    d = today(terminal, clock)
    base_end = membership_state(terminal, sold.member_id).base_end_date
    freeze_id = terminal.memberships.freeze(sold.membership_id, d, d + days(19))
    clock.advance(days=5)
    terminal.memberships.unfreeze(sold.membership_id, freeze_id)

    terminal.memberships.freeze(sold.membership_id, d + days(10), d + days(34))  # 5 + 25 = 30

    assert effective_end(terminal, sold.member_id) == base_end + days(30)


def test_unfreezing_twice_keeps_the_earliest_day(terminal, sold, clock):
    d = today(terminal, clock)
    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(10))
    terminal.memberships.unfreeze(sold.membership_id, freeze_id, on=d + days(4))

    terminal.memberships.unfreeze(sold.membership_id, freeze_id, on=d + days(8))

    [period] = membership_state(terminal, sold.member_id).freezes
    assert (period.start, period.end) == (d + days(1), d + days(3))


# Who may freeze.


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CASHIER])
def test_desk_staff_below_manager_may_not_freeze_or_unfreeze(
    terminal, sold, clock, row_counts, login_as, role
):
    d = today(terminal, clock)
    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(5))
    login_as(role)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        terminal.memberships.freeze(sold.membership_id, d + days(10), d + days(15))
    with pytest.raises(PermissionDenied):
        terminal.memberships.unfreeze(sold.membership_id, freeze_id)
    assert row_counts() == before
    assert membership_state(terminal, sold.member_id).freezes[0].end == d + days(5)


def test_freezing_needs_a_logged_in_staff_member(terminal, sold, clock, row_counts):
    d = today(terminal, clock)
    terminal.staff.logout()
    before = row_counts()

    with pytest.raises(NotLoggedIn):
        terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(5))
    assert row_counts() == before


def test_an_admin_may_freeze(terminal, sold, clock, login_as):
    d = today(terminal, clock)
    login_as(Role.ADMIN)

    freeze_id = terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(5))

    assert [p.id for p in membership_state(terminal, sold.member_id).freezes] == [freeze_id]


# Refusals write nothing.


def test_a_freeze_shorter_than_the_plans_minimum_is_refused(terminal, sold, clock, row_counts):
    d = today(terminal, clock)

    error = assert_freeze_refused(
        terminal, row_counts, sold, d + days(1), d + days(2), FreezeTooShort
    )

    assert error.params == {"days": 2, "min_days": 3}


def test_a_single_freeze_over_the_yearly_limit_is_refused(terminal, sold, clock, row_counts):
    d = today(terminal, clock)

    error = assert_freeze_refused(terminal, row_counts, sold, d, d + days(30), FreezeLimitExceeded)

    assert error.params == {"used": 0, "requested": 31, "limit": 30, "year": d.year}


def test_a_freeze_taking_the_year_past_its_limit_is_refused(terminal, sold, clock, row_counts):
    d = today(terminal, clock)
    terminal.memberships.freeze(sold.membership_id, d, d + days(19))

    error = assert_freeze_refused(
        terminal, row_counts, sold, d + days(40), d + days(50), FreezeLimitExceeded
    )

    assert error.params == {"used": 20, "requested": 11, "limit": 30, "year": d.year}


def test_the_yearly_limit_counts_each_calendar_year_on_its_own_days(
    terminal, clock, row_counts, login_as
):
    sold = sell_as_admin(terminal, login_as, "年卡可冻结", {**FREEZABLE_PLAN, "duration_days": 365})
    login_as(Role.MANAGER)
    d = today(terminal, clock)
    assert d == date(2026, 6, 15)
    terminal.memberships.freeze(sold.membership_id, date(2026, 7, 1), date(2026, 7, 25))  # 25

    # Six days of 2026 would make 31 that year; 2027's days do not count against 2026.
    error = assert_freeze_refused(
        terminal, row_counts, sold, date(2026, 12, 26), date(2027, 1, 10), FreezeLimitExceeded
    )
    assert error.params == {"used": 25, "requested": 6, "limit": 30, "year": 2026}
    terminal.memberships.freeze(sold.membership_id, date(2026, 12, 27), date(2027, 1, 10))
    assert [p.days for p in membership_state(terminal, sold.member_id, "年卡可冻结").freezes] == [
        25,
        15,
    ]


@pytest.mark.parametrize(
    ("first", "last"),
    [(9, 12), (2, 5), (6, 8), (3, 11), (5, 9)],
    ids=["shares-its-last-day", "shares-its-first-day", "inside", "around", "same-days"],
)
def test_a_freeze_overlapping_a_booked_one_is_refused(
    terminal, sold, clock, row_counts, first, last
):
    d = today(terminal, clock)
    booked = terminal.memberships.freeze(sold.membership_id, d + days(5), d + days(9))

    error = assert_freeze_refused(
        terminal, row_counts, sold, d + days(first), d + days(last), FreezeOverlaps
    )

    assert error.params == {"freeze_id": booked}


def test_a_plan_whose_policy_forbids_freezing_is_refused(
    terminal, plans, clock, row_counts, login_as
):
    # The template's 月卡 offers no freeze days.
    login_as(Role.ADMIN)
    member_id = terminal.members.enroll(name="王五")
    terminal.sales.sell_plan(member_id, plans["月卡"])
    login_as(Role.MANAGER)
    d = today(terminal, clock)
    sold = Sold(member_id, membership_state(terminal, member_id, "月卡").id)

    error = assert_freeze_refused(
        terminal, row_counts, sold, d + days(1), d + days(5), FreezeNotAllowed
    )

    assert error.params == {"reason": "policy"}


def test_a_stored_value_plan_cannot_be_frozen_even_if_its_policy_allows(
    terminal, clock, row_counts, login_as
):
    terms = {
        "kind": PlanKind.STORED_VALUE,
        "price_fen": 100_000,
        "stored_value_fen": 110_000,
        "freeze_max_days_per_year": 30,
        "freeze_min_days": 3,
    }
    sold = sell_as_admin(terminal, login_as, "储值可冻结", terms)
    login_as(Role.MANAGER)
    d = today(terminal, clock)

    error = assert_freeze_refused(
        terminal, row_counts, sold, d + days(1), d + days(5), FreezeNotAllowed
    )

    assert error.params == {"reason": "stored_value"}


def test_a_plan_that_has_ended_cannot_be_frozen(terminal, sold, clock, row_counts):
    clock.advance(days=90)  # the 90-day plan's last day was yesterday
    d = today(terminal, clock)

    error = assert_freeze_refused(terminal, row_counts, sold, d, d + days(4), FreezeNotAllowed)

    assert error.params == {"reason": "ended"}


def test_a_freeze_ending_before_it_starts_is_refused(terminal, sold, clock, row_counts):
    d = today(terminal, clock)

    assert_freeze_refused(terminal, row_counts, sold, d + days(5), d + days(1), FreezeInvalidRange)


def test_a_freeze_starting_in_the_past_is_refused(terminal, sold, clock, row_counts):
    clock.advance(days=10)
    d = today(terminal, clock)

    error = assert_freeze_refused(
        terminal, row_counts, sold, d - days(1), d + days(5), FreezeInvalidRange
    )

    assert error.params == {"start": (d - days(1)).isoformat(), "end": (d + days(5)).isoformat()}


def test_a_freeze_starting_before_the_plan_starts_is_refused(terminal, clock, row_counts, login_as):
    d = today(terminal, clock)
    sold = sell_as_admin(terminal, login_as, PLAN_NAME, FREEZABLE_PLAN, start=d + days(10))
    login_as(Role.MANAGER)

    assert_freeze_refused(terminal, row_counts, sold, d + days(5), d + days(12), FreezeInvalidRange)


def test_freezing_an_unknown_membership_raises_membership_not_found(
    terminal, sold, clock, row_counts
):
    d = today(terminal, clock)
    unknown = Sold(sold.member_id, new_id())

    assert_freeze_refused(
        terminal, row_counts, unknown, d + days(1), d + days(5), MembershipNotFound
    )


def test_unfreezing_an_unknown_membership_raises_membership_not_found(terminal, sold, row_counts):
    before = row_counts()

    with pytest.raises(MembershipNotFound):
        terminal.memberships.unfreeze(new_id(), new_id())
    assert row_counts() == before


def test_unfreezing_an_unknown_freeze_raises_membership_not_found(
    terminal, sold, clock, row_counts
):
    d = today(terminal, clock)
    terminal.memberships.freeze(sold.membership_id, d + days(1), d + days(5))
    before = row_counts()

    with pytest.raises(MembershipNotFound) as raised:
        terminal.memberships.unfreeze(sold.membership_id, "no-such-freeze")
    assert row_counts() == before
    assert raised.value.params["freeze_id"] == "no-such-freeze"


def test_a_freeze_of_another_membership_cannot_be_unfrozen_through_this_one(
    terminal, sold, clock, row_counts, login_as, plans
):
    d = today(terminal, clock)
    other = sell_as_admin(terminal, login_as, "另一张季卡", FREEZABLE_PLAN, mobile="13700137000")
    login_as(Role.MANAGER)
    other_freeze = terminal.memberships.freeze(other.membership_id, d + days(1), d + days(5))
    before = row_counts()

    with pytest.raises(MembershipNotFound):
        terminal.memberships.unfreeze(sold.membership_id, other_freeze)
    assert row_counts() == before
    assert membership_state(terminal, other.member_id, "另一张季卡").freezes[0].days == 5
