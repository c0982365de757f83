"""What a person types about a member: names, mobile numbers, birthdays."""

from __future__ import annotations

from datetime import date

import pytest

from shared.errors import BirthdayInFuture, MobileInvalid, NameEmpty, NameTooLong
from shared.member_input import MAX_NAME_LENGTH, clean_birthday, clean_mobile, clean_name

# Names.


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("Anna   Li", "Anna Li"),
        ("\tAnna \n Li ", "Anna Li"),
        ("张\u3000三", "张 三"),  # an ideographic (full-width) space counts as a space
        ("Zoe\u0308", "Zoë"),  # NFC: the combining diaeresis joins its letter
    ],
)
def test_clean_name_trims_collapses_spaces_and_composes_characters(typed: str, clean: str) -> None:
    assert clean_name(typed) == clean


@pytest.mark.parametrize("typed", ["", " ", "\u3000\t\n"])
def test_clean_name_refuses_an_empty_name(typed: str) -> None:
    with pytest.raises(NameEmpty) as caught:
        clean_name(typed)

    assert caught.value.code == "member.name_empty"


def test_clean_name_accepts_a_name_of_the_maximum_length() -> None:
    name = "名" * MAX_NAME_LENGTH

    assert clean_name(f"  {name}  ") == name


def test_clean_name_refuses_a_name_one_character_too_long_and_says_how_long() -> None:
    with pytest.raises(NameTooLong) as caught:
        clean_name("名" * (MAX_NAME_LENGTH + 1))

    assert caught.value.params == {"length": MAX_NAME_LENGTH + 1, "max_length": MAX_NAME_LENGTH}


def test_clean_name_counts_length_after_collapsing_spaces() -> None:
    words = " ".join(["ab"] * 17)  # 50 characters once single-spaced
    assert clean_name(words.replace(" ", "     ")) == words


# Mobile numbers.


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "(+86) 13800138000",
        "0086 13800138000",
        "１３８００１３８０００",  # full-width digits from a Chinese input method
        "＋８６ １３８ ００１３ ８０００",
        "  13800138000\n",
    ],
)
def test_clean_mobile_gives_the_eleven_national_digits_of_a_chinese_mobile(typed: str) -> None:
    assert clean_mobile(typed, "CN") == "13800138000"


@pytest.mark.parametrize(
    "typed", ["", "abc", "12345", "1380013800", "138001380001", "23800138000", "+86"]
)
def test_clean_mobile_refuses_what_is_not_a_phone_number(typed: str) -> None:
    with pytest.raises(MobileInvalid) as caught:
        clean_mobile(typed, "CN")

    assert caught.value.params == {"text": typed}
    assert caught.value.code == "member.mobile_invalid"


@pytest.mark.parametrize("typed", ["010 6552 9988", "02012345678", "+86 755 8888 6666"])
def test_clean_mobile_refuses_a_landline(typed: str) -> None:
    with pytest.raises(MobileInvalid):
        clean_mobile(typed, "CN")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+44 7911 123456", "+447911123456"),
        ("+852 9123 4567", "+85291234567"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_clean_mobile_keeps_a_foreign_mobile_in_e164(typed: str, e164: str) -> None:
    assert clean_mobile(typed, "CN") == e164


def test_clean_mobile_uses_the_chains_own_region_for_national_numbers() -> None:
    assert clean_mobile("07400 123456", "GB") == "7400123456"
    assert clean_mobile("+86 138 0013 8000", "GB") == "+8613800138000"


# Birthdays.

TODAY = date(2026, 6, 15)


def test_clean_birthday_refuses_a_date_after_today() -> None:
    with pytest.raises(BirthdayInFuture) as caught:
        clean_birthday(date(2026, 6, 16), TODAY)

    assert caught.value.params == {"birthday": "2026-06-16"}


@pytest.mark.parametrize("birthday", [None, TODAY, date(1990, 1, 2), date(1900, 2, 28)])
def test_clean_birthday_accepts_today_past_dates_and_none(birthday: date | None) -> None:
    assert clean_birthday(birthday, TODAY) == birthday
