"""Turns whatever was scanned or typed at the desk into a member.

A member QR card (signed payload), a plain card number imported from an older system
(1D barcode, key fob) or a mobile number all lead to one member; anything else is an
unknown code. The same path serves the webcam, a USB scanner and the keyboard.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, and_, bindparam, select

from shared.card import looks_like_member_card, parse_card
from shared.errors import CodeEmpty, CodeUnknown, MemberNotFound, MobileInvalid
from shared.events.projectors import CARDS, MEMBERS
from shared.kinds import CheckinMethod
from shared.member_input import clean_mobile


@dataclass(frozen=True)
class Resolution:
    member_id: str
    method: CheckinMethod
    card_id: str | None = None
    card_revoked: bool = False


def clean_code(text: str) -> str:
    """Drop control characters a scanner may add (CR, LF, TAB, GS) and outer spaces."""
    kept = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return unicodedata.normalize("NFKC", kept).strip()


def resolve_code(conn: Connection, text: str, *, card_key: bytes, region: str = "CN") -> Resolution:
    code = clean_code(text)
    if not code:
        raise CodeEmpty()
    if looks_like_member_card(code.upper()):
        # A keyboard-wedge scanner with Caps Lock on types the card in lower case.
        return _resolve_qr(conn, code.upper(), card_key)
    card = conn.execute(_CARD_BY_NUMBER, {"number": code}).first()
    if card is not None:
        return Resolution(
            member_id=card.member_id,
            method=CheckinMethod.CARD,
            card_id=card.id,
            card_revoked=card.revoked_at is not None,
        )
    mobile = _as_mobile(code, region)
    if mobile is not None:
        member_id = conn.execute(_MEMBER_BY_MOBILE, {"mobile": mobile}).scalar_one_or_none()
        if member_id is not None:
            return Resolution(member_id=member_id, method=CheckinMethod.MOBILE)
    raise CodeUnknown(code=code[:64])


# Internals below.

_CARD_BY_NUMBER = (
    select(CARDS.c.id, CARDS.c.member_id, CARDS.c.revoked_at)
    .where(CARDS.c.number == bindparam("number"), CARDS.c.member_id.is_not(None))
    .order_by(CARDS.c.revoked_at.is_not(None))  # a live card wins over a revoked one
    .limit(1)
)
_MEMBER_BY_MOBILE = (
    select(MEMBERS.c.id).where(MEMBERS.c.mobile == bindparam("mobile"), MEMBERS.c.member_no != "")
).limit(1)
# The member and all their QR cards in one lookup (no card rows: one row of NULLs).
_MEMBER_QR_CARDS = (
    select(MEMBERS.c.member_no, CARDS.c.id, CARDS.c.version, CARDS.c.revoked_at)
    .outerjoin(CARDS, and_(CARDS.c.member_id == MEMBERS.c.id, CARDS.c.kind == "qr"))
    .where(MEMBERS.c.id == bindparam("member_id"))
)


def _as_mobile(code: str, region: str) -> str | None:
    """The stored form of a typed mobile number ("138 1234 5678", "+86 138..."), if any."""
    if not set(code) <= _PHONE_CHARS:
        return None
    try:
        return clean_mobile(code, region)
    except MobileInvalid:
        return None


_PHONE_CHARS = frozenset("0123456789+- ()")


def _resolve_qr(conn: Connection, code: str, card_key: bytes) -> Resolution:
    claim = parse_card(code, card_key)  # raises CardForged / CardUnsupportedVersion
    rows = conn.execute(_MEMBER_QR_CARDS, {"member_id": claim.member_id}).all()
    if not rows or not rows[0].member_no:
        raise MemberNotFound(member_id=claim.member_id)
    cards = [r for r in rows if r.id is not None and r.version is not None]
    if not cards:
        # Signed by our key but issued elsewhere and not synced here yet: the MAC is proof.
        return Resolution(member_id=claim.member_id, method=CheckinMethod.QR)
    newest = max(c.version for c in cards)
    same = [c for c in cards if c.version == claim.version]
    if not same:
        # A version we have not heard of yet is newer than ours: trust the MAC.
        revoked = claim.version < newest
        return Resolution(claim.member_id, CheckinMethod.QR, card_revoked=revoked)
    card = same[0]
    revoked = card.revoked_at is not None or claim.version < newest
    return Resolution(claim.member_id, CheckinMethod.QR, card_id=card.id, card_revoked=revoked)
