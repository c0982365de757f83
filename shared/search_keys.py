"""Search keys derived from a member's name and mobile number.

A Chinese front desk types 张, 小明, ``zhangsan`` or ``zs``, or the last four digits of a
mobile number; these keys make each of those an indexed lookup.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, cast


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width) and case-folded, without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case without spaces: 张三 -> zhangsan, zs.

    Non-Chinese parts pass through: "Anna 李" -> annali, al: letters of a Latin word
    count as one syllable for the initials, so "Anna" contributes "a". Cached: names
    repeat (a bulk load meets 张伟 thousands of times) and pypinyin costs ~50 µs a name.
    """
    # Imported on first use: pypinyin's dictionaries cost ~55 MB, and a desk that only
    # checks members in and searches never needs them (queries match stored keys).
    from pypinyin import Style, lazy_pinyin

    text = normalise_text(name)
    syllables = [
        s for s in lazy_pinyin(text, style=Style.NORMAL, errors=cast(Any, _split_latin)) if s
    ]
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
