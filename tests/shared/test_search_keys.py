"""Search keys: pinyin, initials, name pieces and the mobile tail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.search_keys import (
    SURNAME_READINGS,
    mobile_tail,
    name_grams,
    normalise_text,
    pinyin_keys,
)


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


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("单于飞", "chanyufei", "cyf"),  # the compound, not 单 shan + 于
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("澹台灭明", "tantaimieming", "ttmm"),
        ("尉遲恭", "yuchigong", "ycg"),  # traditional characters
    ],
)
def test_a_compound_surname_at_the_head_takes_its_surname_reading(
    name: str, full: str, initials: str
) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),  # not dantianfang
        ("曾国藩", "zengguofan", "zgf"),  # not cengguofan
        ("解缙", "xiejin", "xj"),
        ("仇英", "qiuying", "qy"),
        ("朴槿惠", "piaojinhui", "pjh"),
        ("查良镛", "zhaliangyong", "zly"),
        ("区永祺", "ouyongqi", "oyq"),
        ("翟天临", "zhaitianlin", "ztl"),
        ("乐嘉", "yuejia", "yj"),
        ("單田芳", "shantianfang", "stf"),  # traditional
        ("曾", "zeng", "z"),  # a name that is only the surname
        (" 曾 小明 ", "zengxiaoming", "zxm"),  # blanks around it
        ("单Anna", "shananna", "sa"),
    ],
)
def test_a_polyphonic_surname_at_the_head_takes_its_surname_reading(
    name: str, full: str, initials: str
) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("王小明", "wangxiaoming", "wxm"),
        ("欧阳小明", "ouyangxiaoming", "oyxm"),
        ("华罗庚", "hualuogeng", "hlg"),  # huà: the tone alone differs, keys have none
    ],
)
def test_a_surname_read_as_usual_keeps_its_keys(name: str, full: str, initials: str) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("李单", "lidan", "ld"),
        ("张曾", "zhangceng", "zc"),
        ("王乐乐", "wanglele", "wll"),
        ("曾单", "zengdan", "zd"),  # the surname reading is for the head only
    ],
)
def test_a_polyphonic_character_after_the_surname_keeps_its_usual_reading(
    name: str, full: str, initials: str
) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("Anna 单", "annadan", "ad"),  # the name does not start with the surname
        ("Shan Li", "shanli", "sl"),
        ("ＳＨＡＮ", "shan", "s"),
    ],
)
def test_a_name_that_does_not_start_with_chinese_has_no_surname_reading(
    name: str, full: str, initials: str
) -> None:
    assert pinyin_keys(name) == (full, initials)


def test_the_surname_table_is_of_normalised_surnames_and_toneless_syllables() -> None:
    assert SURNAME_READINGS["单"] == ("shan",)
    assert SURNAME_READINGS["尉迟"] == ("yu", "chi")
    for surname, syllables in SURNAME_READINGS.items():
        assert normalise_text(surname) == surname
        assert 1 <= len(surname) <= 2
        assert len(syllables) == len(surname)
        assert all(s.isascii() and s.isalpha() and s.islower() for s in syllables)


def test_every_surname_in_the_table_changes_what_pypinyin_alone_gives() -> None:
    """An entry that changed nothing would only cost the migration and the cache."""
    from pypinyin import Style, lazy_pinyin

    for surname, syllables in SURNAME_READINGS.items():
        if len(surname) == 2:
            # 单于 must come before 单; the others pin what pypinyin gets right only
            # when its phrase table happens to hold the compound.
            continue
        assert lazy_pinyin(surname, style=Style.NORMAL) != list(syllables), surname


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
