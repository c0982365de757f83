"""Staff: PIN login on the terminal (checked offline) and adding staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from desktop.services.context import ServiceContext, StaffSession
from shared.errors import PinInvalid, PinUnacceptable
from shared.events.payloads import StaffEnrolled
from shared.events.projectors import STAFF
from shared.ids import new_id
from shared.kinds import Role
from shared.member_input import clean_name
from shared.permissions import Action
from shared.pin import hash_pin, is_acceptable_pin, verify_pin


@dataclass(frozen=True)
class StaffView:
    id: str
    name: str
    role: Role


class StaffService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @property
    def current(self) -> StaffSession | None:
        return self._ctx.staff

    def login(self, pin: str, staff_id: str | None = None) -> StaffSession:
        """Log in with a PIN, optionally for a chosen staff member (faster: one hash)."""
        stmt = select(STAFF.c.id, STAFF.c.name, STAFF.c.role, STAFF.c.pin_hash).where(
            STAFF.c.active.is_(True),
            STAFF.c.branch_id == self._ctx.identity.branch_id,
        )
        if staff_id is not None:
            stmt = stmt.where(STAFF.c.id == staff_id)
        with self._ctx.engine.connect() as conn:
            candidates = conn.execute(stmt).all()
        for row in candidates:
            if verify_pin(pin, row.pin_hash):
                self._ctx.staff = StaffSession(row.id, row.name, Role(row.role))
                return self._ctx.staff
        # A failed attempt at a shared desk must not leave the last person logged in.
        self._ctx.staff = None
        raise PinInvalid()

    def logout(self) -> None:
        self._ctx.staff = None

    def list(self) -> list[StaffView]:
        with self._ctx.engine.connect() as conn:
            rows = conn.execute(
                select(STAFF.c.id, STAFF.c.name, STAFF.c.role)
                .where(STAFF.c.active.is_(True), STAFF.c.branch_id == self._ctx.identity.branch_id)
                .order_by(STAFF.c.name)
            ).all()
        return [StaffView(r.id, r.name, Role(r.role)) for r in rows]

    def add(self, *, name: str, role: Role, pin: str) -> str:
        actor = self._ctx.actor(Action.CONFIGURE)
        payload = new_staff_payload(self._ctx.identity.branch_id, name=name, role=role, pin=pin)
        with self._ctx.recorder.transaction() as tx:
            tx.record("staff.enrolled", payload, actor_id=actor.staff_id)
        return payload.staff_id


def new_staff_payload(branch_id: str, *, name: str, role: Role, pin: str) -> StaffEnrolled:
    if not is_acceptable_pin(pin):
        raise PinUnacceptable()
    return StaffEnrolled(
        staff_id=new_id(),
        branch_id=branch_id,
        name=clean_name(name),
        role=role,
        pin_hash=hash_pin(pin),
    )
