"""Enrolling, editing and reading members, and their cards.

A card number leads to one member: every path that links a number to a member (an
imported card, a member's QR card, a new member number) refuses, inside its write
transaction, a number another member holds on a live card (``CardNumberTaken``).

The member list (``list_page_keys``, ``list_page``, ``list_rows``) is read in keyset
pages over the ``member_no`` index, so browsing 200,000 members never holds them all
and never pays for an ``OFFSET`` scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    bindparam,
    func,
    literal_column,
    not_,
    select,
)

from desktop.services.codes import clean_code
from desktop.services.context import ServiceContext
from desktop.services.member_state import (
    Balances,
    MembershipView,
    load_balances,
    load_member_row,
    load_memberships,
)
from desktop.services.recorder import Transaction
from desktop.store.settings_store import read_settings, write_settings
from shared.card import encode_card, looks_like_member_card
from shared.errors import (
    CardNotFound,
    CardNumberTaken,
    MemberNotFound,
    MobileTaken,
    ValidationError,
)
from shared.events.payloads import (
    MEMBER_FIELDS,
    CardIssued,
    CardRevoked,
    MemberEnrolled,
    MemberUpdated,
)
from shared.events.projectors import CARDS, LEDGER, MEMBERS
from shared.ids import new_id
from shared.kinds import Account, Gender
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


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One line of the member list."""

    member_id: str
    member_no: str
    name: str
    mobile: str | None
    tier: str
    points: int
    enrolled_on: date | None  # branch-local day


PageKey = tuple[str, int]
"""(member_no, rowid) of a page's first row: where ``list_page`` starts reading."""

MAX_CARD_NUMBER: Final = 64


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
        card_number: str | None = None,
    ) -> str:
        """Enroll a member and issue their QR card; returns the new member id.

        ``card_number`` (an old system's card) is attached in the same transaction, by
        the rules of ``attach_card``: if it is refused, nobody is enrolled.
        """
        actor = self._ctx.actor(Action.ENROLL_MEMBER)
        if card_number is not None:
            self._ctx.actor(Action.MANAGE_CARDS)
            card_number = _clean_card_number(card_number)
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
            if card_number is not None:
                _link_card_number(tx, member_id, card_number, actor.staff_id)
        return member_id

    def update(self, member_id: str, *, card_number: str | None = None, **changes: Any) -> None:
        """Change some fields; each is merged last-writer-wins with other terminals.

        ``card_number`` (an old system's card) is attached in the same transaction, by
        the rules of ``attach_card``: if it is refused, no field changes either.
        """
        actor = self._ctx.actor(Action.EDIT_MEMBER)
        unknown = set(changes) - MEMBER_FIELDS
        if unknown:
            raise ValidationError(fields=sorted(unknown))
        if not changes and card_number is None:
            raise ValidationError(field="changes", reason="empty")
        if card_number is not None:
            self._ctx.actor(Action.MANAGE_CARDS)
            card_number = _clean_card_number(card_number)
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
            if card_number is not None:
                _link_card_number(tx, member_id, card_number, actor.staff_id)
            if cleaned:
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
        """Revoke every live QR card of the member and issue the next version.

        Refused (``CardNumberTaken``) while another member holds a live card numbered
        like this member (an old card linked while this member had no live QR card).
        """
        actor = self._ctx.actor(Action.MANAGE_CARDS)
        with self._ctx.recorder.transaction() as tx:
            member = _require_member(tx.conn, member_id)
            _refuse_taken_card_number(tx.conn, member.member_no, member_id)
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
        """Link a plain card number (an old system's barcode or a key fob) to a member.

        Returns the card's id. A number another member holds on a live card is refused
        (``CardNumberTaken``); a revoked card frees its number. A number this member
        already holds on a live card is left as it is and that card's id is returned:
        scanning the same fob twice links it once.
        """
        actor = self._ctx.actor(Action.MANAGE_CARDS)
        number = _clean_card_number(number)
        with self._ctx.recorder.transaction() as tx:
            _require_member(tx.conn, member_id)
            return _link_card_number(tx, member_id, number, actor.staff_id)

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

    def list_page_keys(self, page_size: int) -> tuple[int, list[PageKey]]:
        """The number of enrolled members and the first key of every page of the member
        list (by member number), in one scan of the ``member_no`` index."""
        if page_size < 1:
            raise ValidationError(field="page_size", value=str(page_size))
        keys: list[PageKey] = []
        count = 0
        with self._ctx.engine.connect() as conn:
            for count, (member_no, rowid) in enumerate(conn.execute(_LIST_KEYS), start=1):
                if (count - 1) % page_size == 0:
                    keys.append((member_no, rowid))
        return count, keys

    def list_page(self, key: PageKey, page_size: int) -> list[MemberRow]:
        """Up to ``page_size`` rows of the member list, from ``key`` on (a range scan)."""
        with self._ctx.engine.connect() as conn:
            params = {"member_no": key[0], "rowid": key[1], "n": page_size}
            rows = conn.execute(_LIST_PAGE, params).all()
            return _member_rows(conn, rows, self._ctx.branch_tz)

    def list_rows(self, member_ids: Sequence[str]) -> list[MemberRow]:
        """The member list's rows for these members (search hits), in the order given."""
        with self._ctx.engine.connect() as conn:
            rows = conn.execute(_LIST_BY_IDS, {"ids": list(member_ids)}).all()
            by_id = {r.member_id: r for r in _member_rows(conn, rows, self._ctx.branch_tz)}
        return [by_id[i] for i in member_ids if i in by_id]

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


