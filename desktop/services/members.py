"""Enrolling, editing and reading members, and their cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from desktop.services.context import ServiceContext
from desktop.services.member_state import (
    Balances,
    MembershipView,
    load_balances,
    load_member_row,
    load_memberships,
)
from desktop.store.settings_store import read_settings, write_settings
from shared.card import encode_card
from shared.errors import CardNotFound, MemberNotFound, MobileTaken, ValidationError
from shared.events.payloads import (
    MEMBER_FIELDS,
    CardIssued,
    CardRevoked,
    MemberEnrolled,
    MemberUpdated,
)
from shared.events.projectors import CARDS, MEMBERS
from shared.ids import new_id
from shared.kinds import Gender
from shared.member_input import clean_birthday, clean_gender, clean_mobile, clean_name
from shared.permissions import Action
from shared.rules.checkin import local_date


@dataclass(frozen=True)
class MemberProfile:
    id: str
    member_no: str
    name: str
    mobile: str | None
    gender: Gender
    birthday: date | None
    tags: tuple[str, ...]
    tier: str
    marketing_consent: bool
    photo_ref: str | None
    enrolled_at: datetime | None


@dataclass(frozen=True)
class MemberStatus:
    profile: MemberProfile
    memberships: tuple[MembershipView, ...]
    balances: Balances
    last_checkin_at: datetime | None


@dataclass(frozen=True)
class CardView:
    id: str
    kind: str
    number: str
    version: int
    revoked: bool


class MembersService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def enroll(
        self,
        *,
        name: str,
        mobile: str | None = None,
        gender: Gender = Gender.UNDISCLOSED,
        birthday: date | None = None,
        tags: tuple[str, ...] = (),
        marketing_consent: bool = False,
        referrer_id: str | None = None,
        photo_ref: str | None = None,
    ) -> str:
        """Enroll a member and issue their QR card; returns the new member id."""
        actor = self._ctx.actor(Action.ENROLL_MEMBER)
        clean_mobile_text = self._clean_mobile(mobile)
        fields: dict[str, Any] = {
            "name": clean_name(name),
            "mobile": clean_mobile_text,
            "gender": clean_gender(gender),
            "birthday": clean_birthday(birthday, self._today()),
            "tags": _clean_tags(tags),
            "marketing_consent": marketing_consent,
            "referrer_id": referrer_id,
            "photo_ref": photo_ref,
            "home_branch_id": self._ctx.identity.branch_id,
        }
        member_id = new_id()
        with self._ctx.recorder.transaction() as tx:
            if clean_mobile_text is not None:
                _refuse_taken_mobile(tx.conn, clean_mobile_text, member_id)
            member_no = _next_member_no(tx.conn, self._ctx.identity.terminal_code)
            tx.record(
                "member.enrolled",
                MemberEnrolled(member_id=member_id, member_no=member_no, **fields),
                actor_id=actor.staff_id,
            )
            tx.record(
                "card.issued",
                CardIssued(
                    card_id=new_id(), member_id=member_id, kind="qr", number=member_no, version=1
                ),
                actor_id=actor.staff_id,
            )
        return member_id

    def update(self, member_id: str, **changes: Any) -> None:
        """Change some fields; each is merged last-writer-wins with other terminals."""
        actor = self._ctx.actor(Action.EDIT_MEMBER)
        unknown = set(changes) - MEMBER_FIELDS
        if unknown:
            raise ValidationError(fields=sorted(unknown))
        if not changes:
            raise ValidationError(field="changes", reason="empty")
        cleaned = dict(changes)
        if "name" in cleaned:
            cleaned["name"] = clean_name(cleaned["name"])
        if "mobile" in cleaned:
            cleaned["mobile"] = self._clean_mobile(cleaned["mobile"])
        if "birthday" in cleaned:
            cleaned["birthday"] = clean_birthday(cleaned["birthday"], self._today())
        if "gender" in cleaned:
            cleaned["gender"] = clean_gender(cleaned["gender"])
        if "tags" in cleaned:
            cleaned["tags"] = _clean_tags(cleaned["tags"])
        with self._ctx.recorder.transaction() as tx:
            _require_member(tx.conn, member_id)
            if cleaned.get("mobile") is not None:
                _refuse_taken_mobile(tx.conn, cleaned["mobile"], member_id)
            payload = MemberUpdated(
                member_id=member_id,
                changes={k: _jsonable(v) for k, v in cleaned.items()},
            )
            tx.record("member.updated", payload, actor_id=actor.staff_id)

    def profile(self, member_id: str) -> MemberProfile:
        with self._ctx.engine.connect() as conn:
            return _profile(_require_member(conn, member_id))

    def status(self, member_id: str) -> MemberStatus:
        """Everything the desk shows about a member: plans, what is left, points."""
        self._ctx.actor(Action.VIEW_MEMBER)
        with self._ctx.engine.connect() as conn:
            return read_status(conn, member_id)

    def cards(self, member_id: str) -> list[CardView]:
        with self._ctx.engine.connect() as conn:
            rows = conn.execute(
                select(CARDS).where(CARDS.c.member_id == member_id).order_by(CARDS.c.version)
            ).all()
        return [
            CardView(r.id, r.kind or "", r.number or "", r.version or 0, r.revoked_at is not None)
            for r in rows
            if r.number is not None
        ]

    def card_payload(self, member_id: str) -> str:
        """The QR text of the member's current card."""
        current = [c for c in self.cards(member_id) if c.kind == "qr" and not c.revoked]
        if not current:
            self.profile(member_id)  # raises MemberNotFound for an unknown member
            raise CardNotFound(member_id=member_id)
        return encode_card(member_id, max(c.version for c in current), self._ctx.card_key)

    def reissue_card(self, member_id: str) -> str:
        """Revoke every live QR card of the member and issue the next version."""
        actor = self._ctx.actor(Action.MANAGE_CARDS)
        with self._ctx.recorder.transaction() as tx:
            member = _require_member(tx.conn, member_id)
            qr = tx.conn.execute(
                select(CARDS.c.id, CARDS.c.version, CARDS.c.revoked_at).where(
                    CARDS.c.member_id == member_id, CARDS.c.kind == "qr"
                )
            ).all()
            for card in qr:
                if card.revoked_at is None:
                    tx.record(
                        "card.revoked",
                        CardRevoked(card_id=card.id, member_id=member_id),
                        actor_id=actor.staff_id,
                    )
            version = max((c.version or 0 for c in qr), default=0) + 1
            tx.record(
                "card.issued",
                CardIssued(
                    card_id=new_id(),
                    member_id=member_id,
                    kind="qr",
                    number=member.member_no,
                    version=version,
                ),
                actor_id=actor.staff_id,
            )
        return encode_card(member_id, version, self._ctx.card_key)

    def attach_card(self, member_id: str, number: str) -> str:
        """Link a plain card number (an old system's barcode or a key fob) to a member."""
        actor = self._ctx.actor(Action.MANAGE_CARDS)
        number = number.strip()
        if not number or len(number) > 64:
            raise ValidationError(field="number")
        card_id = new_id()
        with self._ctx.recorder.transaction() as tx:
            _require_member(tx.conn, member_id)
            tx.record(
                "card.issued",
                CardIssued(
                    card_id=card_id, member_id=member_id, kind="imported", number=number, version=0
                ),
                actor_id=actor.staff_id,
            )
        return card_id

    def revoke_card(self, member_id: str, card_id: str) -> None:
        actor = self._ctx.actor(Action.MANAGE_CARDS)
        with self._ctx.recorder.transaction() as tx:
            owner = tx.conn.execute(
                select(CARDS.c.member_id).where(CARDS.c.id == card_id)
            ).scalar_one_or_none()
            if owner != member_id:
                raise CardNotFound(card_id=card_id, member_id=member_id)
            tx.record(
                "card.revoked",
                CardRevoked(card_id=card_id, member_id=member_id),
                actor_id=actor.staff_id,
            )

    def count(self) -> int:
        with self._ctx.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(MEMBERS)).scalar_one())

    # Internals below.

    def _clean_mobile(self, mobile: str | None) -> str | None:
        if mobile is None or not mobile.strip():
            return None
        return clean_mobile(mobile, self._ctx.config.region)

    def _today(self) -> date:
        return local_date(self._ctx.now(), self._ctx.branch_tz)


