"""How each event type changes the projection tables.

Every function here must give the same tables whatever order events arrive in and
however often: facts insert rows keyed by their own ids; member, staff, branch and plan
fields are last-writer-wins registers ordered by the event's HLC text (which ends in the
writer's terminal id, so ties break by terminal); a card revocation and an early
unfreeze keep the earliest date; of two undos of one check-in, the smaller HLC is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, func

from shared.events.envelope import EventEnvelope
from shared.events.payloads import (
    BranchConfigured,
    CardIssued,
    CardRevoked,
    CheckinRecorded,
    CheckinUndone,
    LedgerIn,
    LedgerPosted,
    MemberEnrolled,
    MembershipFrozen,
    MembershipUnfrozen,
    MemberUpdated,
    OrderPlaced,
    PlanDefined,
    StaffEnrolled,
)
from shared.events.projection_writer import ProjectionWriter
from shared.kinds import Account
from shared.model import (
    Branch,
    Checkin,
    CheckinUndo,
    LedgerEntry,
    Member,
    MemberCard,
    MemberNameGram,
    Membership,
    MembershipFreeze,
    Order,
    OrderLine,
    Payment,
    Plan,
    Staff,
)
from shared.search_keys import mobile_tail, name_grams, pinyin_keys

BRANCHES: Table = Branch.__table__  # type: ignore[assignment]
STAFF: Table = Staff.__table__  # type: ignore[assignment]
PLANS: Table = Plan.__table__  # type: ignore[assignment]
MEMBERS: Table = Member.__table__  # type: ignore[assignment]
GRAMS: Table = MemberNameGram.__table__  # type: ignore[assignment]
CARDS: Table = MemberCard.__table__  # type: ignore[assignment]
MEMBERSHIPS: Table = Membership.__table__  # type: ignore[assignment]
FREEZES: Table = MembershipFreeze.__table__  # type: ignore[assignment]
CHECKINS: Table = Checkin.__table__  # type: ignore[assignment]
CHECKIN_UNDOS: Table = CheckinUndo.__table__  # type: ignore[assignment]
LEDGER: Table = LedgerEntry.__table__  # type: ignore[assignment]
ORDERS: Table = Order.__table__  # type: ignore[assignment]
ORDER_LINES: Table = OrderLine.__table__  # type: ignore[assignment]
PAYMENTS: Table = Payment.__table__  # type: ignore[assignment]


def project_branch_configured(w: ProjectionWriter, e: EventEnvelope, p: BranchConfigured) -> None:
    merge_fields(w, BRANCHES, p.branch_id, e.hlc, p.model_dump(exclude={"branch_id"}))


def project_staff_enrolled(w: ProjectionWriter, e: EventEnvelope, p: StaffEnrolled) -> None:
    merge_fields(w, STAFF, p.staff_id, e.hlc, p.model_dump(mode="json", exclude={"staff_id"}))


def project_plan_defined(w: ProjectionWriter, e: EventEnvelope, p: PlanDefined) -> None:
    merge_fields(w, PLANS, p.plan_id, e.hlc, p.model_dump(mode="json", exclude={"plan_id"}))


def project_member_enrolled(w: ProjectionWriter, e: EventEnvelope, p: MemberEnrolled) -> None:
    fields = p.model_dump(exclude={"member_id"})
    fields["gender"] = str(p.gender)
    fields["enrolled_at"] = e.occurred_at
    _merge_member(w, p.member_id, e.hlc, fields)


def project_member_updated(w: ProjectionWriter, e: EventEnvelope, p: MemberUpdated) -> None:
    changes = dict(p.changes)
    if "birthday" in changes and changes["birthday"] is not None:
        changes["birthday"] = datetime.fromisoformat(changes["birthday"]).date()
    _merge_member(w, p.member_id, e.hlc, changes)


def project_card_issued(w: ProjectionWriter, e: EventEnvelope, p: CardIssued) -> None:
    issued = {
        "member_id": p.member_id,
        "kind": p.kind,
        "number": p.number,
        "version": p.version,
        "issued_at": e.occurred_at,
    }
    w.upsert(CARDS, {"id": p.card_id, **issued}, dict.fromkeys(issued))


def project_card_revoked(w: ProjectionWriter, e: EventEnvelope, p: CardRevoked) -> None:
    w.upsert(
        CARDS,
        {"id": p.card_id, "member_id": p.member_id, "revoked_at": e.occurred_at},
        {"revoked_at": _earliest("revoked_at")},
    )


def project_order_placed(w: ProjectionWriter, e: EventEnvelope, p: OrderPlaced) -> None:
    w.add_fact(
        ORDERS,
        {
            "id": p.order_id,
            "branch_id": e.branch_id,
            "member_id": p.member_id,
            "staff_id": e.actor_id,
            "total_fen": p.total_fen,
            "at": e.occurred_at,
        },
    )
    for line in p.lines:
        w.add_fact(
            ORDER_LINES,
            {"id": line.line_id, "order_id": p.order_id, **line.model_dump(exclude={"line_id"})},
        )
    for pay in p.payments:
        w.add_fact(
            PAYMENTS,
            {
                "id": pay.payment_id,
                "order_id": p.order_id,
                **pay.model_dump(exclude={"payment_id"}),
            },
        )
    for m in p.memberships:
        w.add_fact(
            MEMBERSHIPS,
            {
                "id": m.membership_id,
                "member_id": p.member_id,
                "plan_id": m.plan_id,
                "kind": str(m.kind),
                "start_date": m.start_date,
                "base_end_date": m.base_end_date,
                "visits_total": m.visits_total,
                "order_id": p.order_id,
                "sold_at": e.occurred_at,
            },
        )
    if p.member_id is not None:
        for entry in p.ledger:
            _add_ledger(w, e, p.member_id, entry, order_id=p.order_id)


def project_membership_frozen(w: ProjectionWriter, e: EventEnvelope, p: MembershipFrozen) -> None:
    frozen = {"membership_id": p.membership_id, "start_date": p.start_date, "end_date": p.end_date}
    w.upsert(FREEZES, {"id": p.freeze_id, **frozen}, dict.fromkeys(frozen))


def project_membership_unfrozen(
    w: ProjectionWriter, e: EventEnvelope, p: MembershipUnfrozen
) -> None:
    w.upsert(
        FREEZES,
        {"id": p.freeze_id, "membership_id": p.membership_id, "unfrozen_on": p.unfrozen_on},
        {"unfrozen_on": _earliest("unfrozen_on")},
    )


def project_checkin_recorded(w: ProjectionWriter, e: EventEnvelope, p: CheckinRecorded) -> None:
    w.add_fact(
        CHECKINS,
        {
            "id": p.checkin_id,
            "member_id": p.member_id,
            "membership_id": p.membership_id,
            "branch_id": e.branch_id,
            "terminal_id": e.terminal_id,
            "staff_id": e.actor_id,
            "method": str(p.method),
            "at": e.occurred_at,
            "visit_entry_id": p.visit_entry_id,
        },
    )
    if p.visit_entry_id is not None:
        entry = LedgerIn(
            entry_id=p.visit_entry_id,
            account=Account.VISITS,
            amount=-1,
            reason="checkin",
            membership_id=p.membership_id,
        )
        _add_ledger(w, e, p.member_id, entry, order_id=None)


def project_checkin_undone(w: ProjectionWriter, e: EventEnvelope, p: CheckinUndone) -> None:
    undo = {
        "event_id": e.id,
        "member_id": p.member_id,
        "staff_id": e.actor_id,
        "at": e.occurred_at,
        "reason": p.reason,
        "hlc": e.hlc,
    }
    w.upsert(
        CHECKIN_UNDOS,
        {"checkin_id": p.checkin_id, **undo},
        {column: _from_smallest_hlc(column) for column in undo},
    )
    if p.visit_entry_id is not None:
        entry = LedgerIn(
            entry_id=p.visit_entry_id,
            account=Account.VISITS,
            amount=1,
            reason="checkin_undone",
            membership_id=p.membership_id,
        )
        _add_ledger(w, e, p.member_id, entry, order_id=None)


def project_ledger_posted(w: ProjectionWriter, e: EventEnvelope, p: LedgerPosted) -> None:
    _add_ledger(w, e, p.member_id, p.entry, order_id=None)


def merge_fields(
    w: ProjectionWriter, table: Table, key: str, hlc: str, fields: dict[str, Any]
) -> None:
    """Last-writer-wins per field, for rows without derived columns."""
    w.merge(table, key, hlc, fields)


# Internals below.


def _merge_member(w: ProjectionWriter, member_id: str, hlc: str, fields: dict[str, Any]) -> None:
    w.merge(MEMBERS, member_id, hlc, fields, derive=_member_search_keys)


def _member_search_keys(
    w: ProjectionWriter, member_id: str, won: dict[str, Any], is_new: bool
) -> dict[str, Any]:
    """The search keys of whichever name or mobile number won the merge."""
    derived: dict[str, Any] = {}
    if "mobile" in won:
        derived["mobile_tail"] = mobile_tail(won["mobile"])
    if "name" in won:
        derived["name_pinyin"], derived["name_initials"] = pinyin_keys(won["name"])
        if not is_new:
            w.flushed(GRAMS).execute(delete(GRAMS).where(GRAMS.c.member_id == member_id))
        for gram in sorted(name_grams(won["name"])):
            w.add_fact(GRAMS, {"gram": gram, "member_id": member_id})
    return derived


def _add_ledger(
    w: ProjectionWriter, e: EventEnvelope, member_id: str, entry: LedgerIn, order_id: str | None
) -> None:
    w.add_fact(
        LEDGER,
        {
            "id": entry.entry_id,
            "member_id": member_id,
            "account": str(entry.account),
            "amount": entry.amount,
            "reason": entry.reason,
            "membership_id": entry.membership_id,
            "order_id": order_id,
            "source_event_id": e.id,
            "at": e.occurred_at,
            "expires_at": entry.expires_at,
        },
    )


def _earliest(column: str) -> Any:
    """An upsert value keeping the earliest non-null date of the stored and new rows."""

    def build(excluded: Any, table: Table, dialect: str) -> Any:
        stored, incoming = table.c[column], excluded[column]
        if dialect == "postgresql":
            return func.least(stored, incoming)  # LEAST ignores NULLs
        return func.coalesce(func.min(stored, incoming), stored, incoming)

    return build


def _from_smallest_hlc(column: str) -> Any:
    """An upsert value keeping the column of whichever row, stored or new, has the
    smaller ``hlc``: the whole row then comes from one event, whatever the order.
    (Both dialects evaluate every SET expression against the row as it was.)"""

    def build(excluded: Any, table: Table, dialect: str) -> Any:
        return case(
            (excluded["hlc"] < table.c.hlc, excluded[column]),
            else_=table.c[column],
        )

    return build
