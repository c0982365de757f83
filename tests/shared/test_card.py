from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.card import (
    MAX_CARD_VERSION,
    QR_ALPHANUMERIC,
    CardClaim,
    encode_card,
    looks_like_member_card,
    new_card_key,
    parse_card,
)
from shared.errors import CardForged, CardUnsupportedVersion

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
MEMBER = "0190f1c2-3b4a-7d5e-8f60-718293a4b5c6"

versions = st.integers(min_value=0, max_value=MAX_CARD_VERSION)
keys = st.binary(min_size=16, max_size=64)


def test_a_card_has_the_documented_layout() -> None:
    code = encode_card(MEMBER, 3, KEY)
    member_bytes = uuid.UUID(MEMBER).bytes
    mac = hmac.new(KEY, b"MD1|" + member_bytes + b"|3", hashlib.sha256).digest()[:10]
    expected_member = base64.b32encode(member_bytes).decode().rstrip("=")
    expected_mac = base64.b32encode(mac).decode()
    assert code == f"MD1:{expected_member}:3:{expected_mac}"


def test_parse_card_returns_the_member_and_version_on_the_card() -> None:
    assert parse_card(encode_card(MEMBER, 3, KEY), KEY) == CardClaim(MEMBER, 3)


def test_parse_card_ignores_surrounding_whitespace_from_the_scanner() -> None:
    assert parse_card(f"  {encode_card(MEMBER, 1, KEY)}\r\n", KEY) == CardClaim(MEMBER, 1)


def test_encode_card_accepts_any_uuid_spelling_and_the_claim_is_canonical() -> None:
    code = encode_card(MEMBER.upper().replace("-", ""), 1, KEY)
    assert code == encode_card(MEMBER, 1, KEY)
    assert parse_card(code, KEY).member_id == MEMBER


@pytest.mark.parametrize("version", [0, 1, 9, 10, 1_000_000, MAX_CARD_VERSION])
def test_version_zero_and_large_versions_round_trip(version: int) -> None:
    assert parse_card(encode_card(MEMBER, version, KEY), KEY) == CardClaim(MEMBER, version)


@pytest.mark.parametrize("version", [-1, MAX_CARD_VERSION + 1, True])
def test_encode_card_refuses_a_version_outside_the_stored_range(version: int) -> None:
    with pytest.raises(ValueError):
        encode_card(MEMBER, version, KEY)


def test_encode_card_refuses_a_member_id_that_is_not_a_uuid() -> None:
    with pytest.raises(ValueError):
        encode_card("M0001", 1, KEY)


def test_a_card_checked_with_another_chains_key_is_forged() -> None:
    with pytest.raises(CardForged):
        parse_card(encode_card(MEMBER, 1, KEY), OTHER_KEY)


def test_a_card_with_a_changed_version_but_the_old_mac_is_forged() -> None:
    code = encode_card(MEMBER, 1, KEY)
    with pytest.raises(CardForged):
        parse_card(code.replace(":1:", ":2:"), KEY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "MD1:",
        "MD1:AAAA:1:AAAA",
        "md1:AGRBQDE2QZ6JZE6RQJ54C6RWGE:3:3S5DKG4VADHK7X22",
        "1234567890",
        "https://example.com/?MD1:x",
    ],
)
def test_garbled_text_is_forged(text: str) -> None:
    with pytest.raises(CardForged):
        parse_card(text, KEY)


def test_non_canonical_spellings_of_a_genuine_card_are_forged() -> None:
    code = encode_card(MEMBER, 7, KEY)
    prefix, member, version, mac = code.split(":")
    variants = [
        code.lower(),
        f"{prefix}:{member}======:{version}:{mac}",
        f"{prefix}:{member}:07:{mac}",
        f"{prefix}:{member}:+7:{mac}",
        f"{prefix}:{member}:{version}:{mac}:",
        f"{prefix}:{member}:{version}:{mac}A",
        f"{prefix}:{member} :{version}:{mac}",
        f"{prefix}:{member}:{version}",
    ]
    for variant in variants:
        with pytest.raises(CardForged):
            parse_card(variant, KEY)