def read_status(conn: Connection, member_id: str) -> MemberStatus:
    row = _require_member(conn, member_id)
    return MemberStatus(
        profile=_profile(row),
        memberships=tuple(load_memberships(conn, member_id)),
        balances=load_balances(conn, member_id),
        last_checkin_at=row.last_checkin_at,
    )


def _require_member(conn: Connection, member_id: str) -> Any:
    row = load_member_row(conn, member_id)
    if row is None:
        raise MemberNotFound(member_id=member_id)
    return row


def _profile(row: Any) -> MemberProfile:
    return MemberProfile(
        id=row.id,
        member_no=row.member_no,
        name=row.name,
        mobile=row.mobile,
        gender=Gender(row.gender),
        birthday=row.birthday,
        tags=tuple(row.tags or ()),
        tier=row.tier,
        marketing_consent=bool(row.marketing_consent),
        photo_ref=row.photo_ref,
        enrolled_at=row.enrolled_at,
    )


def _refuse_taken_mobile(conn: Connection, mobile: str, member_id: str) -> None:
    other = conn.execute(
        select(MEMBERS.c.member_no).where(MEMBERS.c.mobile == mobile, MEMBERS.c.id != member_id)
    ).first()
    if other is not None:
        raise MobileTaken(mobile=mobile, member_no=other.member_no)


def _next_member_no(conn: Connection, terminal_code: str) -> str:
    n = int(read_settings(conn).get("next_member_no", "1"))
    write_settings(conn, {"next_member_no": str(n + 1)})
    return f"{terminal_code}{n:06d}"


def _clean_tags(tags: Any) -> list[str]:
    cleaned = []
    for tag in tags:
        text = " ".join(str(tag).split())
        if text and text not in cleaned:
            cleaned.append(text[:32])
    return cleaned


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value
