"""The plans on sale: time plans, 次卡 (visits) and 储值 (stored value)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from desktop.services.context import ServiceContext
from shared.errors import ValidationError
from shared.events.payloads import PlanDefined, payload_checked
from shared.events.projectors import PLANS
from shared.ids import new_id
from shared.kinds import PlanKind
from shared.permissions import Action


@dataclass(frozen=True)
class PlanView:
    id: str
    name: str
    kind: PlanKind
    price_fen: int
    duration_days: int | None
    visits: int | None
    stored_value_fen: int | None
    freeze_max_days_per_year: int
    freeze_min_days: int


class PlansService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def define(
        self,
        *,
        name: str,
        kind: PlanKind,
        price_fen: int,
        duration_days: int | None = None,
        visits: int | None = None,
        stored_value_fen: int | None = None,
        freeze_max_days_per_year: int = 0,
        freeze_min_days: int = 1,
    ) -> str:
        actor = self._ctx.actor(Action.CONFIGURE)
        with payload_checked():
            payload = plan_payload(
                name=name,
                kind=kind,
                price_fen=price_fen,
                duration_days=duration_days,
                visits=visits,
                stored_value_fen=stored_value_fen,
                freeze_max_days_per_year=freeze_max_days_per_year,
                freeze_min_days=freeze_min_days,
            )
        with self._ctx.recorder.transaction() as tx:
            tx.record("plan.defined", payload, actor_id=actor.staff_id)
        return payload.plan_id

    def list(self) -> list[PlanView]:
        with self._ctx.engine.connect() as conn:
            rows = conn.execute(
                select(PLANS)
                .where(PLANS.c.active.is_(True))
                .order_by(PLANS.c.kind, PLANS.c.price_fen)
            ).all()
        return [plan_view(r) for r in rows]


def plan_view(r: object) -> PlanView:
    row = r._mapping  # type: ignore[attr-defined]
    return PlanView(
        id=row["id"],
        name=row["name"],
        kind=PlanKind(row["kind"]),
        price_fen=row["price_fen"],
        duration_days=row["duration_days"],
        visits=row["visits"],
        stored_value_fen=row["stored_value_fen"],
        freeze_max_days_per_year=row["freeze_max_days_per_year"],
        freeze_min_days=row["freeze_min_days"],
    )


def plan_payload(
    *,
    name: str,
    kind: PlanKind,
    price_fen: int,
    duration_days: int | None = None,
    visits: int | None = None,
    stored_value_fen: int | None = None,
    freeze_max_days_per_year: int = 0,
    freeze_min_days: int = 1,
    plan_id: str | None = None,
) -> PlanDefined:
    """A checked plan definition: each kind needs its own fields."""
    if not name.strip():
        raise ValidationError(field="name")
    if price_fen < 0:
        raise ValidationError(field="price_fen")
    if kind == PlanKind.TIME and not duration_days:
        raise ValidationError(field="duration_days")
    if kind == PlanKind.VISITS and not visits:
        raise ValidationError(field="visits")
    if kind == PlanKind.STORED_VALUE and not stored_value_fen:
        raise ValidationError(field="stored_value_fen")
    return PlanDefined(
        plan_id=plan_id or new_id(),
        name=name.strip(),
        kind=kind,
        price_fen=price_fen,
        duration_days=duration_days,
        visits=visits,
        stored_value_fen=stored_value_fen,
        freeze_max_days_per_year=freeze_max_days_per_year,
        freeze_min_days=freeze_min_days,
    )
