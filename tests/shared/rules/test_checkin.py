"""Check-in decisions: who gets in, why not, and what the desk is told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.kinds import PlanKind
from shared.rules.checkin import (
    CheckinContext,
    Denial,
    FreezePeriod,
    MembershipState,
    Notice,
    decide_checkin,
    effective_end_date,
    is_birthday,
    is_frozen_on,
    local_date,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
BERLIN = ZoneInfo("Europe/Berlin")

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)
TODAY = date(2026, 6, 15)


def time_plan(
    id: str = "t",
    start: date = date(2026, 1, 1),
    end: date | None = date(2026, 12, 31),
    freezes: tuple[FreezePeriod, ...] = (),
) -> MembershipState:
    return MembershipState(id, PlanKind.TIME, start, end, None, freezes)


def visits_plan(
    id: str = "v",
    visits: int = 10,
    start: date = date(2026, 1, 1),
    end: date | None = None,
    freezes: tuple[FreezePeriod, ...] = (),
) -> MembershipState:
    return MembershipState(id, PlanKind.VISITS, start, end, visits, freezes)


def stored_value(id: str = "s") -> MembershipState:
    return MembershipState(id, PlanKind.STORED_VALUE, date(2026, 1, 1), None, None)


def ctx(
    *memberships: MembershipState, now: datetime = NOON, tz: ZoneInfo = SHANGHAI, **kw: Any
) -> CheckinContext:
    return CheckinContext(now=now, branch_tz=tz, memberships=memberships, **kw)


# --- admitting -------------------------------------------------------------------------


def test_valid_time_plan_admits_without_using_a_visit():
    d = decide_checkin(ctx(time_plan()))
    assert d.allowed and d.reason is None
    assert d.membership_id == "t"
    assert not d.consumes_visit
    assert d.visits_left_after is None
    assert d.notices == frozenset()


def test_visits_plan_admits_and_consumes_one_visit():
    d = decide_checkin(ctx(visits_plan(visits=5)))
    assert d.allowed and d.consumes_visit
    assert d.visits_left_after == 4
    assert d.days_left is None


def test_days_left_counts_today_so_the_last_day_is_one():
    assert decide_checkin(ctx(time_plan(end=TODAY))).days_left == 1
    assert decide_checkin(ctx(time_plan(end=TODAY + timedelta(days=9)))).days_left == 10


def test_plan_without_end_date_has_no_days_left():
    assert decide_checkin(ctx(time_plan(end=None))).days_left is None


def test_time_plan_is_preferred_over_visits_plan_so_no_visit_is_burnt():
    d = decide_checkin(ctx(visits_plan(end=TODAY), time_plan(end=date(2027, 6, 1))))
    assert d.membership_id == "t"
    assert not d.consumes_visit


def test_among_time_plans_the_one_ending_soonest_is_used_first():
    d = decide_checkin(
        ctx(time_plan("late", end=date(2026, 12, 1)), time_plan("soon", end=date(2026, 7, 1)))
    )
    assert d.membership_id == "soon"


def test_plan_with_an_end_is_used_before_one_without():
    d = decide_checkin(ctx(visits_plan("forever"), visits_plan("dated", end=date(2026, 9, 1))))
    assert d.membership_id == "dated"


def test_unusable_time_plan_falls_back_to_visits_plan():
    d = decide_checkin(ctx(time_plan(end=date(2026, 6, 1)), visits_plan()))
    assert d.allowed and d.membership_id == "v" and d.consumes_visit


# --- refusals --------------------------------------------------------------------------


def test_member_without_any_membership_is_refused_with_no_plan():
    d = decide_checkin(ctx())
    assert not d.allowed and d.reason is Denial.NO_PLAN and d.membership_id is None


def test_stored_value_alone_never_admits():
    d = decide_checkin(ctx(stored_value()))
    assert d.reason is Denial.NO_PLAN


def test_expired_membership_is_refused():
    d = decide_checkin(ctx(time_plan(end=date(2026, 6, 14))))
    assert not d.allowed and d.reason is Denial.EXPIRED and d.membership_id == "t"
    assert not d.consumes_visit and d.days_left is None


def test_membership_not_yet_started_is_refused():
    d = decide_checkin(ctx(time_plan(start=date(2026, 6, 16))))
    assert d.reason is Denial.NOT_STARTED


def test_membership_starts_on_its_start_date():
    assert decide_checkin(ctx(time_plan(start=TODAY))).allowed


def test_frozen_membership_is_refused():
    freeze = FreezePeriod("f", date(2026, 6, 10), date(2026, 6, 20))
    d = decide_checkin(ctx(time_plan(freezes=(freeze,))))
    assert d.reason is Denial.FROZEN


def test_visits_plan_with_no_visits_left_is_refused():
    assert decide_checkin(ctx(visits_plan(visits=0))).reason is Denial.NO_VISITS_LEFT


def test_overdrawn_visits_plan_after_offline_sync_is_refused():
    assert decide_checkin(ctx(visits_plan(visits=-1))).reason is Denial.NO_VISITS_LEFT


def test_revoked_card_is_refused_before_anything_else():
    d = decide_checkin(ctx(time_plan(), card_revoked=True))
    assert d.reason is Denial.CARD_REVOKED and d.membership_id is None


def test_second_scan_within_window_is_refused():
    d = decide_checkin(
        ctx(time_plan(), last_checkin_at=NOON - timedelta(minutes=29), window_minutes=30)
    )
    assert d.reason is Denial.ALREADY_CHECKED_IN


def test_scan_exactly_at_window_end_is_admitted():
    d = decide_checkin(
        ctx(time_plan(), last_checkin_at=NOON - timedelta(minutes=30), window_minutes=30)
    )
    assert d.allowed


def test_window_zero_never_refuses_a_repeat():
    assert decide_checkin(ctx(time_plan(), last_checkin_at=NOON, window_minutes=0)).allowed


def test_check_in_stamped_slightly_ahead_by_another_branch_counts_as_recent():
    d = decide_checkin(
        ctx(time_plan(), last_checkin_at=NOON + timedelta(minutes=2), window_minutes=30)
    )
    assert d.reason is Denial.ALREADY_CHECKED_IN


def test_window_compares_instants_across_zones():
    earlier_in_new_york = (NOON - timedelta(minutes=10)).astimezone(NEW_YORK)
    d = decide_checkin(ctx(time_plan(), last_checkin_at=earlier_in_new_york, window_minutes=30))
    assert d.reason is Denial.ALREADY_CHECKED_IN


def test_revoked_card_beats_recent_check_in():
    d = decide_checkin(ctx(time_plan(), card_revoked=True, last_checkin_at=NOON, window_minutes=30))
    assert d.reason is Denial.CARD_REVOKED


@pytest.mark.parametrize(
    ("memberships", "expected"),
    [
        ((time_plan(end=date(2026, 1, 31)), visits_plan(visits=0)), Denial.NO_VISITS_LEFT),
        ((time_plan(end=date(2026, 1, 31)), time_plan(start=date(2027, 1, 1))), Denial.NOT_STARTED),
        (
            (
                visits_plan(visits=0),
                time_plan(freezes=(FreezePeriod("f", TODAY, TODAY),)),
            ),
            Denial.FROZEN,
        ),
        ((stored_value(), time_plan(end=date(2026, 1, 31))), Denial.EXPIRED),
    ],
)
def test_refusal_reason_comes_from_the_closest_to_usable_membership(memberships, expected):
    assert decide_checkin(ctx(*memberships)).reason is expected


def test_refusal_names_the_membership_it_is_about():
    frozen = time_plan("frozen", freezes=(FreezePeriod("f", TODAY, TODAY),))
    d = decide_checkin(ctx(time_plan("old", end=date(2026, 1, 1)), frozen))
    assert d.membership_id == "frozen"


def test_expired_visits_plan_reports_expired_not_empty():
    d = decide_checkin(ctx(visits_plan(visits=0, end=date(2026, 1, 31))))
    assert d.reason is Denial.EXPIRED


def test_visits_plan_without_a_count_cannot_be_built():
    with pytest.raises(ValueError):
        MembershipState("v", PlanKind.VISITS, TODAY, None, None)


# --- notices ---------------------------------------------------------------------------


def test_plan_ending_within_the_notice_days_warns():
    d = decide_checkin(ctx(time_plan(end=TODAY + timedelta(days=7))))
    assert Notice.PLAN_ENDING_SOON in d.notices


def test_plan_ending_after_the_notice_days_does_not_warn():
    d = decide_checkin(ctx(time_plan(end=TODAY + timedelta(days=8))))
    assert Notice.PLAN_ENDING_SOON not in d.notices


def test_notice_days_are_configurable():
    d = decide_checkin(ctx(time_plan(end=TODAY + timedelta(days=20)), ending_soon_days=30))
    assert Notice.PLAN_ENDING_SOON in d.notices


def test_plan_without_end_never_warns_of_ending():
    assert decide_checkin(ctx(time_plan(end=None))).notices == frozenset()


def test_using_the_last_visit_says_so():
    d = decide_checkin(ctx(visits_plan(visits=1)))
    assert d.allowed and d.visits_left_after == 0
    assert Notice.LAST_VISIT in d.notices


def test_birthday_is_announced_on_admission():
    d = decide_checkin(ctx(time_plan(), birthday=date(1990, 6, 15)))
    assert d.notices == {Notice.BIRTHDAY_TODAY}


def test_birthday_is_announced_even_when_refused():
    d = decide_checkin(ctx(birthday=date(1990, 6, 15)))
    assert not d.allowed and d.notices == {Notice.BIRTHDAY_TODAY}


def test_refusal_carries_no_other_notices():
    d = decide_checkin(ctx(visits_plan(visits=1), card_revoked=True))
    assert d.notices == frozenset()


def test_birthday_follows_the_branch_local_date():
    utc_evening = datetime(2026, 6, 14, 17, 0, tzinfo=UTC)  # 01:00 on the 15th in Shanghai
    d = decide_checkin(ctx(time_plan(), now=utc_evening, birthday=date(1990, 6, 15)))
    assert Notice.BIRTHDAY_TODAY in d.notices


@pytest.mark.parametrize(
    ("birthday", "day", "expected"),
    [
        (date(1992, 2, 29), date(2026, 2, 28), True),
        (date(1992, 2, 29), date(2026, 3, 1), False),
        (date(1992, 2, 29), date(2028, 2, 29), True),
        (date(1992, 2, 29), date(2028, 2, 28), False),
        (date(1990, 2, 28), date(2028, 2, 28), True),
        (date(1990, 3, 1), date(2026, 3, 1), True),
        (date(1990, 3, 1), date(2026, 3, 2), False),
    ],
)
def test_feb_29_birthdays_are_celebrated_on_feb_28_in_non_leap_years(birthday, day, expected):
    assert is_birthday(birthday, day) is expected


# --- dates, zones and freezes ----------------------------------------------------------


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 6, 15, 12, 0), SHANGHAI)
    with pytest.raises(ValueError):
        decide_checkin(ctx(time_plan(), now=datetime(2026, 6, 15, 12, 0)))


def test_naive_last_check_in_is_refused():
    with pytest.raises(ValueError):
        decide_checkin(
            ctx(time_plan(), last_checkin_at=datetime(2026, 6, 15, 11, 0), window_minutes=30)
        )


@pytest.mark.parametrize(
    ("tz", "allowed"),
    [(SHANGHAI, False), (NEW_YORK, True), (AUCKLAND, False)],
)
def test_same_instant_is_a_different_local_day_in_each_branch(tz, allowed):
    # 2026-03-31 16:30 UTC is 00:30 on 1 April in Shanghai, 12:30 on 31 March in
    # New York and 05:30 on 1 April in Auckland.
    instant = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    d = decide_checkin(ctx(time_plan(end=date(2026, 3, 31)), now=instant, tz=tz))
    assert d.allowed is allowed


def test_plan_starts_at_local_midnight_not_utc_midnight():
    just_after_local_midnight = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    d = decide_checkin(
        ctx(time_plan(start=date(2026, 4, 1)), now=just_after_local_midnight, tz=AUCKLAND)
    )
    assert d.allowed


@pytest.mark.parametrize(
    ("tz", "change_day"),
    [
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
        (BERLIN, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25)),
    ],
)
def test_plan_ending_on_a_daylight_saving_change_day_lasts_to_local_midnight(tz, change_day):
    plan = time_plan(end=change_day)
    last_minute = datetime(change_day.year, change_day.month, change_day.day, 23, 59, tzinfo=tz)
    next_day = change_day + timedelta(days=1)
    midnight = datetime(next_day.year, next_day.month, next_day.day, 0, 0, tzinfo=tz)
    # Pass UTC instants so the rule has to do the zone conversion itself.
    assert decide_checkin(ctx(plan, now=last_minute.astimezone(UTC), tz=tz)).allowed
    refused = decide_checkin(ctx(plan, now=midnight.astimezone(UTC), tz=tz))
    assert refused.reason is Denial.EXPIRED


def test_freeze_extends_the_end_day_for_day():
    plan = time_plan(
        end=date(2026, 6, 30),
        freezes=(
            FreezePeriod("a", date(2026, 3, 1), date(2026, 3, 10)),
            FreezePeriod("b", date(2026, 5, 1), date(2026, 5, 1)),
        ),
    )
    assert effective_end_date(plan) == date(2026, 7, 11)


def test_empty_freeze_does_not_extend_or_freeze():
    empty = FreezePeriod("e", date(2026, 6, 15), date(2026, 6, 14))
    plan = time_plan(end=date(2026, 6, 30), freezes=(empty,))
    assert effective_end_date(plan) == date(2026, 6, 30)
    assert not is_frozen_on(plan, date(2026, 6, 15))
    assert not is_frozen_on(plan, date(2026, 6, 14))


def test_plan_without_end_stays_without_end_when_frozen():
    plan = visits_plan(freezes=(FreezePeriod("f", date(2026, 2, 1), date(2026, 2, 5)),))
    assert effective_end_date(plan) is None


def test_member_may_come_in_after_the_base_end_thanks_to_a_freeze():
    plan = time_plan(
        end=date(2026, 6, 10), freezes=(FreezePeriod("f", date(2026, 5, 1), date(2026, 5, 10)),)
    )
    d = decide_checkin(ctx(plan))
    assert d.allowed and d.days_left == 6


def test_freeze_bounds_are_inclusive():
    plan = time_plan(freezes=(FreezePeriod("f", date(2026, 6, 10), date(2026, 6, 14)),))
    assert not is_frozen_on(plan, date(2026, 6, 9))
    assert is_frozen_on(plan, date(2026, 6, 10))
    assert is_frozen_on(plan, date(2026, 6, 14))
    assert decide_checkin(ctx(plan)).allowed


_ZONES = [SHANGHAI, NEW_YORK, AUCKLAND, BERLIN, ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")]


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
    freeze=st.none() | st.tuples(st.integers(0, 400), st.integers(0, 60)),
    moment=st.datetimes(min_value=datetime(2019, 6, 1), max_value=datetime(2033, 1, 1)),
    tz=st.sampled_from(_ZONES),
)
def test_time_plan_is_valid_exactly_on_local_dates_from_start_to_effective_end(
    start, length, freeze, moment, tz
):
    base_end = start + timedelta(days=length)
    freezes: tuple[FreezePeriod, ...] = ()
    frozen: set[date] = set()
    if freeze is not None:
        offset, days = freeze
        f_start = start + timedelta(days=offset)
        freezes = (FreezePeriod("f", f_start, f_start + timedelta(days=days)),)
        frozen = {f_start + timedelta(days=i) for i in range(days + 1)}
    plan = time_plan(start=start, end=base_end, freezes=freezes)
    effective_end = base_end + timedelta(days=len(frozen))
    local = moment.replace(tzinfo=tz)  # the wall-clock date is local by construction
    d = decide_checkin(ctx(plan, now=local.astimezone(UTC), tz=tz))
    day = moment.date()
    assert d.allowed == (start <= day <= effective_end and day not in frozen)
