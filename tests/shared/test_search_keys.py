"""Search keys: pinyin, initials, name pieces and the mobile tail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.search_keys import mobile_tail, name_grams, normalise_text, pinyin_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("欧阳小明", "ouyangxiaoming", "oyxm"),
        ("李", "li", "l"),
        ("Anna 李", "annali", "al"),
        ("ＺＨＡＮＧ", "zhang", "z"),  # full-width Latin letters
        ("张\u3000三", "zhangsan", "zs"),  # an ideographic space
        ("  Ｌｉ  Ｍｉｎｇ ", "liming", "lm"),
        ("王5", "wang5", "w5"),
        ("O'Brien 张", "obrienzhang", "oz"),
        ("", "", ""),
    ],
)
def test_pinyin_keys_are_lower_case_full_pinyin_and_initials(
    name: str, full: str, initials: str
) -> None:
    assert pinyin_keys(name) == (full, initials)


def test_normalise_text_folds_width_and_case_and_trims() -> None:
    assert normalise_text("  ＡＢＣ１２３ ") == "abc123"
    assert normalise_text("Straße") == "strasse"
    assert normalise_text("ｶﾀｶﾅ") == "カタカナ"


def test_name_grams_are_every_one_and_two_character_piece() -> None:
    assert name_grams("张三") == {"张", "三", "张三"}
    assert name_grams("欧阳小明") == {"欧", "阳", "小", "明", "欧阳", "阳小", "小明"}


def test_name_grams_drop_spaces_and_fold_width_and_case() -> None:
    assert name_grams("张 三") == name_grams("张三")
    assert name_grams("ＡＢ") == {"a", "b", "ab"}
    assert name_grams("  ") == set()


def test_name_grams_fit_the_two_character_column() -> None:
    assert all(1 <= len(g) <= 2 for g in name_grams("Anna Maria 欧阳 小明"))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_every_query_of_one_or_two_characters_from_a_name_is_one_of_its_grams(name: str) -> None:
    text = "".join(normalise_text(name).split())
    grams = name_grams(name)
    for i in range(len(text)):
        assert text[i] in grams
        if i + 1 < len(text):
            assert text[i : i + 2] in grams


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_pinyin_keys_are_case_folded_letters_and_digits(name: str) -> None:
    full, initials = pinyin_keys(name)
    for key in (full, initials):
        # Case-folded, as queries are: not always lower case (Cherokee folds to upper).
        assert key == key.casefold()
        assert all(c.isalnum() for c in key)
    assert len(initials) <= len(full)


@pytest.mark.parametrize(
    ("mobile", "tail"),
    [
        ("13800138000", "8000"),
        ("+447911123456", "3456"),
        ("1234", "1234"),
        ("123", None),
        ("", None),
        (None, None),
    ],
)
def test_mobile_tail_is_the_last_four_digits(mobile: str | None, tail: str | None) -> None:
    assert mobile_tail(mobile) == tail
