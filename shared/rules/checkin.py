"""Whether a member may come in right now, and what the front desk should be told.

Everything is decided in the branch's local calendar: a plan ending on day D admits
until the end of local day D at that branch, whatever the terminal's or server's zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.kinds import PlanKind


class Denial(StrEnum):
    NO_PLAN = "no_plan"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"
    FROZEN = "frozen"
    NO_VISITS_LEFT = "no_visits_left"
    CARD_REVOKED = "card_revoked"
    ALREADY_CHECKED_IN = "already_checked_in"


class Notice(StrEnum):
    PLAN_ENDING_SOON = "plan_ending_soon"
    BIRTHDAY_TODAY = "birthday_today"
    LAST_VISIT = "last_visit"


def freeze_days(start: date, end: date) -> int:
    """Days in the inclusive range ``[start, end]``; 0 when ``end < start``.

    An early unfreeze before a freeze began leaves ``end == start - 1 day`` (an empty
    freeze, kept so the history shows it); counting it as 0 days means it neither
    extends the plan nor uses up the yearly allowance. Lives here, not in ``freeze``,
    because ``effective_end_date`` needs it and ``freeze`` already imports this module.
    """
    return max(0, (end - start).days + 1)


@dataclass(frozen=True)
class FreezePeriod:
    """A pause of a membership over inclusive local dates (may be empty, see ``freeze_days``)."""

    id: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return freeze_days(self.start, self.end)


@dataclass(frozen=True)
class MembershipState:
    """What check-in needs to know about one membership; ``base_end_date`` None = no end."""

    id: str
    kind: PlanKind
    start_date: date
    base_end_date: date | None
    visits_left: int | None
    freezes: tuple[FreezePeriod, ...] = ()

    def __post_init__(self) -> None:
        # A visits plan without a count would silently never admit; fail where it is built.
        if self.kind is PlanKind.VISITS and self.visits_left is None:
            raise ValueError(f"visits membership {self.id!r} needs visits_left")


def effective_end_date(m: MembershipState) -> date | None:
    """The base end pushed back one day for every frozen day: a freeze must not cost the member."""
    if m.base_end_date is None:
        return None
    return m.base_end_date + timedelta(days=sum(f.days for f in m.freezes))


def is_frozen_on(m: MembershipState, day: date) -> bool:
    return any(f.start <= day <= f.end for f in m.freezes)


def require_aware(at: datetime, name: str = "at") -> None:
    """Refuse naive datetimes: without a zone there is no telling which local day it is."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {at!r}")


def local_date(at: datetime, tz: ZoneInfo) -> date:
    """The calendar day ``at`` falls on in ``tz`` (the branch's zone decides validity)."""
    require_aware(at)
    return at.astimezone(tz).date()


def is_birthday(birthday: date, day: date) -> bool:
    """Same month and day; a Feb 29 birthday is celebrated on Feb 28 in non-leap years."""
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(day.year):
        return (day.month, day.day) == (2, 28)
    return (birthday.month, birthday.day) == (day.month, day.day)


@dataclass(frozen=True)
class CheckinContext:
    now: datetime
    branch_tz: ZoneInfo
    memberships: tuple[MembershipState, ...]
    card_revoked: bool = False
    last_checkin_at: datetime | None = None
    window_minutes: int = 0
    birthday: date | None = None
    ending_soon_days: int = 7


@dataclass(frozen=True)
class CheckinDecision:
    """The outcome of one scan.

    ``days_left`` counts the local days the used plan still admits, today included:
    1 on its last day, None when it has no end date (given for visits plans with an
    expiry too). ``membership_id`` on a refusal names the membership the reason is
    about (None for card, window and no-plan refusals).
    """

    allowed: bool
    reason: Denial | None
    membership_id: str | None
    consumes_visit: bool
    notices: frozenset[Notice]
    days_left: int | None
    visits_left_after: int | None