def test_spare_bits_in_the_member_field_cannot_be_changed_unnoticed() -> None:
    # 26 base32 characters carry 130 bits for 128; the decoder alone ignores the last 2.
    code = encode_card("00000000-0000-7000-8000-000000000000", 1, KEY)
    prefix, member, version, mac = code.split(":")
    assert member.endswith("A")
    for spare in "BCD":
        with pytest.raises(CardForged):
            parse_card(f"{prefix}:{member[:-1]}{spare}:{version}:{mac}", KEY)


@pytest.mark.parametrize(("text", "version"), [("MD2:anything", 2), ("MD0:X", 0), ("MD10:", 10)])
def test_a_newer_card_format_is_unsupported_not_forged(text: str, version: int) -> None:
    with pytest.raises(CardUnsupportedVersion) as caught:
        parse_card(text, KEY)
    assert caught.value.params == {"version": version}


@pytest.mark.parametrize("key", [b"", b"short", bytes(15)])
def test_a_key_shorter_than_sixteen_bytes_is_refused(key: bytes) -> None:
    with pytest.raises(ValueError):
        encode_card(MEMBER, 1, key)
    with pytest.raises(ValueError):
        parse_card("MD1:x", key)


def test_new_card_key_is_thirty_two_fresh_random_bytes() -> None:
    first, second = new_card_key(), new_card_key()
    assert len(first) == 32
    assert first != second
    assert parse_card(encode_card(MEMBER, 1, first), first) == CardClaim(MEMBER, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (encode_card(MEMBER, 1, KEY), True),
        ("MD2:whatever", True),
        (" MD1:x", True),
        ("MD:x", False),
        ("MDX:x", False),
        ("md1:x", False),
        ("6901234567892", False),
        ("", False),
    ],
)
def test_looks_like_member_card_routes_on_the_prefix_only(text: str, expected: bool) -> None:
    assert looks_like_member_card(text) is expected


@given(member=st.uuids(), version=versions, key=keys)
def test_any_card_round_trips(member: uuid.UUID, version: int, key: bytes) -> None:
    code = encode_card(str(member), version, key)
    assert looks_like_member_card(code)
    assert parse_card(code, key) == CardClaim(str(member), version)


@given(member=st.uuids(), version=versions, key=keys)
def test_a_card_is_short_and_uses_only_qr_alphanumeric_characters(
    member: uuid.UUID, version: int, key: bytes
) -> None:
    code = encode_card(str(member), version, key)
    assert len(code) <= 80
    assert set(code) <= QR_ALPHANUMERIC


@given(
    member=st.uuids(),
    version=versions,
    data=st.data(),
)
def test_changing_any_one_character_of_a_card_is_detected(
    member: uuid.UUID, version: int, data: st.DataObject
) -> None:
    code = encode_card(str(member), version, KEY)
    index = data.draw(st.integers(0, len(code) - 1), label="index")
    replacement = data.draw(
        st.sampled_from(sorted(QR_ALPHANUMERIC - {code[index]})), label="replacement"
    )
    tampered = code[:index] + replacement + code[index + 1 :]
    if index == 2 and replacement.isdigit():
        with pytest.raises(CardUnsupportedVersion):
            parse_card(tampered, KEY)
    else:
        with pytest.raises(CardForged):
            parse_card(tampered, KEY)


@given(member=st.uuids(), version=versions, other=keys)
def test_a_card_never_verifies_under_a_different_key(
    member: uuid.UUID, version: int, other: bytes
) -> None:
    code = encode_card(str(member), version, KEY)
    if other != KEY:
        with pytest.raises(CardForged):
            parse_card(code, other)


@given(text=st.text(max_size=80), key=keys)
def test_parse_card_only_ever_raises_card_errors_for_arbitrary_text(text: str, key: bytes) -> None:
    with pytest.raises((CardForged, CardUnsupportedVersion)):
        parse_card(text, key)
