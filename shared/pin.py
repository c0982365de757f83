"""Staff PINs: a salted slow hash (scrypt), checked offline on the terminal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# About 60 ms a check on the front-desk machines: slow for guessing, quick for a login.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, _N, _R, _P)
    return f"{_PREFIX}${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
        if prefix != _PREFIX:
            return False
        cost = (int(n), int(r), int(p))
        if not _is_sane_cost(*cost):
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(pin, base64.b64decode(salt), *cost)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def is_acceptable_pin(pin: str) -> bool:
    """4 to 8 digits: what a number pad at a busy desk allows."""
    return pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8


def _is_sane_cost(n: int, r: int, p: int) -> bool:
    """Hashes arrive from other terminals: a huge cost would stall every login."""
    return 2 <= n <= 2**17 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
