"""Checks of what a person types about a member, each failing with its own error code."""

from __future__ import annotations

import unicodedata
from datetime import date

import phonenumbers

from shared.errors import (
    BirthdayInFuture,
    GenderInvalid,
    MobileInvalid,
    NameEmpty,
    NameTooLong,
)
from shared.kinds import Gender

MAX_NAME_LENGTH = 50


def clean_name(text: str) -> str:
    """Trimmed, NFC, inner runs of spaces collapsed; refuses empty and over-long names."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise NameEmpty()
    if len(name) > MAX_NAME_LENGTH:
        raise NameTooLong(length=len(name), max_length=MAX_NAME_LENGTH)
    return name


def clean_mobile(text: str, region: str) -> str:
    """A mobile number valid in ``region`` (e.g. "CN"), as its national digits.

    Stored without the country code for a single-country chain, which is what the desk
    types and reads back; an explicit +CC prefix for another country keeps its +CC form.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise MobileInvalid(text=text) from None
    if not phonenumbers.is_valid_number(number):
        raise MobileInvalid(text=text)
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise MobileInvalid(text=text)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.national_significant_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_gender(value: str | Gender) -> Gender:
    try:
        return Gender(value)
    except ValueError:
        raise GenderInvalid(value=str(value)) from None


def clean_birthday(value: date | None, today: date) -> date | None:
    if value is not None and value > today:
        raise BirthdayInFuture(birthday=value.isoformat())
    return value
