"""Points earned on purchases, and the FIFO lots that make up a points balance.

All arithmetic is on integers (fen, whole points, percents) so results never depend
on float rounding and the terminal and the server always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.errors import PointsInsufficient
from shared.rules.checkin import is_birthday, require_aware

_FEN_PER_YUAN = 100
_PCT = 100


@dataclass(frozen=True)
class PointsPolicy:
    """Percent multipliers: 100 = unchanged, 200 = double points."""

    points_per_yuan: int = 1
    tier_multiplier_pct: Mapping[str, int] = field(default_factory=dict)
    promotion_dates: Mapping[date, int] = field(default_factory=dict)
    promotion_weekdays: Mapping[int, int] = field(default_factory=dict)
    birthday_multiplier_pct: int = 100
    lot_lifetime_days: int | None = 365

    def __post_init__(self) -> None:
        # A negative factor would make a purchase take points away; refuse it at setup.
        factors = [
            self.points_per_yuan,
            self.birthday_multiplier_pct,
            *self.tier_multiplier_pct.values(),
            *self.promotion_dates.values(),
            *self.promotion_weekdays.values(),
        ]
        if any(f < 0 for f in factors):
            raise ValueError("points rates and multipliers cannot be negative")
        if self.lot_lifetime_days is not None and self.lot_lifetime_days <= 0:
            raise ValueError("lot_lifetime_days must be positive or None")


def points_for_purchase(
    policy: PointsPolicy, *, paid_fen: int, tier: str, on: date, birthday: date | None
) -> int:
    """Points for one payment, rounded down once at the very end.

    points = floor(paid_fen * points_per_yuan * tier_pct * promo_pct * birthday_pct
                   / (100 * 100 * 100 * 100))
    where the first 100 turns fen into yuan. promo_pct is the largest of the date and
    weekday promotions that apply on ``on`` (100 when none does), so promotions do not
    stack with each other; tier, promotion and birthday multipliers do stack.
    """
    if paid_fen < 0:
        raise ValueError(f"paid_fen cannot be negative, got {paid_fen}")
    tier_pct = policy.tier_multiplier_pct.get(tier, _PCT)
    birthday_pct = policy.birthday_multiplier_pct if _is_birthday(birthday, on) else _PCT
    numerator = (
        paid_fen * policy.points_per_yuan * tier_pct * _promotion_pct(policy, on) * birthday_pct
    )
    return numerator // (_FEN_PER_YUAN * _PCT**3)


def _promotion_pct(policy: PointsPolicy, on: date) -> int:
    applicable = [
        pct
        for pct in (policy.promotion_dates.get(on), policy.promotion_weekdays.get(on.weekday()))
        if pct is not None
    ]
    return max(applicable, default=_PCT)


def _is_birthday(birthday: date | None, on: date) -> bool:
    return birthday is not None and is_birthday(birthday, on)


def lot_expiry(policy: PointsPolicy, earned_at: datetime) -> datetime | None:
    """When points earned at ``earned_at`` lapse; None if the policy keeps them forever."""
    require_aware(earned_at, "earned_at")
    if policy.lot_lifetime_days is None:
        return None
    return earned_at + timedelta(days=policy.lot_lifetime_days)


class PointsReason(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


@dataclass(frozen=True)
class PointsEntry:
    """One ledger line. A positive amount is a lot; a negative one takes points from lots."""

    id: str
    amount: int
    at: datetime
    reason: PointsReason
    expires_at: datetime | None = None


def lot_remainders(entries: Sequence[PointsEntry], now: datetime) -> list[tuple[PointsEntry, int]]:
    """Every lot (positive entry), oldest first, with what is left of it.

    ``now`` is accepted for symmetry with the other queries; remainders depend only on
    the ledger (all entries are replayed, whatever their time).
    """
    replay = _replay(entries)
    return list(zip(replay.lots, replay.left, strict=True))


def available_points(entries: Sequence[PointsEntry], now: datetime) -> int:
    """Spendable points: unexpired remainders minus any overdraft not yet repaid.

    Negative only when redemptions made offline on two terminals overdrew the account.
    """
    replay = _replay(entries)
    unexpired = sum(
        left for lot, left in zip(replay.lots, replay.left, strict=True) if not _expired(lot, now)
    )
    return unexpired - replay.debt


def points_to_expire(entries: Sequence[PointsEntry], now: datetime) -> int:
    """What an expiry job must write off now: remainders of lots with ``expires_at <= now``."""
    return sum(left for lot, left in lot_remainders(entries, now) if _expired(lot, now))


def check_redeem(entries: Sequence[PointsEntry], now: datetime, amount: int) -> None:
    if amount <= 0:
        raise ValueError(f"amount to redeem must be positive, got {amount}")
    available = available_points(entries, now)
    if amount > available:
        raise PointsInsufficient(available=available, requested=amount)


@dataclass(frozen=True)
class _Replay:
    lots: list[PointsEntry]
    left: list[int]
    debt: int


def _replay(entries: Sequence[PointsEntry]) -> _Replay:
    """Replay the ledger in time order (ties keep the given order), consuming lots FIFO.

    A redemption or negative adjustment takes from the oldest lots still valid at its
    time; whatever it cannot cover (two offline terminals both spent the same points)
    becomes a debt that the next lots pay off first, so the balance still equals the
    ledger sum. An EXPIRE entry writes off lots already expired at its time, oldest
    first, and never more than they hold (a repeated expiry run cannot take live points).
    """
    lots: list[PointsEntry] = []
    left: list[int] = []
    debt = 0
    for entry in sorted(entries, key=lambda e: e.at):
        if entry.amount > 0:
            repaid = min(debt, entry.amount)
            debt -= repaid
            lots.append(entry)
            left.append(entry.amount - repaid)
        elif entry.reason is PointsReason.EXPIRE:
            _take(lots, left, -entry.amount, entry.at, expired=True)
        elif entry.amount < 0:
            debt += _take(lots, left, -entry.amount, entry.at, expired=False)
    return _Replay(lots, left, debt)


def _take(
    lots: list[PointsEntry], left: list[int], wanted: int, at: datetime, *, expired: bool
) -> int:
    """Take up to ``wanted`` from the oldest lots whose expiry state at ``at`` matches.

    Mutates ``left``; returns the part that could not be taken.
    """
    for i, lot in enumerate(lots):
        if wanted == 0:
            break
        if _expired(lot, at) == expired:
            taken = min(left[i], wanted)
            left[i] -= taken
            wanted -= taken
    return wanted


def _expired(lot: PointsEntry, at: datetime) -> bool:
    return lot.expires_at is not None and lot.expires_at <= at
