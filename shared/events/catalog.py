"""The event catalog: every (type, version) the system accepts, its payload and projector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from shared.errors import EventInvalid
from shared.events import payloads as p
from shared.events import projectors as proj
from shared.events.envelope import EventEnvelope
from shared.events.projection_writer import ProjectionWriter

Projector = Callable[[ProjectionWriter, EventEnvelope, Any], None]


@dataclass(frozen=True)
class EventType:
    name: str
    v: int
    payload: type[BaseModel]
    project: Projector

    def parse(self, payload: dict[str, Any]) -> BaseModel:
        try:
            return self.payload.model_validate(payload)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(x) for x in first["loc"])
            raise EventInvalid(type=self.name, field=field, reason=first["type"]) from exc


CATALOG: dict[tuple[str, int], EventType] = {
    (t.name, t.v): t
    for t in (
        EventType("branch.configured", 1, p.BranchConfigured, proj.project_branch_configured),
        EventType("staff.enrolled", 1, p.StaffEnrolled, proj.project_staff_enrolled),
        EventType("plan.defined", 1, p.PlanDefined, proj.project_plan_defined),
        EventType("member.enrolled", 1, p.MemberEnrolled, proj.project_member_enrolled),
        EventType("member.updated", 1, p.MemberUpdated, proj.project_member_updated),
        EventType("card.issued", 1, p.CardIssued, proj.project_card_issued),
        EventType("card.revoked", 1, p.CardRevoked, proj.project_card_revoked),
        EventType("order.placed", 1, p.OrderPlaced, proj.project_order_placed),
        EventType("membership.frozen", 1, p.MembershipFrozen, proj.project_membership_frozen),
        EventType("membership.unfrozen", 1, p.MembershipUnfrozen, proj.project_membership_unfrozen),
        EventType("checkin.recorded", 1, p.CheckinRecorded, proj.project_checkin_recorded),
        EventType("checkin.undone", 1, p.CheckinUndone, proj.project_checkin_undone),
        EventType("ledger.posted", 1, p.LedgerPosted, proj.project_ledger_posted),
    )
}

LATEST_VERSION: dict[str, int] = {}
for _name, _v in CATALOG:
    LATEST_VERSION[_name] = max(_v, LATEST_VERSION.get(_name, 0))


def event_type(name: str, v: int) -> EventType:
    try:
        return CATALOG[(name, v)]
    except KeyError:
        raise EventInvalid(type=name, v=v, field="type", reason="unknown") from None
