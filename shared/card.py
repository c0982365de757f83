"""The member card QR payload: who the member is, which card, and a MAC proving the chain made it.

Format (QR alphanumeric characters only, so the code stays small and scans fast)::

    MD1:<member>:<version>:<mac>

* ``member``: the 16 bytes of the member UUID in RFC 4648 base32, uppercase, no padding
  (26 characters);
* ``version``: the card version in decimal, no sign, no leading zeros, 0 to
  ``MAX_CARD_VERSION`` (``member_cards.version`` is a 32-bit ``Integer``);
* ``mac``: the first 10 bytes of ``HMAC-SHA256(key, b"MD1|" + member_bytes + b"|" +
  version_ascii)`` in the same base32 (16 characters).

A payload is therefore 48 characters plus the version's digits (at most 58). Only the one
canonical text of a card is accepted: lowercase, padding, other spellings of the version or
base32 with non-zero spare bits are all refused as forged, so any changed character is
detected.

Revocation is not checked here: :func:`parse_card` only proves the chain issued a card for
this member with this version. The caller compares ``CardClaim.version`` with the member's
current card version in the store and raises ``CardRevoked`` for an older one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache

from shared.errors import CardForged, CardUnsupportedVersion

__all__ = [
    "CARD_FORMAT_VERSION",
    "MAX_CARD_VERSION",
    "MIN_CARD_KEY_BYTES",
    "QR_ALPHANUMERIC",
    "CardClaim",
    "encode_card",
    "looks_like_member_card",
    "new_card_key",
    "parse_card",
]

CARD_FORMAT_VERSION = 1
MAX_CARD_VERSION = 2**31 - 1
MIN_CARD_KEY_BYTES = 16
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
"""The characters a QR code can hold in alphanumeric mode (5.5 bits each)."""

_MAC_BYTES = 10
_PREFIX = f"MD{CARD_FORMAT_VERSION}:"
# "MD" + format version (canonical decimal, bounded so int() stays cheap) + ":".
_ROUTE_RE = re.compile(r"MD(0|[1-9][0-9]{0,8}):")
_B32 = "[A-Z2-7]"
_V1_RE = re.compile(rf"MD1:({_B32}{{26}}):(0|[1-9][0-9]{{0,9}}):({_B32}{{16}})")
# RFC 4648 base32 digits spelt as int(..., 32) reads them ("A" is 0, "7" is 31).
_B32_TO_INT32 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV"
)


@dataclass(frozen=True)
class CardClaim:
    """What a genuine card says; ``member_id`` is canonical lowercase UUID text."""

    member_id: str
    version: int


def new_card_key() -> bytes:
    """A fresh random 32-byte card key for a chain."""
    return secrets.token_bytes(32)


def encode_card(member_id: str, version: int, key: bytes) -> str:
    """The QR payload for card ``version`` of member ``member_id`` (any UUID spelling).

    ``ValueError`` for a member id that is not a UUID, a version outside
    ``0..MAX_CARD_VERSION`` or a key shorter than ``MIN_CARD_KEY_BYTES``.
    """
    _check_key(key)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"card version must be an int, got {version!r}")
    if not 0 <= version <= MAX_CARD_VERSION:
        raise ValueError(f"card version must be in [0, {MAX_CARD_VERSION}], got {version}")
    member = uuid.UUID(member_id).bytes
    version_text = str(version)
    return f"{_PREFIX}{_b32(member)}:{version_text}:{_b32(_mac(key, member, version_text))}"


def looks_like_member_card(text: str) -> bool:
    """Cheap routing test for a scan: ``MD<n>:`` at the start (any format version).

    True does not mean genuine; :func:`parse_card` decides that.
    """
    return _ROUTE_RE.match(text.strip()) is not None


def parse_card(text: str, key: bytes) -> CardClaim:
    """Verify a scanned payload and return what it claims.

    Raises ``CardUnsupportedVersion(version=n)`` for ``MD<n>:`` with ``n != 1`` (a newer
    card format this terminal does not know), and ``CardForged()`` for anything else that is
    not a genuine v1 card: wrong MAC, wrong key, garbled or non-canonical text. Does not
    check revocation (see the module docstring). ``ValueError`` for a too-short key.
    """
    _check_key(key)
    text = text.strip()
    match = _V1_RE.fullmatch(text)  # the usual case first: one regex, then C-level work
    if match is None:
        route = _ROUTE_RE.match(text)
        if route is None:
            raise CardForged()
        format_version = int(route[1])
        if format_version != CARD_FORMAT_VERSION:
            raise CardUnsupportedVersion(version=format_version)
        raise CardForged()
    member_text, version_text, mac_text = match.groups()
    version = int(version_text)
    # The regex admits only base32 letters, so many of them: as integers, 130 bits for
    # the member (its 2 spare bits must be 0: the one canonical text), 80 for the MAC.
    member_int = int(member_text.translate(_B32_TO_INT32), 32)
    if member_int & 0b11 or version > MAX_CARD_VERSION:
        raise CardForged()
    member = (member_int >> 2).to_bytes(16, "big")
    given_mac = int(mac_text.translate(_B32_TO_INT32), 32).to_bytes(_MAC_BYTES, "big")
    if not hmac.compare_digest(given_mac, _mac(key, member, version_text)):
        raise CardForged()
    hex_ = member.hex()
    member_id = f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"
    return CardClaim(member_id=member_id, version=version)


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_CARD_KEY_BYTES:
        raise ValueError(f"card key must be at least {MIN_CARD_KEY_BYTES} bytes")


def _mac(key: bytes, member: bytes, version_text: str) -> bytes:
    mac = _keyed(key).copy()  # copying a keyed HMAC skips hashing the key every time
    mac.update(b"MD1|" + member + b"|" + version_text.encode("ascii"))
    return mac.digest()[:_MAC_BYTES]


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 holding only ``key``, to copy for each message."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")
