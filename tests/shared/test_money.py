from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import MoneyInvalid, MoneyNegative, MoneyTooPrecise
from shared.money import format_money, parse_money, yuan_text

LOCALES = ["zh_CN", "en", "en_US"]
fens = st.integers(min_value=0, max_value=10**12 - 1)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("¥12.30", 1230),
        ("￥12.30", 1230),
        ("CN¥12.30", 1230),
        ("12元", 1200),
        ("12.5 元", 1250),
        ("1,234.50", 123450),
        ("  12.30 ", 1230),
        ("１２．３０", 1230),
        ("￥１，２３４．５", 123450),
        ("\u300012\u3000", 1200),
        ("¥ 12.30", 1230),
        ("0", 0),
        ("0.01", 1),
        ("1.230", 123),
        ("999,999,999,999.99", 99_999_999_999_999),
        ("000000000000012", 1200),
    ],
)
def test_parse_money_accepts_the_ways_people_write_an_amount(text: str, fen: int) -> None:
    assert parse_money(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "",
        "   ",
        "1e3",
        "NaN",
        "Infinity",
        "1.2.3",
        ",",
        "12元5",
        "¥",
        "元",
        "¥12元",
        "+12",
        ".5",
        "12.",
        "1,23",
        "1234,567",
        "12,",
        "1 234",
        "0x10",
        "12$",
        "USD12",
        "-¥-1",
        "1" * 100,
    ],
)
def test_parse_money_rejects_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(MoneyInvalid) as caught:
        parse_money(text)
    assert caught.value.params == {"text": text}


@pytest.mark.parametrize("text", ["-1", "-0.5", "−1", "－1", "-¥12.30", "¥-12.30", "-12元", "-0"])
def test_parse_money_rejects_a_minus_sign_as_negative(text: str) -> None:
    with pytest.raises(MoneyNegative) as caught:
        parse_money(text)
    assert caught.value.params == {"text": text}


@pytest.mark.parametrize("text", ["1.234", "0.001", "¥1.2301"])
def test_parse_money_rejects_fractions_of_a_fen_as_too_precise(text: str) -> None:
    with pytest.raises(MoneyTooPrecise) as caught:
        parse_money(text)
    assert caught.value.params == {"text": text}


def test_parse_money_rejects_more_than_twelve_yuan_digits_as_invalid() -> None:
    assert parse_money("999999999999") == 99_999_999_999_900
    with pytest.raises(MoneyInvalid):
        parse_money("1000000000000")
    with pytest.raises(MoneyInvalid):
        parse_money("1,000,000,000,000.00")


def test_parse_money_does_not_round_away_a_tiny_fraction_after_many_zeros() -> None:
    with pytest.raises(MoneyTooPrecise):
        parse_money("999999999999.00000000000000000000000001")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", "¥12.30"), ("en", "CN¥12.30"), ("en_US", "CN¥12.30")],
)
def test_format_money_uses_the_locales_currency_sign(locale: str, expected: str) -> None:
    assert format_money(1230, locale) == expected


def test_format_money_groups_thousands_and_shows_two_decimals() -> None:
    assert format_money(123456789, "zh_CN") == "¥1,234,567.89"
    assert format_money(0, "en") == "CN¥0.00"
    assert format_money(5, "zh_CN") == "¥0.05"


def test_format_money_shows_a_refund_with_a_minus_sign() -> None:
    assert format_money(-1230, "zh_CN") == "-¥12.30"
    assert format_money(-1230, "en") == "-CN¥12.30"


def test_format_money_stays_exact_for_amounts_beyond_decimal_precision() -> None:
    assert format_money(10**30 + 1, "en").endswith("000,000.01")


def test_format_money_refuses_a_currency_without_a_hundredth_minor_unit() -> None:
    assert format_money(100, "en", "USD") == "$1.00"
    with pytest.raises(ValueError):
        format_money(100, "en", "JPY")


@pytest.mark.parametrize("bad", [12.3, True, "1230"])
def test_format_money_and_yuan_text_refuse_anything_but_integer_fen(bad: object) -> None:
    with pytest.raises(TypeError):
        format_money(bad, "zh_CN")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        yuan_text(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"), [(1230, "12.30"), (0, "0.00"), (5, "0.05"), (123456789, "1234567.89")]
)
def test_yuan_text_is_plain_two_decimal_yuan_without_sign_or_grouping(fen: int, text: str) -> None:
    assert yuan_text(fen) == text


def test_yuan_text_puts_a_minus_before_negative_amounts() -> None:
    assert yuan_text(-5) == "-0.05"
    assert yuan_text(-1230) == "-12.30"


@given(fen=fens, locale=st.sampled_from(LOCALES))
def test_parsing_a_formatted_amount_gives_back_the_same_fen(fen: int, locale: str) -> None:
    assert parse_money(format_money(fen, locale)) == fen


@given(fen=fens)
def test_parsing_yuan_text_gives_back_the_same_fen(fen: int) -> None:
    assert parse_money(yuan_text(fen)) == fen


@given(text=st.text(max_size=30))
def test_parse_money_either_returns_non_negative_fen_or_raises_a_money_error(text: str) -> None:
    try:
        fen = parse_money(text)
    except (MoneyInvalid, MoneyNegative, MoneyTooPrecise) as error:
        assert error.params == {"text": text}
    else:
        assert isinstance(fen, int)
        assert 0 <= fen < 10**14
