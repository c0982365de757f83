"""Which member tier a customer's recent spending earns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Tier:
    code: str
    min_spend_fen: int


def evaluate_tier(
    tiers: Sequence[Tier],
    spends: Iterable[tuple[datetime, int]],
    now: datetime,
    window_days: int = 365,
) -> str:
    """The highest tier whose threshold the net spend over ``(now - window_days, now]`` meets.

    Refunds are negative spends; a net refund still leaves the member in the base tier
    (the one with min 0), which every tier list must have so everyone gets some tier.
    Ties between tiers with the same threshold go to the one listed first.
    """
    if not any(t.min_spend_fen == 0 for t in tiers):
        raise ValueError("a tier list needs a base tier with min_spend_fen 0")
    if any(t.min_spend_fen < 0 for t in tiers):
        raise ValueError("min_spend_fen cannot be negative")
    if window_days <= 0:
        raise ValueError(f"window_days must be positive, got {window_days}")
    since = now - timedelta(days=window_days)
    spent = max(0, sum(fen for at, fen in spends if since < at <= now))
    eligible = [t for t in tiers if t.min_spend_fen <= spent]
    return max(eligible, key=lambda t: t.min_spend_fen).code
