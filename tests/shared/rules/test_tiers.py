"""Tier from rolling spend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rules.tiers import Tier, evaluate_tier

TIERS = [Tier("gold", 500_000), Tier("basic", 0), Tier("silver", 100_000)]
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_no_spend_is_the_base_tier():
    assert evaluate_tier(TIERS, [], NOW) == "basic"


def test_highest_tier_reached_wins_even_when_tiers_are_unordered():
    assert evaluate_tier(TIERS, [(days_ago(1), 100_000)], NOW) == "silver"
    assert evaluate_tier(TIERS, [(days_ago(1), 499_999)], NOW) == "silver"
    assert evaluate_tier(TIERS, [(days_ago(1), 300_000), (days_ago(2), 200_000)], NOW) == "gold"


def test_spend_older_than_the_window_no_longer_counts():
    assert evaluate_tier(TIERS, [(days_ago(365), 500_000)], NOW) == "basic"
    almost = days_ago(365) + timedelta(seconds=1)
    assert evaluate_tier(TIERS, [(almost, 500_000)], NOW) == "gold"


def test_spend_at_now_counts_but_future_spend_does_not():
    assert evaluate_tier(TIERS, [(NOW, 100_000)], NOW) == "silver"
    assert evaluate_tier(TIERS, [(NOW + timedelta(seconds=1), 100_000)], NOW) == "basic"


def test_window_length_is_configurable():
    spends = [(days_ago(40), 100_000)]
    assert evaluate_tier(TIERS, spends, NOW, window_days=30) == "basic"
    assert evaluate_tier(TIERS, spends, NOW, window_days=60) == "silver"


def test_refunds_reduce_the_spend():
    spends = [(days_ago(10), 500_000), (days_ago(5), -1)]
    assert evaluate_tier(TIERS, spends, NOW) == "silver"


def test_net_refund_leaves_the_member_in_the_base_tier():
    assert evaluate_tier(TIERS, [(days_ago(5), -50_000)], NOW) == "basic"


def test_spends_in_other_zones_compare_by_instant():
    shanghai = ZoneInfo("Asia/Shanghai")
    inside = (days_ago(365) + timedelta(minutes=1)).astimezone(shanghai)
    assert evaluate_tier(TIERS, [(inside, 100_000)], NOW) == "silver"


def test_tier_list_without_a_base_tier_is_refused():
    with pytest.raises(ValueError):
        evaluate_tier([Tier("silver", 100_000)], [], NOW)
    with pytest.raises(ValueError):
        evaluate_tier([], [], NOW)


def test_negative_threshold_or_window_is_refused():
    with pytest.raises(ValueError):
        evaluate_tier([Tier("basic", 0), Tier("odd", -1)], [], NOW)
    with pytest.raises(ValueError):
        evaluate_tier(TIERS, [], NOW, window_days=0)


@given(
    spends=st.lists(
        st.tuples(st.integers(min_value=0, max_value=800), st.integers(-100_000, 400_000)),
        max_size=20,
    )
)
def test_tier_is_the_highest_threshold_not_above_the_windowed_spend(spends):
    dated = [(days_ago(age), fen) for age, fen in spends]
    total = sum(fen for age, fen in spends if age < 365)
    expected = max(
        (t for t in TIERS if t.min_spend_fen <= max(total, 0)), key=lambda t: t.min_spend_fen
    )
    assert evaluate_tier(TIERS, dated, NOW) == expected.code
