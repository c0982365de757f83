"""Checking a member in: resolve the code, decide by the rules, record the visit.

A manager may take back a mistaken check-in for a few minutes afterwards: the undo is
an event of its own (``checkin.undone``), never a delete, and gives back the visit the
check-in used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select

from desktop.services.codes import Resolution, resolve_code
from desktop.services.context import ServiceContext
from desktop.services.history import CheckinView, read_checkins
from desktop.services.member_state import load_checkin_member, load_membership_states
from desktop.services.recorder import Transaction
from shared.errors import (
    CheckinAlreadyUndone,
    CheckinNotFound,
    CheckinUndoExpired,
    MemberNotFound,
    ValidationError,
)
from shared.events.payloads import UNDO_REASON_MAX_LENGTH, CheckinRecorded, CheckinUndone
from shared.events.projectors import CHECKIN_UNDOS, CHECKINS
from shared.ids import new_id
from shared.kinds import CheckinMethod
from shared.permissions import Action, is_allowed
from shared.rules.checkin import CheckinContext, CheckinDecision, decide_checkin

UNDO_WINDOW_MINUTES = 5
"""A check-in may be undone until this long after it (inclusive), and no later."""
UNDO_WINDOW = timedelta(minutes=UNDO_WINDOW_MINUTES)


def undo_window_open(checked_in_at: datetime, now: datetime) -> bool:
    """Whether a check-in made at ``checked_in_at`` may still be undone at ``now``."""
    return now - checked_in_at <= UNDO_WINDOW


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

    def undo(self, checkin_id: str, reason: str | None = None) -> None:
        """Take back a mistaken check-in (managers, within ``UNDO_WINDOW_MINUTES``).

        Records ``checkin.undone``; a visit the check-in used is given back. Raises
        CheckinNotFound, CheckinAlreadyUndone or CheckinUndoExpired, writing nothing.
        """
        actor = self._ctx.actor(Action.UNDO_CHECKIN)
        cleaned = _clean_reason(reason)
        with self._ctx.recorder.transaction() as tx:
            row = tx.conn.execute(_CHECKIN_FOR_UNDO, {"checkin_id": checkin_id}).first()
            if row is None:
                raise CheckinNotFound(checkin_id=checkin_id)
            if row.undone_at is not None:
                raise CheckinAlreadyUndone(
                    checkin_id=checkin_id, undone_at=row.undone_at.isoformat()
                )
            if not undo_window_open(row.at, self._ctx.now()):
                raise CheckinUndoExpired(
                    checkin_id=checkin_id,
                    checked_in_at=row.at.isoformat(),
                    minutes=UNDO_WINDOW_MINUTES,
                )
            used_visit = row.visit_entry_id is not None
            tx.record(
                "checkin.undone",
                CheckinUndone(
                    checkin_id=checkin_id,
                    member_id=row.member_id,
                    membership_id=row.membership_id if used_visit else None,
                    visit_entry_id=new_id() if used_visit else None,
                    reason=cleaned,
                ),
                actor_id=actor.staff_id,
            )

    def can_undo(self, checkin: CheckinView) -> bool:
        """Whether :meth:`undo` would take this check-in back now, for the logged-in
        staff member (to enable the undo button; the undo checks again)."""
        staff = self._ctx.staff
        return (
            staff is not None
            and is_allowed(staff.role, Action.UNDO_CHECKIN)
            and not checkin.undone
            and undo_window_open(checkin.at, self._ctx.now())
        )

    def recent(self, limit: int = 20) -> list[CheckinView]:
        """This branch's latest check-ins, newest first, undone ones included and flagged."""
        self._ctx.actor(Action.CHECK_IN)
        if limit < 1:
            raise ValidationError(field="limit", value=limit)
        with self._ctx.engine.connect() as conn:
            return read_checkins(
                conn, [CHECKINS.c.branch_id == self._ctx.identity.branch_id], limit
            )

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
            # Built from fresh ids, a stored member and the rules' decision (a visit is
            # only ever consumed from a membership): no validation needed on every scan.
            CheckinRecorded.model_construct(
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
        member = load_checkin_member(conn, resolution.member_id)
        if member is None:
            raise MemberNotFound(member_id=resolution.member_id)
        context = CheckinContext(
            now=self._ctx.now(),
            branch_tz=self._ctx.branch_tz,
            memberships=load_membership_states(conn, resolution.member_id),
            card_revoked=resolution.card_revoked,
            last_checkin_at=member.last_checkin_at,
            window_minutes=self._ctx.config.checkin_window_minutes,
            birthday=member.birthday,
            ending_soon_days=self._ctx.config.ending_soon_days,
        )
        return decide_checkin(context)


_CHECKIN_FOR_UNDO = (
    select(
        CHECKINS.c.member_id,
        CHECKINS.c.membership_id,
        CHECKINS.c.visit_entry_id,
        CHECKINS.c.at,
        CHECKIN_UNDOS.c.at.label("undone_at"),
    )
    .outerjoin(CHECKIN_UNDOS, CHECKIN_UNDOS.c.checkin_id == CHECKINS.c.id)
    .where(CHECKINS.c.id == bindparam("checkin_id"))
)


def _clean_reason(reason: str | None) -> str | None:
    """Spaces folded; blank is no reason."""
    if reason is None:
        return None
    text = " ".join(reason.split())
    if len(text) > UNDO_REASON_MAX_LENGTH:
        raise ValidationError(field="reason", reason="too_long", max_length=UNDO_REASON_MAX_LENGTH)
    return text or None
