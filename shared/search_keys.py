"""Search keys derived from a member's name and mobile number.

A Chinese front desk types 张, 小明, ``zhangsan`` or ``zs``, or the last four digits of a
mobile number; these keys make each of those an indexed lookup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, cast


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width) and case-folded, without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


# Surnames whose surname reading differs from the one pypinyin gives the character (it
# has no surname mode: python-pinyin issues #120 and #297), toneless as the keys are.
# Drawn from the surname tables of overtrue/pinyin (data/surnames.php, the list quoted in
# python-pinyin #297) and pinyin-pro (lib/data/surname.ts), keeping a single character
# only where its surname reading is the established one (the dictionaries' 姓 sense) and
# differs from pypinyin's toneless default. Left out: readings that differ only in tone
# (华 huà, 纪 jǐ, 燕 yān, 那 nā: the keys have no tones), archaic or disputed ones (不
# fǒu, 六 lù, 扎 zā, 浣 wǎn, 能 nài, 藏 zàng, 子车 zǐjū), and the many surnames pypinyin
# already reads right. The compound surnames are all kept: 单于 must win over 单, and
# pypinyin reads the others right only when its phrase table happens to hold them (it
# does for 尉迟 but not for 尉遲). Traditional forms of the same surnames are included.
# Terminals store these keys: a change here needs a data migration that recomputes them,
# as desktop/store/migrations/versions/0002_surname_readings.py did for this table.
_COMPOUND_SURNAMES = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "萬俟": ("mo", "qi"),
    "尉遲": ("yu", "chi"),
    "單于": ("chan", "yu"),
    "長孫": ("zhang", "sun"),
    "澹臺": ("tan", "tai"),
}
_SINGLE_SURNAMES = {
    "单": "shan",  # dan
    "曾": "zeng",  # ceng
    "解": "xie",  # jie
    "仇": "qiu",  # chou
    "朴": "piao",  # pu
    "查": "zha",  # cha
    "区": "ou",  # qu
    "盖": "ge",  # gai (Gài is also heard; dictionaries give the surname as Gě)
    "繁": "po",  # fan
    "覃": "qin",  # tan
    "缪": "miao",  # mou
    "翟": "zhai",  # di
    "种": "chong",  # zhong
    "重": "chong",  # zhong
    "秘": "bi",  # mi
    "召": "shao",  # zhao
    "乐": "yue",  # le (Lè is also a surname reading: 乐嘉; Yuè is the usual one)
    "员": "yun",  # yuan
    "贠": "yun",  # yuan
    "折": "she",  # zhe
    "乜": "nie",  # mie
    "佴": "nai",  # er
    "卜": "bu",  # bo
    "薄": "bo",  # bao
    "都": "du",  # dou
    "阚": "kan",  # han
    "粘": "nian",  # zhan
    "單": "shan",
    "區": "ou",
    "蓋": "ge",
    "繆": "miao",
    "種": "chong",
    "樂": "yue",
    "員": "yun",
    "貟": "yun",
}
_SURNAMES: dict[str, tuple[str, ...]] = {
    **_COMPOUND_SURNAMES,
    **{surname: (reading,) for surname, reading in _SINGLE_SURNAMES.items()},
}
SURNAME_READINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(_SURNAMES)
"""Surname -> its toneless syllables, for every surname ``pinyin_keys`` reads specially."""


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case without spaces: 张三 -> zhangsan, zs.

    A surname at the head of the name takes its surname reading (``SURNAME_READINGS``),
    a compound surname before a single one: 单田芳 -> shantianfang, stf; 尉迟恭 ->
    yuchigong, ycg; 单于飞 -> chanyufei. The rest of the name is read on its own with
    pypinyin's usual readings, so 李单 stays lidan. Only the head counts, as a Chinese
    name starts with its surname: "Anna 单" reads annadan, "单 Anna" shananna. A name that
    is just the surname reads as one (曾 -> zeng), and a name without Chinese characters
    is untouched. The common reading of such a surname no longer matches: a desk typing
    ``dan`` does not find 单田芳 (as one typing ``shan`` did not before). The keys hold one
    reading per name, and the surname reading is the one people say and type.

    Non-Chinese parts pass through: "Anna 李" -> annali, al: letters of a Latin word
    count as one syllable for the initials, so "Anna" contributes "a". Cached: names
    repeat (a bulk load meets 张伟 thousands of times) and pypinyin costs ~20 µs a name.
    """
    # Imported on first use: pypinyin's dictionaries cost ~55 MB, and a desk that only
    # checks members in and searches never needs them (queries match stored keys).
    from pypinyin import Style, lazy_pinyin

    text = normalise_text(name)
    head = text[:2]
    surname = _SURNAMES.get(head)
    if surname is None:
        head = text[:1]
        surname = _SURNAMES.get(head)
    if surname is not None:
        text = text[len(head) :]
    syllables = [
        s for s in lazy_pinyin(text, style=Style.NORMAL, errors=cast(Any, _split_latin)) if s
    ]
    if surname is not None:
        syllables[:0] = surname
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return _alnum(full), _alnum(initials)


def name_grams(name: str) -> set[str]:
    """Every one- and two-character piece of the name (spaces removed)."""
    text = "".join(normalise_text(name).split())
    grams = set(text)
    grams.update(text[i : i + 2] for i in range(len(text) - 1))
    return grams


def mobile_tail(mobile: str | None) -> str | None:
    if not mobile or len(mobile) < 4:
        return None
    return mobile[-4:]


def _split_latin(chars: str) -> list[str]:
    return chars.split()


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())
