"""Reads what the rules need about one member: plans, freezes, balances, last check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Row, func, select

from shared.events.projectors import (
    CHECKINS,
    FREEZES,
    LEDGER,
    MEMBERS,
    MEMBERSHIPS,
    PLANS,
)
from shared.kinds import Account, PlanKind
from shared.rules.checkin import FreezePeriod, MembershipState


@dataclass(frozen=True)
class MembershipView:
    state: MembershipState
    plan_name: str


@dataclass(frozen=True)
class Balances:
    points: int
    stored_value_fen: int


def load_member_row(conn: Connection, member_id: str) -> Row[tuple[object, ...]] | None:
    return conn.execute(select(MEMBERS).where(MEMBERS.c.id == member_id)).first()


def load_memberships(conn: Connection, member_id: str) -> list[MembershipView]:
    rows = conn.execute(
        select(MEMBERSHIPS, PLANS.c.name.label("plan_name"))
        .outerjoin(PLANS, PLANS.c.id == MEMBERSHIPS.c.plan_id)
        .where(MEMBERSHIPS.c.member_id == member_id)
        .order_by(MEMBERSHIPS.c.start_date)
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    freezes: dict[str, list[FreezePeriod]] = {}
    for f in conn.execute(select(FREEZES).where(FREEZES.c.membership_id.in_(ids))):
        period = _freeze_period(f)
        if period is not None:
            freezes.setdefault(f.membership_id, []).append(period)
    visits: dict[str, int] = dict(
        conn.execute(
            select(LEDGER.c.membership_id, func.sum(LEDGER.c.amount))
            .where(LEDGER.c.membership_id.in_(ids), LEDGER.c.account == Account.VISITS)
            .group_by(LEDGER.c.membership_id)
        ).all()
    )
    return [
        MembershipView(
            state=MembershipState(
                id=r.id,
                kind=PlanKind(r.kind),
                start_date=r.start_date,
                base_end_date=r.base_end_date,
                visits_left=int(visits.get(r.id) or 0) if r.kind == PlanKind.VISITS else None,
                freezes=tuple(sorted(freezes.get(r.id, []), key=lambda p: p.start)),
            ),
            plan_name=r.plan_name or "",
        )
        for r in rows
    ]


def load_balances(conn: Connection, member_id: str) -> Balances:
    sums: dict[str, int] = dict(
        conn.execute(
            select(LEDGER.c.account, func.sum(LEDGER.c.amount))
            .where(
                LEDGER.c.member_id == member_id,
                LEDGER.c.account.in_([Account.POINTS, Account.STORED_VALUE]),
            )
            .group_by(LEDGER.c.account)
        ).all()
    )
    return Balances(
        points=int(sums.get(Account.POINTS) or 0),
        stored_value_fen=int(sums.get(Account.STORED_VALUE) or 0),
    )


def last_checkin_at(conn: Connection, member_id: str) -> datetime | None:
    at: datetime | None = conn.execute(
        select(CHECKINS.c.at)
        .where(CHECKINS.c.member_id == member_id)
        .order_by(CHECKINS.c.at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return at


# Internals below.


def _freeze_period(row: Row[tuple[object, ...]]) -> FreezePeriod | None:
    """The freeze as the rules see it; None until its ``membership.frozen`` arrived."""
    start: date | None = row.start_date
    end: date | None = row.end_date
    if start is None or end is None:
        return None
    unfrozen_on: date | None = row.unfrozen_on
    if unfrozen_on is not None:
        end = min(end, unfrozen_on - timedelta(days=1))
    return FreezePeriod(id=str(row.id), start=start, end=end)
