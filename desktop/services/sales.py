"""Selling plans at the counter (products and services arrive with the Counter issue)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from desktop.services.context import ServiceContext
from desktop.services.member_state import load_member_row
from shared.errors import MemberNotFound, PlanNotFound, ValidationError
from shared.events.projectors import PLANS
from shared.ids import new_id
from shared.kinds import PaymentMethod, PlanKind
from shared.permissions import Action
from shared.rules.checkin import local_date
from shared.rules.plan_sale import PlanTerms, plan_sale_order
from shared.rules.points import PointsPolicy, lot_expiry, points_for_purchase


class SalesService:
    def __init__(self, ctx: ServiceContext, points_policy: PointsPolicy | None = None) -> None:
        self._ctx = ctx
        self._points = points_policy or PointsPolicy()

    def sell_plan(
        self,
        member_id: str,
        plan_id: str,
        *,
        payment_method: PaymentMethod | str = PaymentMethod.CASH,
        start: date | None = None,
    ) -> str:
        """Sell a plan to a member, paid in full; returns the order id."""
        actor = self._ctx.actor(Action.SELL)
        method = _payment_method(payment_method)
        now = self._ctx.now()
        today = local_date(now, self._ctx.branch_tz)
        with self._ctx.recorder.transaction() as tx:
            member = load_member_row(tx.conn, member_id)
            if member is None:
                raise MemberNotFound(member_id=member_id)
            row = tx.conn.execute(select(PLANS).where(PLANS.c.id == plan_id)).first()
            if row is None or not row.active or not row.name:
                raise PlanNotFound(plan_id=plan_id)
            plan = PlanTerms(
                id=row.id,
                name=row.name,
                kind=PlanKind(row.kind),
                price_fen=row.price_fen,
                duration_days=row.duration_days,
                visits=row.visits,
                stored_value_fen=row.stored_value_fen,
            )
            points = points_for_purchase(
                self._points,
                paid_fen=plan.price_fen,
                tier=member.tier,
                on=today,
                birthday=member.birthday,
            )
            order = plan_sale_order(
                plan=plan,
                member_id=member_id,
                start=start or today,
                payment_method=method,
                points=points,
                points_expire_at=lot_expiry(self._points, now),
                new_id=new_id,
            )
            tx.record("order.placed", order, actor_id=actor.staff_id)
        return order.order_id


def _payment_method(value: PaymentMethod | str) -> PaymentMethod:
    try:
        return PaymentMethod(value)
    except ValueError:
        raise ValidationError(field="payment_method", value=str(value)) from None
