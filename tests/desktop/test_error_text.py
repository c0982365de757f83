"""Every error the core can raise has words, in every language the desk offers."""

from __future__ import annotations

import pytest

from desktop.error_text import LANGUAGES, MESSAGES, error_text, system_language
from shared.errors import (
    ERROR_CODES,
    CardNumberTaken,
    CodeUnknown,
    FreezeLimitExceeded,
    MemberDeskError,
)


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_error_code_has_text_in_every_language(code):
    assert code in MESSAGES
    for language in LANGUAGES:
        assert MESSAGES[code][language].strip()


def test_the_catalog_holds_no_code_the_core_cannot_raise():
    assert set(MESSAGES) <= ERROR_CODES


def test_a_message_names_what_was_wrong():
    error = FreezeLimitExceeded(used=20, requested=15, limit=30, year=2026)
    assert error_text(error, "zh") == ("2026 年停卡天数超限：已用 20 天，本次 15 天，上限 30 天。")
    assert "15 asked" in error_text(error, "en")


def test_a_taken_card_number_names_the_number_and_its_holder():
    error = CardNumberTaken(number="OLD-1", member_no="T1000001")
    assert error_text(error, "zh") == "卡号 OLD-1 已属于会员 T1000001。"
    assert error_text(error, "en") == "Card number OLD-1 already belongs to member T1000001."


def test_a_missing_parameter_never_breaks_the_message():
    assert error_text(CodeUnknown(), "en").startswith("“?”")


def test_an_unknown_language_falls_back_to_english():
    assert error_text(MemberDeskError(), "fr") == "Something unexpected went wrong."


@pytest.mark.parametrize(
    ("lang", "expected"), [("zh_CN.UTF-8", "zh"), ("en_US.UTF-8", "en"), ("C", "en")]
)
def test_the_system_language_follows_the_locale(monkeypatch, lang, expected):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)
    assert system_language() == expected
