"""A member's history for the member screen: check-ins, ledger movements and orders.

Every list is newest first and paged by keyset on ``(at, id)``, never by OFFSET: pass
the ``cursor`` of the last item of a page as ``before`` to get the next one (a plain
datetime gives everything strictly before that instant). Rows arriving by sync between
two pages never make a page repeat or skip an item that was already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    case,
    func,
    or_,
    select,
)

from desktop.services.context import ServiceContext
from shared.errors import ValidationError
from shared.events.projectors import (
    CHECKIN_UNDOS,
    CHECKINS,
    LEDGER,
    MEMBERS,
    MEMBERSHIPS,
    ORDER_LINES,
    ORDERS,
    PAYMENTS,
    PLANS,
    STAFF,
)
from shared.kinds import Account, CheckinMethod, PaymentMethod
from shared.permissions import Action

MAX_PAGE = 500


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page holds the items strictly before it."""

    at: datetime
    id: str


@dataclass(frozen=True)
class CheckinView:
    """One check-in as the desk lists it; an undone one is kept and flagged."""

    id: str
    member_id: str
    member_no: str  # "" until the member's enrolment has arrived here
    member_name: str
    method: CheckinMethod
    at: datetime
    branch_id: str
    staff_id: str
    staff_name: str
    membership_id: str | None
    plan_name: str | None
    used_visit: bool  # took one visit of a 次卡 (given back if undone)
    undone_at: datetime | None = None
    undone_by: str | None = None  # staff name
    undo_reason: str | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.id)


@dataclass(frozen=True)
class LedgerView:
    """One movement of points, visits or stored value (fen).

    ``balance_after`` is the sum of the account's entries up to and including this one
    (for visits: of the same membership), as known here now; expiry is not applied.
    """

    id: str
    account: Account
    amount: int
    reason: str
    at: datetime
    balance_after: int
    membership_id: str | None
    plan_name: str | None
    order_id: str | None
    expires_at: datetime | None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.id)


@dataclass(frozen=True)
class OrderLineView:
    id: str
    kind: str  # plan, service, product
    ref_id: str | None
    description: str
    quantity: int
    unit_price_fen: int
    amount_fen: int


@dataclass(frozen=True)
class PaymentView:
    id: str
    method: PaymentMethod
    amount_fen: int


@dataclass(frozen=True)
class OrderView:
    id: str
    at: datetime
    total_fen: int
    branch_id: str
    staff_id: str
    staff_name: str
    lines: tuple[OrderLineView, ...]
    payments: tuple[PaymentView, ...]

    @property
    def summary(self) -> str:
        """The lines in one short text, e.g. "10次卡, 矿泉水 ×2"."""
        return ", ".join(
            line.description + (f" ×{line.quantity}" if line.quantity > 1 else "")
            for line in self.lines
        )

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.id)


class HistoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def checkins(
        self, member_id: str, limit: int = 50, before: datetime | Cursor | None = None
    ) -> list[CheckinView]:
        """The member's check-ins at every branch, newest first, undone ones flagged."""
        self._ctx.actor(Action.VIEW_MEMBER)
        conditions = [CHECKINS.c.member_id == member_id]
        conditions += _before(CHECKINS.c.at, CHECKINS.c.id, before)
        with self._ctx.engine.connect() as conn:
            return read_checkins(conn, conditions, _page_size(limit))

    def ledger(
        self,
        member_id: str,
        account: Account | None = None,
        limit: int = 50,
        before: datetime | Cursor | None = None,
    ) -> list[LedgerView]:
        """The member's points, visits and stored-value movements, newest first."""
        self._ctx.actor(Action.VIEW_MEMBER)
        size = _page_size(limit)
        with self._ctx.engine.connect() as conn:
            rows = conn.execute(_ledger_page(member_id, account, before, size))
            return [_ledger_view(r) for r in rows]

    def orders(
        self, member_id: str, limit: int = 50, before: datetime | Cursor | None = None
    ) -> list[OrderView]:
        """The member's orders with their lines and payments, newest first (three
        queries, whatever the page size)."""
        self._ctx.actor(Action.VIEW_MEMBER)
        size = _page_size(limit)
        conditions = [ORDERS.c.member_id == member_id]
        conditions += _before(ORDERS.c.at, ORDERS.c.id, before)
        with self._ctx.engine.connect() as conn:
            page = conn.execute(
                select(ORDERS, STAFF.c.name.label("staff_name"))
                .outerjoin(STAFF, STAFF.c.id == ORDERS.c.staff_id)
                .where(*conditions)
                .order_by(ORDERS.c.at.desc(), ORDERS.c.id.desc())
                .limit(size)
            ).all()
            ids = [r.id for r in page]
            lines: dict[str, list[OrderLineView]] = {i: [] for i in ids}
            payments: dict[str, list[PaymentView]] = {i: [] for i in ids}
            if ids:
                for r in conn.execute(
                    select(ORDER_LINES)
                    .where(ORDER_LINES.c.order_id.in_(ids))
                    .order_by(ORDER_LINES.c.id)
                ):
                    lines[r.order_id].append(
                        OrderLineView(
                            id=r.id,
                            kind=r.kind,
                            ref_id=r.ref_id,
                            description=r.description,
                            quantity=r.quantity,
                            unit_price_fen=r.unit_price_fen,
                            amount_fen=r.amount_fen,
                        )
                    )
                for r in conn.execute(
                    select(PAYMENTS).where(PAYMENTS.c.order_id.in_(ids)).order_by(PAYMENTS.c.id)
                ):
                    payments[r.order_id].append(
                        PaymentView(
                            id=r.id, method=PaymentMethod(r.method), amount_fen=r.amount_fen
                        )
                    )
        return [
            OrderView(
                id=r.id,
                at=r.at,
                total_fen=r.total_fen,
                branch_id=r.branch_id,
                staff_id=r.staff_id,
                staff_name=r.staff_name or "",
                lines=tuple(lines[r.id]),
                payments=tuple(payments[r.id]),
            )
            for r in page
        ]


