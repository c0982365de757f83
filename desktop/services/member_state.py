"""Reads what the rules need about one member: plans, freezes, balances, last check-in.

An undone check-in (a row in ``checkin_undos``) counts for nothing: not as the last
check-in of the re-entry window, nor in any count (see :func:`not_undone`).

The statements are built once (with bound parameters) because a check-in runs them on
every scan; each is one indexed lookup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
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


@dataclass(frozen=True)
class CheckinMember:
    """What a check-in needs to know about the member, besides their plans."""

    birthday: date | None
    last_checkin_at: datetime | None


def load_checkin_member(conn: Connection, member_id: str) -> CheckinMember | None:
    """The member's birthday and last check-in not undone (as :func:`load_member_row`
    gives them); None for an unknown (or not yet enrolled here) member.

    A check-in's hot path: straight through the driver, reading only these columns.
    """
    row = driver_connection(conn).execute(_CHECKIN_MEMBER_SQL, (member_id,)).fetchone()
    if row is None or not row[0]:
        return None
    birthday, last = row[1], row[2]
    return CheckinMember(
        birthday=date.fromisoformat(birthday) if birthday is not None else None,
        last_checkin_at=_utc(last) if last is not None else None,
    )


def load_membership_states(conn: Connection, member_id: str) -> tuple[MembershipState, ...]:
    """The states of :func:`load_memberships` (same order), without plan names: what
    the check-in rules read, straight through the driver."""
    rows = driver_connection(conn).execute(_MEMBERSHIP_STATES_SQL, (member_id,)).fetchall()
    if not rows:
        return ()
    order: dict[str, tuple[Any, ...]] = {}
    freezes: dict[str, list[FreezePeriod]] = {}
    for r in rows:
        order.setdefault(r[0], r)
        period = _period(r[5], r[6], r[7], r[8])
        if period is not None:
            freezes.setdefault(r[0], []).append(period)
    states = []
    for membership_id, r in order.items():
        kind = PlanKind(r[1])
        states.append(
            MembershipState(
                id=membership_id,
                kind=kind,
                start_date=date.fromisoformat(r[2]),
                base_end_date=date.fromisoformat(r[3]) if r[3] is not None else None,
                visits_left=int(r[4] or 0) if kind == PlanKind.VISITS else None,
                freezes=tuple(sorted(freezes.get(membership_id, ()), key=lambda p: p.start)),
            )
        )
    return tuple(states)


def driver_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn`` (the terminal's store is always SQLite).

    Statements run on it take part in ``conn``'s transaction; the driver keeps their
    compiled form in its statement cache.
    """
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


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


# The raw statements of the check-in path: the same lookups as _MEMBER and _MEMBERSHIPS
# (same indexes, see EXPLAIN QUERY PLAN in the tests), only the columns the rules read.
_CHECKIN_MEMBER_SQL = """
SELECT m.member_no, m.birthday,
  (SELECT c.at FROM checkins AS c
   WHERE c.member_id = m.id
     AND NOT EXISTS (SELECT 1 FROM checkin_undos AS u WHERE u.checkin_id = c.id)
   ORDER BY c.at DESC LIMIT 1)
FROM members AS m WHERE m.id = ?
"""
# Visits are summed only for a 次卡: a time plan's row needs no ledger lookup.
_MEMBERSHIP_STATES_SQL = f"""
SELECT s.id, s.kind, s.start_date, s.base_end_date,
  CASE WHEN s.kind = '{PlanKind.VISITS.value}' THEN
    (SELECT sum(l.amount) FROM ledger_entries AS l
     WHERE l.membership_id = s.id AND l.account = '{Account.VISITS.value}')
  END,
  f.id, f.start_date, f.end_date, f.unfrozen_on
FROM memberships AS s LEFT OUTER JOIN membership_freezes AS f ON f.membership_id = s.id
WHERE s.member_id = ?
ORDER BY s.start_date, s.id
"""


def _utc(text: str) -> datetime:
    """A stored UtcDateTime ("2026-11-26 16:31:56.535207") read back aware, as the
    column type does."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _period(
    freeze_id: Any, start: str | None, end: str | None, unfrozen_on: str | None
) -> FreezePeriod | None:
    """:func:`_freeze_period` on raw column values."""
    if freeze_id is None or start is None or end is None:
        return None
    period = FreezePeriod(
        id=str(freeze_id), start=date.fromisoformat(start), end=date.fromisoformat(end)
    )
    if unfrozen_on is not None:
        period = shorten_freeze(period, date.fromisoformat(unfrozen_on))
    return period


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
