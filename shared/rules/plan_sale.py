"""Selling a plan: the membership it starts and the ledger entries it posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.events.payloads import (
    LedgerIn,
    MembershipIn,
    OrderLineIn,
    OrderPlaced,
    PaymentIn,
)
from shared.kinds import Account, PaymentMethod, PlanKind


@dataclass(frozen=True)
class PlanTerms:
    id: str
    name: str
    kind: PlanKind
    price_fen: int
    duration_days: int | None = None
    visits: int | None = None
    stored_value_fen: int | None = None


def membership_term(plan: PlanTerms, start: date) -> tuple[date, date | None]:
    """(start, last valid local day). A 30-day plan bought on the 1st ends on the 30th."""
    if plan.duration_days is None:
        return start, None
    return start, start + timedelta(days=plan.duration_days - 1)


def plan_sale_order(
    *,
    plan: PlanTerms,
    member_id: str,
    start: date,
    payment_method: PaymentMethod,
    points: int,
    points_expire_at: datetime | None,
    new_id: Callable[[], str],
) -> OrderPlaced:
    """The ``order.placed`` payload for one plan paid in full by one method."""
    membership_id = new_id()
    first, last = membership_term(plan, start)
    ledger: list[LedgerIn] = []
    if plan.kind == PlanKind.VISITS and plan.visits:
        ledger.append(
            LedgerIn(
                entry_id=new_id(),
                account=Account.VISITS,
                amount=plan.visits,
                reason="purchase",
                membership_id=membership_id,
            )
        )
    if plan.kind == PlanKind.STORED_VALUE and plan.stored_value_fen:
        ledger.append(
            LedgerIn(
                entry_id=new_id(),
                account=Account.STORED_VALUE,
                amount=plan.stored_value_fen,
                reason="purchase",
                membership_id=membership_id,
            )
        )
    if points > 0:
        ledger.append(
            LedgerIn(
                entry_id=new_id(),
                account=Account.POINTS,
                amount=points,
                reason="earn",
                expires_at=points_expire_at,
            )
        )
    return OrderPlaced(
        order_id=new_id(),
        member_id=member_id,
        total_fen=plan.price_fen,
        lines=[
            OrderLineIn(
                line_id=new_id(),
                kind="plan",
                ref_id=plan.id,
                description=plan.name,
                quantity=1,
                unit_price_fen=plan.price_fen,
                amount_fen=plan.price_fen,
            )
        ],
        payments=[PaymentIn(payment_id=new_id(), method=payment_method, amount_fen=plan.price_fen)]
        if plan.price_fen
        else [],
        memberships=[
            MembershipIn(
                membership_id=membership_id,
                plan_id=plan.id,
                kind=plan.kind,
                start_date=first,
                base_end_date=last,
                visits_total=plan.visits if plan.kind == PlanKind.VISITS else None,
            )
        ],
        ledger=ledger,
    )
