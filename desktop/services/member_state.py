"""Reads what the rules need about one member: plans, freezes, balances, last check-in.

An undone check-in (a row in ``checkin_undos``) counts for nothing: not as the last
check-in of the re-entry window, nor in any count (see :func:`not_undone`).

The statements are built once (with bound parameters) because a check-in runs them on
every scan; each is one indexed lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, bindparam, exists, func, select

from shared.events.projectors import (
    CHECKIN_UNDOS,
    CHECKINS,
    FREEZES,
    LEDGER,
    MEMBERS,
    MEMBERSHIPS,
    PLANS,
)
from shared.kinds import Account, PlanKind
from shared.rules.checkin import FreezePeriod, MembershipState
from shared.rules.freeze import shorten_freeze


@dataclass(frozen=True)
class MembershipView:
    state: MembershipState
    plan_name: str


@dataclass(frozen=True)
class Balances:
    points: int
    stored_value_fen: int


def load_member_row(conn: Connection, member_id: str) -> Row[Any] | None:
    """The member's row plus ``last_checkin_at``; None for an unknown (or not yet
    enrolled here) member."""
    row = conn.execute(_MEMBER, {"member_id": member_id}).first()
    if row is None or not row.member_no:
        return None
    return row


def load_memberships(conn: Connection, member_id: str) -> list[MembershipView]:
    """The member's memberships with their freezes and visits left (one query)."""
    views: dict[str, tuple[Row[Any], list[FreezePeriod]]] = {}
    for r in conn.execute(_MEMBERSHIPS, {"member_id": member_id}):
        _, freezes = views.setdefault(r.id, (r, []))
        period = _freeze_period(r)
        if period is not None:
            freezes.append(period)
    return [
        MembershipView(
            state=MembershipState(
                id=r.id,
                kind=PlanKind(r.kind),
                start_date=r.start_date,
                base_end_date=r.base_end_date,
                visits_left=int(r.visits or 0) if r.kind == PlanKind.VISITS else None,
                freezes=tuple(sorted(freezes, key=lambda p: p.start)),
            ),
            plan_name=r.plan_name or "",
        )
        for r, freezes in views.values()
    ]


def load_balances(conn: Connection, member_id: str) -> Balances:
    sums: dict[str, int] = {
        r.account: int(r.total or 0) for r in conn.execute(_BALANCES, {"member_id": member_id})
    }
    return Balances(
        points=sums.get(Account.POINTS, 0),
        stored_value_fen=sums.get(Account.STORED_VALUE, 0),
    )


def not_undone() -> ColumnElement[bool]:
    """The condition a ``checkins`` row must meet to count: nobody has undone it."""
    return ~exists().where(CHECKIN_UNDOS.c.checkin_id == CHECKINS.c.id)


# Internals below.

# Newest first down the (member_id, at) index, stopping at the first one not undone:
# one probe in the usual case, however many visits the member has made.
_LAST_CHECKIN = (
    select(CHECKINS.c.at)
    .where(CHECKINS.c.member_id == MEMBERS.c.id, not_undone())
    .correlate(MEMBERS)
    .order_by(CHECKINS.c.at.desc())
    .limit(1)
    .scalar_subquery()
)
_MEMBER = select(MEMBERS, _LAST_CHECKIN.label("last_checkin_at")).where(
    MEMBERS.c.id == bindparam("member_id")
)
_VISITS_LEFT = (
    select(func.sum(LEDGER.c.amount))
    .where(LEDGER.c.membership_id == MEMBERSHIPS.c.id, LEDGER.c.account == Account.VISITS.value)
    .correlate(MEMBERSHIPS)
    .scalar_subquery()
)
_MEMBERSHIPS = (
    select(
        MEMBERSHIPS,
        PLANS.c.name.label("plan_name"),
        _VISITS_LEFT.label("visits"),
        FREEZES.c.id.label("freeze_id"),
        FREEZES.c.start_date.label("freeze_start"),
        FREEZES.c.end_date.label("freeze_end"),
        FREEZES.c.unfrozen_on.label("freeze_unfrozen_on"),
    )
    .outerjoin(PLANS, PLANS.c.id == MEMBERSHIPS.c.plan_id)
    .outerjoin(FREEZES, FREEZES.c.membership_id == MEMBERSHIPS.c.id)
    .where(MEMBERSHIPS.c.member_id == bindparam("member_id"))
    .order_by(MEMBERSHIPS.c.start_date, MEMBERSHIPS.c.id)
)
_BALANCES = (
    select(LEDGER.c.account, func.sum(LEDGER.c.amount).label("total"))
    .where(
        LEDGER.c.member_id == bindparam("member_id"),
        LEDGER.c.account.in_([Account.POINTS.value, Account.STORED_VALUE.value]),
    )
    .group_by(LEDGER.c.account)
)


def _freeze_period(row: Row[Any]) -> FreezePeriod | None:
    """The freeze on this row as the rules see it; None when there is none, or until its
    ``membership.frozen`` arrived (an early unfreeze may come first)."""
    start: date | None = row.freeze_start
    end: date | None = row.freeze_end
    if row.freeze_id is None or start is None or end is None:
        return None
    period = FreezePeriod(id=str(row.freeze_id), start=start, end=end)
    if row.freeze_unfrozen_on is not None:
        period = shorten_freeze(period, row.freeze_unfrozen_on)
    return period