def _clean_card_number(number: str) -> str:
    """The number as a scan of it is looked up (``clean_code``), or ValidationError."""
    cleaned = clean_code(number)
    if not cleaned or len(cleaned) > MAX_CARD_NUMBER:
        raise ValidationError(field="number")
    if looks_like_member_card(cleaned.upper()):
        # A scan of it would be read as a member card, never as this number.
        raise ValidationError(field="number", reason="member_card")
    return cleaned


def _live_holders(conn: Connection, number: str) -> list[Any]:
    """(card id, member id, member no) of every live card with this number."""
    return list(
        conn.execute(
            select(CARDS.c.id, CARDS.c.member_id, MEMBERS.c.member_no)
            .select_from(CARDS.outerjoin(MEMBERS, MEMBERS.c.id == CARDS.c.member_id))
            .where(
                CARDS.c.number == number,
                CARDS.c.revoked_at.is_(None),
                CARDS.c.member_id.is_not(None),
            )
        ).all()
    )


def _refuse_taken_card_number(conn: Connection, number: str, member_id: str) -> list[Any]:
    """Raise CardNumberTaken if another member holds a live card ``number``; else the
    member's own live cards with that number."""
    holders = _live_holders(conn, number)
    for holder in holders:
        if holder.member_id != member_id:
            raise CardNumberTaken(number=number, member_no=holder.member_no or "")
    return holders


def _link_card_number(tx: Transaction, member_id: str, number: str, actor_id: str) -> str:
    """Attach an imported card ``number`` (cleaned) to the member, inside ``tx``."""
    own = _refuse_taken_card_number(tx.conn, number, member_id)
    if own:
        return str(own[0].id)
    card_id = new_id()
    tx.record(
        "card.issued",
        CardIssued(card_id=card_id, member_id=member_id, kind="imported", number=number, version=0),
        actor_id=actor_id,
    )
    return card_id


def _next_member_no(conn: Connection, terminal_code: str) -> str:
    """The next free member number; one an imported card already holds is skipped, since
    the member's QR card carries the same number."""
    n = int(read_settings(conn).get("next_member_no", "1"))
    member_no = f"{terminal_code}{n:06d}"
    while _live_holders(conn, member_no):
        n += 1
        member_no = f"{terminal_code}{n:06d}"
    write_settings(conn, {"next_member_no": str(n + 1)})
    return member_no


# The member list's queries.

_ROWID = literal_column("members.rowid", Integer)
_ENROLLED = MEMBERS.c.member_no != ""  # an update that arrived before its enrolment has no number
_LIST_KEYS = (
    select(MEMBERS.c.member_no, _ROWID).where(_ENROLLED).order_by(MEMBERS.c.member_no, _ROWID)
)
_LIST_COLUMNS = (
    MEMBERS.c.id,
    MEMBERS.c.member_no,
    MEMBERS.c.name,
    MEMBERS.c.mobile,
    MEMBERS.c.tier,
    MEMBERS.c.enrolled_at,
)
# Rows from one page's first key on, in index order: a range scan of ix_members_member_no.
_LIST_PAGE = (
    select(*_LIST_COLUMNS)
    .where(
        _ENROLLED,
        MEMBERS.c.member_no >= bindparam("member_no"),
        not_(and_(MEMBERS.c.member_no == bindparam("member_no"), _ROWID < bindparam("rowid"))),
    )
    .order_by(MEMBERS.c.member_no, _ROWID)
    .limit(bindparam("n"))
)
_LIST_POINTS = (
    select(LEDGER.c.member_id, func.sum(LEDGER.c.amount))
    .where(
        LEDGER.c.member_id.in_(bindparam("ids", expanding=True)),
        LEDGER.c.account == Account.POINTS.value,
    )
    .group_by(LEDGER.c.member_id)
)
_LIST_BY_IDS = select(*_LIST_COLUMNS).where(
    _ENROLLED, MEMBERS.c.id.in_(bindparam("ids", expanding=True))
)


def _member_rows(conn: Connection, rows: Sequence[Any], tz: ZoneInfo) -> list[MemberRow]:
    ids = [r.id for r in rows]
    points: dict[str, int] = {}
    if ids:
        for member_id, total in conn.execute(_LIST_POINTS, {"ids": ids}):
            points[member_id] = int(total or 0)
    return [
        MemberRow(
            member_id=r.id,
            member_no=r.member_no,
            name=r.name,
            mobile=r.mobile,
            tier=r.tier,
            points=points.get(r.id, 0),
            enrolled_on=r.enrolled_at.astimezone(tz).date() if r.enrolled_at is not None else None,
        )
        for r in rows
    ]


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
