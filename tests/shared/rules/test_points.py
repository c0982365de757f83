"""Points earning (integer rounding, multipliers) and the FIFO lot ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import PointsInsufficient
from shared.rules.points import (
    PointsEntry,
    PointsPolicy,
    PointsReason,
    available_points,
    check_redeem,
    lot_expiry,
    lot_remainders,
    points_for_purchase,
    points_to_expire,
)

A_TUESDAY = date(2026, 6, 16)


def earn(
    policy: PointsPolicy,
    paid_fen: int,
    *,
    tier: str = "basic",
    on: date = A_TUESDAY,
    birthday: date | None = None,
) -> int:
    return points_for_purchase(policy, paid_fen=paid_fen, tier=tier, on=on, birthday=birthday)


# --- earning ---------------------------------------------------------------------------


def test_one_point_per_whole_yuan_by_default():
    assert earn(PointsPolicy(), 12_300) == 123


def test_fractions_of_a_point_are_rounded_down():
    assert earn(PointsPolicy(), 12_399) == 123
    assert earn(PointsPolicy(), 99) == 0
    assert earn(PointsPolicy(), 0) == 0


def test_rounding_happens_once_after_all_multipliers():
    # 1.99 yuan x 150% x 150% = 4.48 -> 4; rounding to whole yuan first would give 2.
    policy = PointsPolicy(tier_multiplier_pct={"gold": 150}, promotion_weekdays={1: 150})
    assert earn(policy, 199, tier="gold") == 4


def test_points_per_yuan_scales_earning():
    assert earn(PointsPolicy(points_per_yuan=3), 1_050) == 31


def test_tier_multiplier_applies_and_unknown_tier_earns_plain_rate():
    policy = PointsPolicy(tier_multiplier_pct={"gold": 150})
    assert earn(policy, 10_000, tier="gold") == 150
    assert earn(policy, 10_000, tier="silver") == 100


def test_promotion_date_multiplies():
    policy = PointsPolicy(promotion_dates={A_TUESDAY: 300})
    assert earn(policy, 10_000) == 300
    assert earn(policy, 10_000, on=A_TUESDAY + timedelta(days=7)) == 100


def test_promotion_weekday_multiplies_with_monday_as_zero():
    policy = PointsPolicy(promotion_weekdays={0: 200})
    assert earn(policy, 10_000, on=date(2026, 6, 15)) == 200
    assert earn(policy, 10_000, on=A_TUESDAY) == 100


def test_overlapping_promotions_do_not_stack_the_best_one_wins():
    policy = PointsPolicy(promotion_dates={A_TUESDAY: 150}, promotion_weekdays={1: 200})
    assert earn(policy, 10_000) == 200


def test_birthday_multiplier_applies_on_the_birthday_only():
    policy = PointsPolicy(birthday_multiplier_pct=200)
    assert earn(policy, 10_000, birthday=date(1990, 6, 16)) == 200
    assert earn(policy, 10_000, birthday=date(1990, 6, 17)) == 100
    assert earn(policy, 10_000, birthday=None) == 100


def test_feb_29_birthday_multiplier_applies_on_feb_28_in_non_leap_years():
    policy = PointsPolicy(birthday_multiplier_pct=200)
    assert earn(policy, 10_000, on=date(2026, 2, 28), birthday=date(2000, 2, 29)) == 200


def test_tier_promotion_and_birthday_multipliers_stack():
    policy = PointsPolicy(
        tier_multiplier_pct={"gold": 150},
        promotion_weekdays={1: 200},
        birthday_multiplier_pct=300,
    )
    assert earn(policy, 10_000, tier="gold", birthday=date(1990, 6, 16)) == 900


def test_negative_payment_is_refused():
    with pytest.raises(ValueError):
        earn(PointsPolicy(), -1)


def test_negative_multiplier_is_refused_at_setup():
    with pytest.raises(ValueError):
        PointsPolicy(tier_multiplier_pct={"bad": -100})
    with pytest.raises(ValueError):
        PointsPolicy(lot_lifetime_days=0)


@given(
    paid=st.integers(min_value=0, max_value=10**9),
    rate=st.integers(min_value=0, max_value=20),
    tier=st.integers(min_value=0, max_value=500),
    promo=st.integers(min_value=0, max_value=500),
)
def test_earning_matches_exact_rational_floor(paid, rate, tier, promo):
    policy = PointsPolicy(
        points_per_yuan=rate, tier_multiplier_pct={"t": tier}, promotion_dates={A_TUESDAY: promo}
    )
    exact = Fraction(paid, 100) * rate * Fraction(tier, 100) * Fraction(promo, 100)
    assert earn(policy, paid, tier="t") == int(exact)  # int() floors a non-negative Fraction


# --- lots and expiry -------------------------------------------------------------------

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def lot(id: str, amount: int, hours: int, expires_hours: int | None = None) -> PointsEntry:
    expires = None if expires_hours is None else at(expires_hours)
    return PointsEntry(id, amount, at(hours), PointsReason.EARN, expires)


def spend(id: str, amount: int, hours: int, reason: PointsReason = PointsReason.REDEEM):
    return PointsEntry(id, -amount, at(hours), reason)


def test_lot_expiry_is_lifetime_after_earning():
    assert lot_expiry(PointsPolicy(lot_lifetime_days=365), T0) == T0 + timedelta(days=365)


def test_points_never_expire_without_a_lifetime():
    assert lot_expiry(PointsPolicy(lot_lifetime_days=None), T0) is None


def test_lot_expiry_needs_an_aware_time():
    with pytest.raises(ValueError):
        lot_expiry(PointsPolicy(), datetime(2026, 1, 1))


def test_redemption_uses_oldest_lot_first():
    entries = [lot("a", 100, 0), lot("b", 100, 1), spend("r", 150, 2)]
    remainders = [(e.id, left) for e, left in lot_remainders(entries, at(3))]
    assert remainders == [("a", 0), ("b", 50)]


def test_entries_are_replayed_in_time_order_not_list_order():
    entries = [spend("r", 150, 2), lot("b", 100, 1), lot("a", 100, 0)]
    remainders = [(e.id, left) for e, left in lot_remainders(entries, at(3))]
    assert remainders == [("a", 0), ("b", 50)]


def test_redemption_skips_lots_already_expired_at_its_time():
    entries = [lot("old", 100, 0, expires_hours=5), lot("new", 100, 1), spend("r", 30, 6)]
    remainders = {e.id: left for e, left in lot_remainders(entries, at(7))}
    assert remainders == {"old": 100, "new": 70}
    assert available_points(entries, at(7)) == 70
    assert points_to_expire(entries, at(7)) == 100


def test_negative_adjustment_consumes_like_a_redemption():
    entries = [lot("a", 100, 0), spend("adj", 40, 1, PointsReason.ADJUST)]
    assert available_points(entries, at(2)) == 60


def test_positive_adjustment_is_a_lot():
    entries = [PointsEntry("adj", 25, at(0), PointsReason.ADJUST)]
    assert available_points(entries, at(1)) == 25


def test_lot_is_available_until_its_expiry_instant():
    entries = [lot("a", 100, 0, expires_hours=10)]
    assert available_points(entries, at(10) - timedelta(seconds=1)) == 100
    assert available_points(entries, at(10)) == 0
    assert points_to_expire(entries, at(10)) == 100


def test_expire_entry_writes_off_only_expired_lots():
    entries = [
        lot("old", 100, 0, expires_hours=5),
        lot("new", 100, 1, expires_hours=50),
        spend("x", 100, 6, PointsReason.EXPIRE),
    ]
    assert points_to_expire(entries, at(7)) == 0
    assert available_points(entries, at(7)) == 100


def test_repeated_expiry_run_cannot_take_live_points():
    entries = [
        lot("old", 100, 0, expires_hours=5),
        lot("new", 100, 1),
        spend("x1", 100, 6, PointsReason.EXPIRE),
        spend("x2", 100, 6, PointsReason.EXPIRE),
    ]
    assert available_points(entries, at(7)) == 100


def test_offline_overdraft_becomes_a_debt_repaid_by_the_next_lot():
    entries = [lot("a", 100, 0), spend("r1", 80, 1), spend("r2", 80, 2)]
    assert available_points(entries, at(3)) == -60
    entries.append(lot("b", 100, 4))
    assert available_points(entries, at(5)) == 40
    assert [left for _, left in lot_remainders(entries, at(5))] == [0, 40]


def test_redeeming_within_the_balance_passes():
    check_redeem([lot("a", 100, 0)], at(1), 100)


def test_redeeming_more_than_available_is_refused_with_the_numbers():
    entries = [lot("a", 100, 0), lot("b", 50, 1, expires_hours=2)]
    with pytest.raises(PointsInsufficient) as caught:
        check_redeem(entries, at(3), 101)
    assert caught.value.params == {"available": 100, "requested": 101}


def test_redeeming_nothing_is_a_programming_error():
    with pytest.raises(ValueError):
        check_redeem([lot("a", 100, 0)], at(1), 0)


# A ledger is built step by step: each step earns a lot (with or without expiry), tries a
# redemption or runs the expiry job, some hours after the previous step.
_step = st.tuples(
    st.sampled_from(["earn", "earn_forever", "redeem", "adjust", "expire"]),
    st.integers(min_value=1, max_value=500),
    st.integers(min_value=0, max_value=48),
    st.integers(min_value=1, max_value=200),
)


def _build(steps, *, checked: bool) -> tuple[list[PointsEntry], datetime]:
    entries: list[PointsEntry] = []
    now = T0
    for n, (kind, amount, gap, lifetime) in enumerate(steps):
        now += timedelta(hours=gap)
        if kind == "earn":
            entries.append(
                PointsEntry(f"{n}", amount, now, PointsReason.EARN, now + timedelta(hours=lifetime))
            )
        elif kind == "earn_forever":
            entries.append(PointsEntry(f"{n}", amount, now, PointsReason.EARN))
        elif kind == "expire":
            due = points_to_expire(entries, now)
            if due:
                entries.append(PointsEntry(f"{n}", -due, now, PointsReason.EXPIRE))
        else:
            reason = PointsReason.REDEEM if kind == "redeem" else PointsReason.ADJUST
            if checked:
                try:
                    check_redeem(entries, now, amount)
                except PointsInsufficient:
                    continue
            entries.append(PointsEntry(f"{n}", -amount, now, reason))
    return entries, now


@given(steps=st.lists(_step, max_size=30), later=st.integers(min_value=0, max_value=500))
def test_available_plus_expiring_plus_consumed_equals_all_lots(steps, later):
    entries, now = _build(steps, checked=True)
    now += timedelta(hours=later)
    remainders = lot_remainders(entries, now)
    lots = sum(e.amount for e in entries if e.amount > 0)
    consumed = -sum(e.amount for e in entries if e.amount < 0)
    assert available_points(entries, now) + points_to_expire(entries, now) + consumed == lots
    assert all(0 <= left <= e.amount for e, left in remainders)


@given(steps=st.lists(_step, max_size=30), later=st.integers(min_value=0, max_value=500))
def test_balance_equals_ledger_sum_even_after_offline_overdrafts(steps, later):
    entries, now = _build(steps, checked=False)
    now += timedelta(hours=later)
    total = sum(e.amount for e in entries)
    assert available_points(entries, now) + points_to_expire(entries, now) == total


@given(steps=st.lists(_step, max_size=30), later=st.integers(min_value=0, max_value=500))
def test_writing_off_what_is_due_leaves_nothing_due_and_balance_unchanged(steps, later):
    entries, now = _build(steps, checked=False)
    now += timedelta(hours=later)
    before = available_points(entries, now)
    due = points_to_expire(entries, now)
    written_off = [*entries, PointsEntry("x", -due, now, PointsReason.EXPIRE)]
    assert points_to_expire(written_off, now) == 0
    assert available_points(written_off, now) == before


@given(steps=st.lists(_step, max_size=30))
def test_balance_never_goes_negative_when_every_redemption_was_checked(steps):
    entries: list[PointsEntry] = []
    for n in range(len(steps)):
        entries, now = _build(steps[: n + 1], checked=True)
        assert available_points(entries, now) >= 0
