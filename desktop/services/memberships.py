"""Freezing and unfreezing a member's plan (a freeze extends its end day for day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from desktop.services.context import ServiceContext
from desktop.services.member_state import load_memberships
from shared.errors import FreezeInvalidRange, MembershipNotFound
from shared.events.payloads import MembershipFrozen, MembershipUnfrozen
from shared.events.projectors import MEMBERSHIPS, PLANS
from shared.ids import new_id
from shared.permissions import Action
from shared.rules.checkin import FreezePeriod, MembershipState, local_date
from shared.rules.freeze import FreezePolicy, check_freeze


class MembershipsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def freeze(self, membership_id: str, start: date, end: date) -> str:
        """Freeze from ``start`` to ``end`` (inclusive, local days); returns the freeze id."""
        actor = self._ctx.actor(Action.FREEZE)
        with self._ctx.recorder.transaction() as tx:
            row = tx.conn.execute(
                select(
                    MEMBERSHIPS.c.member_id,
                    PLANS.c.freeze_max_days_per_year,
                    PLANS.c.freeze_min_days,
                )
                .outerjoin(PLANS, PLANS.c.id == MEMBERSHIPS.c.plan_id)
                .where(MEMBERSHIPS.c.id == membership_id)
            ).first()
            if row is None:
                raise MembershipNotFound(membership_id=membership_id)
            state = self._state(tx.conn, row.member_id, membership_id)
            policy = FreezePolicy(
                max_days_per_year=row.freeze_max_days_per_year or 0,
                min_days_per_freeze=row.freeze_min_days or 1,
            )
            check_freeze(policy, state, start, end, self._today())
            freeze_id = new_id()
            tx.record(
                "membership.frozen",
                MembershipFrozen(
                    freeze_id=freeze_id,
                    membership_id=membership_id,
                    member_id=row.member_id,
                    start_date=start,
                    end_date=end,
                ),
                actor_id=actor.staff_id,
            )
        return freeze_id

    def unfreeze(self, membership_id: str, freeze_id: str, on: date | None = None) -> None:
        """End a freeze early: the plan is usable again from ``on`` (default today)."""
        actor = self._ctx.actor(Action.FREEZE)
        today = self._today()
        unfreeze_on = on or today
        if unfreeze_on < today:
            # Cutting a freeze back into the past would take days the member was refused.
            raise FreezeInvalidRange(start=unfreeze_on.isoformat(), end=today.isoformat())
        with self._ctx.recorder.transaction() as tx:
            member_id = tx.conn.execute(
                select(MEMBERSHIPS.c.member_id).where(MEMBERSHIPS.c.id == membership_id)
            ).scalar_one_or_none()
            if member_id is None:
                raise MembershipNotFound(membership_id=membership_id)
            state = self._state(tx.conn, member_id, membership_id)
            _find_freeze(state, freeze_id)
            tx.record(
                "membership.unfrozen",
                MembershipUnfrozen(
                    freeze_id=freeze_id,
                    membership_id=membership_id,
                    member_id=member_id,
                    unfrozen_on=unfreeze_on,
                ),
                actor_id=actor.staff_id,
            )

    # Internals below.

    def _state(self, conn: Connection, member_id: str, membership_id: str) -> MembershipState:
        for view in load_memberships(conn, member_id):
            if view.state.id == membership_id:
                return view.state
        raise MembershipNotFound(membership_id=membership_id)

    def _today(self) -> date:
        return local_date(self._ctx.now(), self._ctx.branch_tz)


def _find_freeze(state: MembershipState, freeze_id: str) -> FreezePeriod:
    for period in state.freezes:
        if period.id == freeze_id:
            return period
    raise MembershipNotFound(membership_id=state.id, freeze_id=freeze_id)
