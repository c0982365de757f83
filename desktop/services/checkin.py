"""Checking a member in: resolve the code, decide by the rules, record the visit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from desktop.services.codes import Resolution, resolve_code
from desktop.services.context import ServiceContext
from desktop.services.member_state import load_member_row, load_memberships
from desktop.services.recorder import Transaction
from shared.errors import MemberNotFound
from shared.events.payloads import CheckinRecorded
from shared.ids import new_id
from shared.kinds import CheckinMethod
from shared.permissions import Action
from shared.rules.checkin import CheckinContext, CheckinDecision, decide_checkin


@dataclass(frozen=True)
class CheckinResult:
    """What the desk shows: the decision and the member it was about."""

    decision: CheckinDecision
    member_id: str
    checkin_id: str | None  # None when refused: a refusal writes nothing


class CheckinService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def check_in_code(self, code: str) -> CheckinResult:
        """Check in whoever a scanned or typed code names (QR card, card number, mobile)."""
        actor = self._ctx.actor(Action.CHECK_IN)
        with self._ctx.recorder.transaction() as tx:
            resolution = resolve_code(
                tx.conn, code, card_key=self._ctx.card_key, region=self._ctx.config.region
            )
            return self._decide_and_record(tx, resolution, actor.staff_id)

    def check_in_member(
        self, member_id: str, method: CheckinMethod = CheckinMethod.SEARCH
    ) -> CheckinResult:
        """Check in a member picked from search results."""
        actor = self._ctx.actor(Action.CHECK_IN)
        with self._ctx.recorder.transaction() as tx:
            return self._decide_and_record(tx, Resolution(member_id, method), actor.staff_id)

    # Internals below.

    def _decide_and_record(
        self, tx: Transaction, resolution: Resolution, staff_id: str
    ) -> CheckinResult:
        decision = self._decide(tx.conn, resolution)
        if not decision.allowed:
            return CheckinResult(decision, resolution.member_id, None)
        checkin_id = new_id()
        tx.record(
            "checkin.recorded",
            CheckinRecorded(
                checkin_id=checkin_id,
                member_id=resolution.member_id,
                membership_id=decision.membership_id,
                method=resolution.method,
                visit_entry_id=new_id() if decision.consumes_visit else None,
            ),
            actor_id=staff_id,
        )
        return CheckinResult(decision, resolution.member_id, checkin_id)

    def _decide(self, conn: Connection, resolution: Resolution) -> CheckinDecision:
        member = load_member_row(conn, resolution.member_id)
        if member is None:
            raise MemberNotFound(member_id=resolution.member_id)
        context = CheckinContext(
            now=self._ctx.now(),
            branch_tz=self._ctx.branch_tz,
            memberships=tuple(v.state for v in load_memberships(conn, resolution.member_id)),
            card_revoked=resolution.card_revoked,
            last_checkin_at=member.last_checkin_at,
            window_minutes=self._ctx.config.checkin_window_minutes,
            birthday=member.birthday,
            ending_soon_days=self._ctx.config.ending_soon_days,
        )
        return decide_checkin(context)
