"""Whether a membership may be paused over a date range, and early unfreezing.

A freeze pushes the membership's end back day for day (see ``effective_end_date``), so
the policy limits how much of it a member may take per calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from shared.errors import (
    FreezeInvalidRange,
    FreezeLimitExceeded,
    FreezeNotAllowed,
    FreezeOverlaps,
    FreezeTooShort,
)
from shared.kinds import PlanKind
from shared.rules.checkin import FreezePeriod, MembershipState, effective_end_date, freeze_days

__all__ = ["FreezePolicy", "check_freeze", "freeze_days", "shorten_freeze"]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class FreezePolicy:
    """``max_days_per_year`` 0 (or less) means freezing is not offered at all."""

    max_days_per_year: int
    min_days_per_freeze: int


def check_freeze(
    policy: FreezePolicy, membership: MembershipState, start: date, end: date, today: date
) -> None:
    """Raise the first reason the freeze ``[start, end]`` (inclusive) may not be booked.

    Checked in this order: not allowed, invalid range, too short, overlap, yearly limit.
    """
    _check_allowed(policy, membership, start)
    _check_range(membership, start, end, today)
    days = freeze_days(start, end)
    if days < policy.min_days_per_freeze:
        raise FreezeTooShort(days=days, min_days=policy.min_days_per_freeze)
    _check_no_overlap(membership.freezes, start, end)
    _check_yearly_limit(policy.max_days_per_year, membership.freezes, start, end)


def shorten_freeze(period: FreezePeriod, unfreeze_on: date) -> FreezePeriod:
    """End the freeze the day before ``unfreeze_on`` so the member may come in that day.

    Unfreezing on or before the first frozen day leaves an empty freeze
    (``end == start - 1 day``, counted as 0 days); unfreezing after the freeze is over
    changes nothing (it must never lengthen a freeze).
    """
    new_end = max(period.start - _ONE_DAY, min(period.end, unfreeze_on - _ONE_DAY))
    return replace(period, end=new_end)


def _check_allowed(policy: FreezePolicy, membership: MembershipState, start: date) -> None:
    """Stored value is money, not time: there is nothing to pause."""
    if policy.max_days_per_year <= 0:
        raise FreezeNotAllowed(reason="policy")
    if membership.kind is PlanKind.STORED_VALUE:
        raise FreezeNotAllowed(reason="stored_value")
    end = effective_end_date(membership)
    if end is not None and end < start:
        raise FreezeNotAllowed(reason="ended")


def _check_range(membership: MembershipState, start: date, end: date, today: date) -> None:
    """No freezing the past, and none before the plan starts (that would be a free extension)."""
    if end < start or start < today or start < membership.start_date:
        raise FreezeInvalidRange(start=start.isoformat(), end=end.isoformat())


def _check_no_overlap(freezes: tuple[FreezePeriod, ...], start: date, end: date) -> None:
    for f in freezes:
        if f.days > 0 and f.start <= end and start <= f.end:
            raise FreezeOverlaps(freeze_id=f.id)


def _check_yearly_limit(
    limit: int, freezes: tuple[FreezePeriod, ...], start: date, end: date
) -> None:
    """Each calendar year the request touches is checked on the days falling inside it."""
    for year in range(start.year, end.year + 1):
        used = sum(_days_in_year(f.start, f.end, year) for f in freezes)
        requested = _days_in_year(start, end, year)
        if used + requested > limit:
            raise FreezeLimitExceeded(used=used, requested=requested, limit=limit, year=year)


def _days_in_year(start: date, end: date, year: int) -> int:
    return freeze_days(max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
