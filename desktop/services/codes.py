"""Turns whatever was scanned or typed at the desk into a member.

A member QR card (signed payload), a plain card number imported from an older system
(1D barcode, key fob) or a mobile number all lead to one member; anything else is an
unknown code. The same path serves the webcam, a USB scanner and the keyboard.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, select

from shared.card import looks_like_member_card, parse_card
from shared.errors import CodeEmpty, CodeUnknown, MemberNotFound
from shared.events.projectors import CARDS, MEMBERS
from shared.kinds import CheckinMethod


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


def resolve_code(conn: Connection, text: str, *, card_key: bytes) -> Resolution:
    code = clean_code(text)
    if not code:
        raise CodeEmpty()
    if looks_like_member_card(code.upper()):
        # A keyboard-wedge scanner with Caps Lock on types the card in lower case.
        return _resolve_qr(conn, code.upper(), card_key)
    card = conn.execute(
        select(CARDS.c.id, CARDS.c.member_id, CARDS.c.revoked_at)
        .where(CARDS.c.number == code, CARDS.c.member_id.is_not(None))
        .order_by(CARDS.c.revoked_at.is_not(None))  # a live card wins over a revoked one
        .limit(1)
    ).first()
    if card is not None:
        return Resolution(
            member_id=card.member_id,
            method=CheckinMethod.CARD,
            card_id=card.id,
            card_revoked=card.revoked_at is not None,
        )
    if code.isdigit():
        member_id = conn.execute(
            select(MEMBERS.c.id).where(MEMBERS.c.mobile == code).limit(1)
        ).scalar_one_or_none()
        if member_id is not None:
            return Resolution(member_id=member_id, method=CheckinMethod.MOBILE)
    raise CodeUnknown(code=code[:64])


# Internals below.


def _resolve_qr(conn: Connection, code: str, card_key: bytes) -> Resolution:
    claim = parse_card(code, card_key)  # raises CardForged / CardUnsupportedVersion
    exists = conn.execute(
        select(MEMBERS.c.id).where(MEMBERS.c.id == claim.member_id)
    ).scalar_one_or_none()
    if exists is None:
        raise MemberNotFound(member_id=claim.member_id)
    cards = conn.execute(
        select(CARDS.c.id, CARDS.c.version, CARDS.c.revoked_at).where(
            CARDS.c.member_id == claim.member_id, CARDS.c.kind == "qr"
        )
    ).all()
    if not cards:
        # Signed by our key but issued elsewhere and not synced here yet: the MAC is proof.
        return Resolution(member_id=claim.member_id, method=CheckinMethod.QR)
    same = [c for c in cards if c.version == claim.version]
    newest = max(c.version for c in cards if c.version is not None)
    if not same:
        if claim.version < newest:
            return Resolution(claim.member_id, CheckinMethod.QR, card_revoked=True)
        return Resolution(member_id=claim.member_id, method=CheckinMethod.QR)
    card = same[0]
    revoked = card.revoked_at is not None or claim.version < newest
    return Resolution(claim.member_id, CheckinMethod.QR, card_id=card.id, card_revoked=revoked)
