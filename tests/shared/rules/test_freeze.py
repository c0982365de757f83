"""Booking and ending freezes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import (
    FreezeInvalidRange,
    FreezeLimitExceeded,
    FreezeNotAllowed,
    FreezeOverlaps,
    FreezeTooShort,
)
from shared.kinds import PlanKind
from shared.rules.checkin import FreezePeriod, MembershipState, effective_end_date
from shared.rules.freeze import FreezePolicy, check_freeze, freeze_days, shorten_freeze

POLICY = FreezePolicy(max_days_per_year=30, min_days_per_freeze=3)
TODAY = date(2026, 6, 1)


def plan(
    *freezes: FreezePeriod,
    kind: PlanKind = PlanKind.TIME,
    start: date = date(2026, 1, 1),
    end: date | None = date(2027, 12, 31),
) -> MembershipState:
    visits = 10 if kind is PlanKind.VISITS else None
    return MembershipState("m", kind, start, end, visits, freezes)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def test_freeze_days_are_inclusive():
    assert freeze_days(d(6, 1), d(6, 1)) == 1
    assert freeze_days(d(6, 1), d(6, 10)) == 10


def test_empty_freeze_counts_zero_days():
    assert freeze_days(d(6, 2), d(6, 1)) == 0


def test_valid_freeze_passes():
    check_freeze(POLICY, plan(), d(6, 10), d(6, 20), TODAY)


def test_freeze_starting_today_is_allowed():
    check_freeze(POLICY, plan(), TODAY, d(6, 5), TODAY)


def test_visits_plan_may_be_frozen():
    check_freeze(POLICY, plan(kind=PlanKind.VISITS, end=None), d(6, 10), d(6, 20), TODAY)


def test_policy_without_freeze_days_forbids_freezing():
    with pytest.raises(FreezeNotAllowed):
        check_freeze(FreezePolicy(0, 1), plan(), d(6, 10), d(6, 20), TODAY)


def test_stored_value_cannot_be_frozen():
    with pytest.raises(FreezeNotAllowed):
        check_freeze(POLICY, plan(kind=PlanKind.STORED_VALUE, end=None), d(6, 10), d(6, 20), TODAY)


def test_membership_that_ends_before_the_freeze_cannot_be_frozen():
    with pytest.raises(FreezeNotAllowed):
        check_freeze(POLICY, plan(end=d(6, 9)), d(6, 10), d(6, 20), TODAY)


def test_freeze_may_start_on_the_last_day_extended_by_earlier_freezes():
    earlier = FreezePeriod("a", d(3, 1), d(3, 5))
    check_freeze(POLICY, plan(earlier, end=d(6, 5)), d(6, 10), d(6, 12), TODAY)


def test_freeze_ending_before_it_starts_is_invalid():
    with pytest.raises(FreezeInvalidRange):
        check_freeze(POLICY, plan(), d(6, 20), d(6, 10), TODAY)


def test_freeze_in_the_past_is_invalid():
    with pytest.raises(FreezeInvalidRange):
        check_freeze(POLICY, plan(), d(5, 31), d(6, 10), TODAY)


def test_freeze_before_the_membership_starts_is_invalid():
    with pytest.raises(FreezeInvalidRange):
        check_freeze(POLICY, plan(start=d(7, 1)), d(6, 25), d(7, 5), TODAY)


def test_short_freeze_is_refused_with_its_length():
    with pytest.raises(FreezeTooShort) as caught:
        check_freeze(POLICY, plan(), d(6, 10), d(6, 11), TODAY)
    assert caught.value.params == {"days": 2, "min_days": 3}


def test_overlapping_freeze_is_refused_naming_the_existing_one():
    existing = FreezePeriod("old", d(6, 15), d(6, 18))
    with pytest.raises(FreezeOverlaps) as caught:
        check_freeze(POLICY, plan(existing), d(6, 10), d(6, 15), TODAY)
    assert caught.value.params == {"freeze_id": "old"}


def test_adjacent_freeze_does_not_overlap():
    existing = FreezePeriod("old", d(6, 15), d(6, 18))
    check_freeze(POLICY, plan(existing), d(6, 19), d(6, 22), TODAY)


def test_empty_freeze_never_overlaps():
    empty = FreezePeriod("empty", d(6, 15), d(6, 14))
    check_freeze(POLICY, plan(empty), d(6, 10), d(6, 20), TODAY)


def test_yearly_limit_counts_existing_and_requested_days():
    existing = FreezePeriod("old", d(2, 1), d(2, 20))  # 20 days
    check_freeze(POLICY, plan(existing), d(6, 10), d(6, 19), TODAY)  # exactly 30
    with pytest.raises(FreezeLimitExceeded) as caught:
        check_freeze(POLICY, plan(existing), d(6, 10), d(6, 20), TODAY)
    assert caught.value.params == {"used": 20, "requested": 11, "limit": 30, "year": 2026}


def test_freeze_spanning_new_year_counts_its_days_in_each_year():
    last_year = FreezePeriod("old", d(12, 20, 2025), d(1, 9, 2026))  # 12 in 2025, 9 in 2026
    policy = FreezePolicy(max_days_per_year=30, min_days_per_freeze=1)
    check_freeze(policy, plan(last_year), d(6, 1), d(6, 21), TODAY)  # 9 + 21 = 30
    with pytest.raises(FreezeLimitExceeded) as caught:
        check_freeze(policy, plan(last_year), d(6, 1), d(6, 22), TODAY)
    assert caught.value.params["used"] == 9


def test_request_spanning_new_year_is_checked_in_the_year_it_overflows():
    this_year = FreezePeriod("old", d(7, 1), d(7, 25))  # 25 days of 2026
    request = (d(12, 26), d(1, 10, 2027))  # 6 days in 2026, 10 in 2027
    with pytest.raises(FreezeLimitExceeded) as caught:
        check_freeze(POLICY, plan(this_year), *request, TODAY)
    assert caught.value.params == {"used": 25, "requested": 6, "limit": 30, "year": 2026}
    check_freeze(POLICY, plan(this_year), d(12, 27), d(1, 10, 2027), TODAY)


def test_shortened_freezes_only_count_their_remaining_days():
    cut = shorten_freeze(FreezePeriod("old", d(2, 1), d(2, 28)), d(2, 6))  # 5 days used
    check_freeze(POLICY, plan(cut), d(6, 1), d(6, 25), TODAY)


def test_early_unfreeze_ends_the_freeze_the_day_before():
    period = FreezePeriod("f", d(6, 10), d(6, 30))
    assert shorten_freeze(period, d(6, 15)) == FreezePeriod("f", d(6, 10), d(6, 14))


def test_unfreeze_on_the_first_day_leaves_an_empty_freeze():
    period = FreezePeriod("f", d(6, 10), d(6, 30))
    cut = shorten_freeze(period, d(6, 10))
    assert cut.end == d(6, 9) and cut.days == 0
    assert shorten_freeze(period, d(6, 1)) == cut


def test_unfreeze_after_the_freeze_is_over_changes_nothing():
    period = FreezePeriod("f", d(6, 10), d(6, 30))
    assert shorten_freeze(period, d(7, 1)) == period
    assert shorten_freeze(period, d(8, 1)) == period


def test_shortening_a_freeze_pulls_the_end_date_back():
    period = FreezePeriod("f", d(6, 10), d(6, 19))
    base = plan(period, end=d(12, 31))
    assert effective_end_date(base) == d(1, 10, 2027)
    shortened = plan(shorten_freeze(period, d(6, 13)), end=d(12, 31))
    assert effective_end_date(shortened) == d(1, 3, 2027)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    length=st.integers(min_value=1, max_value=200),
    cut=st.integers(min_value=-10, max_value=220),
)
def test_shortening_never_lengthens_and_leaves_exactly_the_days_before_unfreezing(
    start, length, cut
):
    period = FreezePeriod("f", start, start + timedelta(days=length - 1))
    unfreeze_on = start + timedelta(days=cut)
    shortened = shorten_freeze(period, unfreeze_on)
    assert shortened.start == period.start
    assert shortened.days == min(length, max(0, cut))


def test_request_spanning_new_year_is_checked_against_next_years_freezes_too():
    next_year = FreezePeriod("booked", d(3, 1, 2027), d(3, 25, 2027))  # 25 days of 2027
    with pytest.raises(FreezeLimitExceeded) as caught:
        check_freeze(POLICY, plan(next_year), d(12, 30), d(1, 10, 2027), TODAY)
    assert caught.value.params == {"used": 25, "requested": 10, "limit": 30, "year": 2027}
