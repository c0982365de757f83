"""Payload schemas, one per event type and version.

They check structure (a peer or an old terminal may send anything); the friendly,
field-by-field validation of what a person typed happens in the services first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from shared.errors import ValidationError
from shared.kinds import Account, CheckinMethod, Gender, PaymentMethod, PlanKind, Role

Id = Annotated[str, Field(min_length=1, max_length=36)]
Fen = Annotated[int, Field(ge=0)]
UNDO_REASON_MAX_LENGTH = 200


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BranchConfigured(Payload):
    branch_id: Id
    name: str = Field(min_length=1, max_length=100)
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value


@contextmanager
def payload_checked() -> Iterator[None]:
    """Turn a payload's own refusal into a typed ValidationError naming the field."""
    try:
        yield
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "payload"
        raise ValidationError(field=field, reason=first["type"]) from exc


def is_time_zone(name: str) -> bool:
    """An IANA zone such as "Asia/Shanghai" (not a folder of them such as "Asia")."""
    return name in _time_zones()


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class StaffEnrolled(Payload):
    staff_id: Id
    branch_id: Id
    name: str = Field(min_length=1, max_length=100)
    role: Role
    pin_hash: str = Field(min_length=1, max_length=200)


class PlanDefined(Payload):
    plan_id: Id
    name: str = Field(min_length=1, max_length=100)
    kind: PlanKind
    price_fen: Fen
    duration_days: int | None = Field(default=None, ge=1)
    visits: int | None = Field(default=None, ge=1)
    stored_value_fen: Fen | None = None
    freeze_max_days_per_year: int = Field(default=0, ge=0)
    freeze_min_days: int = Field(default=1, ge=1)
    active: bool = True


class MemberFields(Payload):
    """The mutable fields of a member; each is its own last-writer-wins register."""

    name: str = Field(min_length=1, max_length=100)
    mobile: str | None = Field(default=None, max_length=32)
    gender: Gender = Gender.UNDISCLOSED
    birthday: date | None = None
    tags: list[str] = Field(default_factory=list)
    tier: str = Field(default="standard", max_length=32)
    home_branch_id: Id | None = None
    referrer_id: Id | None = None
    marketing_consent: bool = False
    photo_ref: str | None = Field(default=None, max_length=64)


MEMBER_FIELDS: frozenset[str] = frozenset(MemberFields.model_fields)


class MemberEnrolled(MemberFields):
    member_id: Id
    member_no: str = Field(min_length=1, max_length=32)


class MemberUpdated(Payload):
    member_id: Id
    changes: dict[str, Any]

    @field_validator("changes")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - MEMBER_FIELDS
        if unknown:
            raise ValueError(f"unknown member fields {sorted(unknown)}")
        if not value:
            raise ValueError("no changes")
        # Validate each value with the field's own rules, keeping only the changed keys.
        checked = MemberFields.model_validate({"name": "x"} | value)
        return {k: checked.model_dump(mode="json")[k] for k in value}


class CardIssued(Payload):
    card_id: Id
    member_id: Id
    kind: str = Field(pattern="^(qr|imported)$")
    number: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=0)


class CardRevoked(Payload):
    card_id: Id
    member_id: Id


class OrderLineIn(Payload):
    line_id: Id
    kind: str = Field(pattern="^(plan|service|product)$")
    ref_id: Id | None = None
    description: str = Field(default="", max_length=200)
    quantity: int = Field(ge=1)
    unit_price_fen: Fen
    amount_fen: Fen


class PaymentIn(Payload):
    payment_id: Id
    method: PaymentMethod
    amount_fen: Fen


class MembershipIn(Payload):
    membership_id: Id
    plan_id: Id
    kind: PlanKind
    start_date: date
    base_end_date: date | None = None
    visits_total: int | None = Field(default=None, ge=1)


class LedgerIn(Payload):
    entry_id: Id
    account: Account
    amount: int
    reason: str = Field(min_length=1, max_length=20)
    membership_id: Id | None = None
    expires_at: AwareDatetime | None = None


class OrderPlaced(Payload):
    order_id: Id
    member_id: Id | None = None
    total_fen: Fen
    lines: list[OrderLineIn] = Field(min_length=1)
    payments: list[PaymentIn] = Field(default_factory=list)
    memberships: list[MembershipIn] = Field(default_factory=list)
    ledger: list[LedgerIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _member_for_member_things(self) -> OrderPlaced:
        if self.member_id is None and (self.memberships or self.ledger):
            raise ValueError("memberships and ledger entries need a member")
        return self


class MembershipFrozen(Payload):
    freeze_id: Id
    membership_id: Id
    member_id: Id
    start_date: date
    end_date: date


class MembershipUnfrozen(Payload):
    freeze_id: Id
    membership_id: Id
    member_id: Id
    unfrozen_on: date


class CheckinRecorded(Payload):
    checkin_id: Id
    member_id: Id
    membership_id: Id | None = None
    method: CheckinMethod
    visit_entry_id: Id | None = None  # set when the check-in used a visit of a 次卡

    @model_validator(mode="after")
    def _visit_needs_membership(self) -> CheckinRecorded:
        if self.visit_entry_id is not None and self.membership_id is None:
            raise ValueError("a used visit needs the membership it came from")
        return self


class CheckinUndone(Payload):
    """A mistaken check-in taken back by a manager; the check-in itself stays a fact.

    When the check-in used a visit of a 次卡, ``visit_entry_id`` names the +1 visits
    entry that gives it back, on ``membership_id`` (carried here, not looked up, because
    the undo may reach a replica before the check-in it names).
    """

    checkin_id: Id
    member_id: Id
    membership_id: Id | None = None
    visit_entry_id: Id | None = None
    reason: str | None = Field(default=None, max_length=UNDO_REASON_MAX_LENGTH)

    @model_validator(mode="after")
    def _visit_needs_membership(self) -> CheckinUndone:
        if self.visit_entry_id is not None and self.membership_id is None:
            raise ValueError("a returned visit needs the membership it goes back to")
        return self


class LedgerPosted(Payload):
    member_id: Id
    entry: LedgerIn
