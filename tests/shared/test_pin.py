"""Staff PINs: a salted slow hash, checked offline on the terminal."""

from __future__ import annotations

import pytest

from shared.pin import hash_pin, is_acceptable_pin, verify_pin


@pytest.fixture(scope="module")
def stored() -> str:
    """One hash for the module: each takes tens of milliseconds on purpose."""
    return hash_pin("2468")


def test_a_hashed_pin_verifies(stored: str) -> None:
    assert verify_pin("2468", stored)


@pytest.mark.parametrize("wrong", ["2469", "246", "24680", "", " 2468", "２４６８"])
def test_a_wrong_pin_does_not_verify(stored: str, wrong: str) -> None:
    assert not verify_pin(wrong, stored)


def test_the_hash_names_its_scheme_and_cost_and_keeps_no_pin(stored: str) -> None:
    scheme, n, r, p, salt, digest = stored.split("$")

    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest
    assert "2468" not in stored


def test_hashing_the_same_pin_twice_gives_different_salted_hashes(stored: str) -> None:
    again = hash_pin("2468")

    assert again != stored
    assert verify_pin("2468", again)


def test_the_hash_fits_the_staff_pin_hash_column(stored: str) -> None:
    assert len(stored) <= 200


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "scrypt$",
        "bcrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$n$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$16384$8$1$not base64!$ZGlnZXN0",
        "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0$extra",
        "scrypt$1000$8$1$c2FsdA==$ZGlnZXN0",  # n not a power of two
        "scrypt$16384$0$1$c2FsdA==$ZGlnZXN0",
    ],
)
def test_a_garbage_stored_hash_does_not_verify_and_does_not_raise(garbage: str) -> None:
    assert verify_pin("2468", garbage) is False


def test_a_hash_whose_digest_was_altered_does_not_verify(stored: str) -> None:
    *head, digest = stored.split("$")
    flipped = ("A" if digest[0] != "A" else "B") + digest[1:]

    assert not verify_pin("2468", "$".join([*head, flipped]))


@pytest.mark.parametrize("pin", ["1234", "0000", "12345678", "000000"])
def test_four_to_eight_ascii_digits_are_an_acceptable_pin(pin: str) -> None:
    assert is_acceptable_pin(pin)


@pytest.mark.parametrize(
    "pin",
    ["", "123", "123456789", "12a4", "12 34", " 1234", "１２３４", "١٢٣٤", "-123", "12.4"],
)
def test_anything_else_is_not_an_acceptable_pin(pin: str) -> None:
    assert not is_acceptable_pin(pin)


def test_a_stored_hash_with_an_absurd_cost_is_refused_without_running_it():
    stored = hash_pin("1234")
    prefix, _n, r, p, salt, digest = stored.split("$")
    assert not verify_pin("1234", f"{prefix}${2**30}${r}${p}${salt}${digest}")
    assert not verify_pin("1234", f"{prefix}$16384$64${p}${salt}${digest}")
