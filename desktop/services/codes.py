"""Turns whatever was scanned or typed at the desk into a member.

A member QR card (signed payload), a plain card number imported from an older system
(1D barcode, key fob) or a mobile number all lead to one member; anything else is an
unknown code. The same path serves the webcam, a USB scanner and the keyboard.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection

from desktop.services.member_state import driver_connection
from shared.card import looks_like_member_card, parse_card
from shared.errors import CodeEmpty, CodeUnknown, MemberNotFound, MobileInvalid
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
    if text.isascii():
        # What a scanner sends: ASCII has no other "C" characters, and NFKC leaves it be.
        return text.translate(_ASCII_CONTROLS).strip()
    kept = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return unicodedata.normalize("NFKC", kept).strip()


_ASCII_CONTROLS = dict.fromkeys([*range(0x20), 0x7F])


def resolve_code(conn: Connection, text: str, *, card_key: bytes, region: str = "CN") -> Resolution:
    code = clean_code(text)
    if not code:
        raise CodeEmpty()
    if looks_like_member_card(code.upper()):
        # A keyboard-wedge scanner with Caps Lock on types the card in lower case.
        return _resolve_qr(conn, code.upper(), card_key)
    driver = driver_connection(conn)
    card = driver.execute(_CARD_BY_NUMBER, (code,)).fetchone()
    if card is not None:
        card_id, member_id, revoked_at = card
        return Resolution(
            member_id=member_id,
            method=CheckinMethod.CARD,
            card_id=card_id,
            card_revoked=revoked_at is not None,
        )
    mobile = _as_mobile(code, region)
    if mobile is not None:
        found = driver.execute(_MEMBER_BY_MOBILE, (mobile,)).fetchone()
        if found is not None:
            return Resolution(member_id=found[0], method=CheckinMethod.MOBILE)
    raise CodeUnknown(code=code[:64])


# Internals below.

# Run on every scan, so straight through the driver (its statement cache keeps them
# compiled); each is one indexed lookup. Only NULL-ness of revoked_at is read.
_CARD_BY_NUMBER = """
SELECT id, member_id, revoked_at FROM member_cards
WHERE number = ? AND member_id IS NOT NULL
ORDER BY revoked_at IS NOT NULL LIMIT 1
"""  # a live card wins over a revoked one
_MEMBER_BY_MOBILE = "SELECT id FROM members WHERE mobile = ? AND member_no != '' LIMIT 1"
# The member and all their QR cards in one lookup (no card rows: one row of NULLs).
_MEMBER_QR_CARDS = """
SELECT m.member_no, c.id, c.version, c.revoked_at
FROM members AS m
LEFT OUTER JOIN member_cards AS c ON c.member_id = m.id AND c.kind = 'qr'
WHERE m.id = ?
"""


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
    rows = driver_connection(conn).execute(_MEMBER_QR_CARDS, (claim.member_id,)).fetchall()
    if not rows or not rows[0][0]:
        raise MemberNotFound(member_id=claim.member_id)
    # (id, version, revoked_at) of each QR card
    cards = [(r[1], r[2], r[3]) for r in rows if r[1] is not None and r[2] is not None]
    if not cards:
        # Signed by our key but issued elsewhere and not synced here yet: the MAC is proof.
        return Resolution(member_id=claim.member_id, method=CheckinMethod.QR)
    newest = max(version for _, version, _ in cards)
    same = [c for c in cards if c[1] == claim.version]
    if not same:
        # A version we have not heard of yet is newer than ours: trust the MAC.
        revoked = claim.version < newest
        return Resolution(claim.member_id, CheckinMethod.QR, card_revoked=revoked)
    card_id, _, revoked_at = same[0]
    revoked = revoked_at is not None or claim.version < newest
    return Resolution(claim.member_id, CheckinMethod.QR, card_id=card_id, card_revoked=revoked)