def read_checkins(
    conn: Connection, conditions: Sequence[ColumnElement[bool]], limit: int
) -> list[CheckinView]:
    """Check-ins meeting ``conditions``, newest first, with member, staff, plan and undo
    (one query)."""
    rows = conn.execute(
        _CHECKIN_VIEWS.where(*conditions)
        .order_by(CHECKINS.c.at.desc(), CHECKINS.c.id.desc())
        .limit(limit)
    )
    return [checkin_view(r) for r in rows]


def checkin_view(row: Row[Any]) -> CheckinView:
    return CheckinView(
        id=row.id,
        member_id=row.member_id,
        member_no=row.member_no or "",
        member_name=row.member_name or "",
        method=CheckinMethod(row.method),
        at=row.at,
        branch_id=row.branch_id,
        staff_id=row.staff_id,
        staff_name=row.staff_name or "",
        membership_id=row.membership_id,
        plan_name=row.plan_name,
        used_visit=row.visit_entry_id is not None,
        undone_at=row.undone_at,
        undone_by=row.undone_by,
        undo_reason=row.undo_reason,
    )


# Internals below.

_UNDO_STAFF = STAFF.alias("undo_staff")
_CHECKIN_VIEWS = (
    select(
        CHECKINS,
        MEMBERS.c.member_no,
        MEMBERS.c.name.label("member_name"),
        STAFF.c.name.label("staff_name"),
        PLANS.c.name.label("plan_name"),
        CHECKIN_UNDOS.c.at.label("undone_at"),
        CHECKIN_UNDOS.c.reason.label("undo_reason"),
        _UNDO_STAFF.c.name.label("undone_by"),
    )
    .select_from(CHECKINS)
    .outerjoin(MEMBERS, MEMBERS.c.id == CHECKINS.c.member_id)
    .outerjoin(STAFF, STAFF.c.id == CHECKINS.c.staff_id)
    .outerjoin(MEMBERSHIPS, MEMBERSHIPS.c.id == CHECKINS.c.membership_id)
    .outerjoin(PLANS, PLANS.c.id == MEMBERSHIPS.c.plan_id)
    .outerjoin(CHECKIN_UNDOS, CHECKIN_UNDOS.c.checkin_id == CHECKINS.c.id)
    .outerjoin(_UNDO_STAFF, _UNDO_STAFF.c.id == CHECKIN_UNDOS.c.staff_id)
)


def _ledger_page(
    member_id: str, account: Account | None, before: datetime | Cursor | None, limit: int
) -> Any:
    """One query: the member's entries with running balances, then the page of them."""
    # Visits are counted per membership (each 次卡 on its own); points and stored value
    # per account.
    per_membership = case(
        (LEDGER.c.account == Account.VISITS.value, LEDGER.c.membership_id), else_=None
    )
    running = (
        func.sum(LEDGER.c.amount)
        .over(partition_by=[LEDGER.c.account, per_membership], order_by=[LEDGER.c.at, LEDGER.c.id])
        .label("balance_after")
    )
    mine = [LEDGER.c.member_id == member_id]
    if account is not None:
        mine.append(LEDGER.c.account == Account(account).value)
    entries = (
        select(
            LEDGER.c.id,
            LEDGER.c.account,
            LEDGER.c.amount,
            LEDGER.c.reason,
            LEDGER.c.membership_id,
            LEDGER.c.order_id,
            LEDGER.c.at,
            LEDGER.c.expires_at,
            running,
        )
        .where(*mine)
        .subquery("entries")
    )
    return (
        select(entries, PLANS.c.name.label("plan_name"))
        .outerjoin(MEMBERSHIPS, MEMBERSHIPS.c.id == entries.c.membership_id)
        .outerjoin(PLANS, PLANS.c.id == MEMBERSHIPS.c.plan_id)
        .where(*_before(entries.c.at, entries.c.id, before))
        .order_by(entries.c.at.desc(), entries.c.id.desc())
        .limit(limit)
    )


def _ledger_view(row: Row[Any]) -> LedgerView:
    return LedgerView(
        id=row.id,
        account=Account(row.account),
        amount=int(row.amount),
        reason=row.reason,
        at=row.at,
        balance_after=int(row.balance_after),
        membership_id=row.membership_id,
        plan_name=row.plan_name,
        order_id=row.order_id,
        expires_at=row.expires_at,
    )


def _before(
    at: ColumnElement[datetime], id_: ColumnElement[str], before: datetime | Cursor | None
) -> list[ColumnElement[bool]]:
    """The keyset condition for the page after ``before`` (none for the first page)."""
    if before is None:
        return []
    if isinstance(before, Cursor):
        _require_aware(before.at)
        return [or_(at < before.at, and_(at == before.at, id_ < before.id))]
    _require_aware(before)
    return [at < before]


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValidationError(field="before", reason="naive_datetime")


def _page_size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(field="limit", value=limit, max=MAX_PAGE)
    return limit