_ADMITTING = frozenset({PlanKind.TIME, PlanKind.VISITS})
# Most promising first: a frozen plan can be unfrozen at the desk, an expired one cannot.
_DENIAL_PRECEDENCE = (Denial.FROZEN, Denial.NO_VISITS_LEFT, Denial.NOT_STARTED, Denial.EXPIRED)


def decide_checkin(ctx: CheckinContext) -> CheckinDecision:
    """Admit or refuse; card and double-scan checks come before looking at plans.

    Ties (two plans equally preferred, or refused for the same reason) go to the one
    listed first in ``ctx.memberships``.
    """
    today = local_date(ctx.now, ctx.branch_tz)
    greeting = _birthday_notice(ctx.birthday, today)
    if ctx.card_revoked:
        return _deny(Denial.CARD_REVOKED, None, greeting)
    if _checked_in_recently(ctx):
        return _deny(Denial.ALREADY_CHECKED_IN, None, greeting)
    admitting = [m for m in ctx.memberships if m.kind in _ADMITTING]
    if not admitting:
        return _deny(Denial.NO_PLAN, None, greeting)
    verdicts = [(m, _unusable_reason(m, today)) for m in admitting]
    usable = [m for m, reason in verdicts if reason is None]
    if usable:
        return _admit(min(usable, key=_preference), today, ctx.ending_soon_days, greeting)
    refusals = [(reason, m) for m, reason in verdicts if reason is not None]
    reason, closest = min(refusals, key=lambda pair: _DENIAL_PRECEDENCE.index(pair[0]))
    return _deny(reason, closest.id, greeting)


def _birthday_notice(birthday: date | None, today: date) -> frozenset[Notice]:
    if birthday is not None and is_birthday(birthday, today):
        return frozenset({Notice.BIRTHDAY_TODAY})
    return frozenset()


def _checked_in_recently(ctx: CheckinContext) -> bool:
    """Within the window either way: another branch's clock may run a little ahead of ours."""
    if ctx.window_minutes <= 0 or ctx.last_checkin_at is None:
        return False
    require_aware(ctx.last_checkin_at, "last_checkin_at")
    return abs(ctx.now - ctx.last_checkin_at) < timedelta(minutes=ctx.window_minutes)


def _unusable_reason(m: MembershipState, today: date) -> Denial | None:
    """Dates first: outside its dates a plan is not in force, so its freezes and visits are moot."""
    end = effective_end_date(m)
    if today < m.start_date:
        return Denial.NOT_STARTED
    if end is not None and today > end:
        return Denial.EXPIRED
    if is_frozen_on(m, today):
        return Denial.FROZEN
    if m.kind is PlanKind.VISITS and (m.visits_left or 0) <= 0:
        return Denial.NO_VISITS_LEFT
    return None


def _preference(m: MembershipState) -> tuple[bool, date]:
    """Time plans before visits plans (don't burn a visit), then the one ending soonest."""
    end = effective_end_date(m)
    return (m.kind is not PlanKind.TIME, date.max if end is None else end)


def _admit(
    m: MembershipState, today: date, ending_soon_days: int, greeting: frozenset[Notice]
) -> CheckinDecision:
    end = effective_end_date(m)
    notices = set(greeting)
    if end is not None and (end - today).days <= ending_soon_days:
        notices.add(Notice.PLAN_ENDING_SOON)
    visits_after = None
    if m.kind is PlanKind.VISITS and m.visits_left is not None:
        visits_after = m.visits_left - 1
        if visits_after == 0:
            notices.add(Notice.LAST_VISIT)
    return CheckinDecision(
        allowed=True,
        reason=None,
        membership_id=m.id,
        consumes_visit=m.kind is PlanKind.VISITS,
        notices=frozenset(notices),
        days_left=None if end is None else (end - today).days + 1,
        visits_left_after=visits_after,
    )


def _deny(
    reason: Denial, membership_id: str | None, greeting: frozenset[Notice]
) -> CheckinDecision:
    return CheckinDecision(
        allowed=False,
        reason=reason,
        membership_id=membership_id,
        consumes_visit=False,
        notices=greeting,
        days_left=None,
        visits_left_after=None,
    )
