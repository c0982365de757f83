"""Money is an integer number of fen (1 yuan = 100 fen), never a float.

``parse_money`` turns what a person typed (or what ``format_money`` printed) into fen;
``format_money`` prints fen for a screen or a receipt in the user's locale; ``yuan_text``
prints the plain ``12.30`` an input field is pre-filled with.

Accepted input, after Unicode NFKC normalisation (so full-width ``￥１２．３０`` and the
ideographic space work) and trimming surrounding whitespace::

    [¥ | CN¥] [spaces] AMOUNT            e.g. 12  12.3  ¥12.30  CN¥ 1,234.50
    AMOUNT [spaces] 元                    e.g. 12元  12.5 元

where AMOUNT is ASCII digits, optionally grouped in threes with ``,`` (``1,234,567.5``),
optionally followed by ``.`` and at least one digit. A currency sign and ``元`` together,
a leading ``+``, ``.5`` or ``12.`` are refused as :class:`MoneyInvalid`. A minus sign
(``-``, or the Unicode minus ``−``) before or after the currency sign makes a well-formed
amount :class:`MoneyNegative`, including ``-0``: a person who typed a minus meant a refund,
which has its own screen. More than two decimals is :class:`MoneyTooPrecise` unless the
extra digits are zeros (``1.230`` is exactly 123 fen and is accepted).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, localcontext

from babel.numbers import format_currency, get_currency_precision

from shared.errors import MoneyInvalid, MoneyNegative, MoneyTooPrecise

__all__ = ["MAX_INTEGER_DIGITS", "format_money", "parse_money", "yuan_text"]

MAX_INTEGER_DIGITS = 12
"""Amounts with more yuan digits than this (a trillion yuan and up) are refused as invalid."""

# Longer input cannot be a sane amount; refusing it first keeps the regex work bounded.
_MAX_TEXT_LENGTH = 64

_MINUS = "[-\u2212]"  # NFKC maps full-width and small hyphen-minus to "-", not U+2212
_AMOUNT = r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?"
_MONEY_RE = re.compile(
    rf"""
    (?P<sign1>{_MINUS})?\s*
    (?:
        (?:(?P<symbol>CN¥|¥)\s*(?P<sign2>{_MINUS})?\s*)?{_AMOUNT}
      |
        {_AMOUNT.replace("?P<int>", "?P<int2>").replace("?P<frac>", "?P<frac2>")}\s*元
    )
    """,
    re.VERBOSE,
)


def parse_money(text: str) -> int:
    """Return the amount in ``text`` as integer fen.

    Raises :class:`MoneyInvalid`, :class:`MoneyNegative` or :class:`MoneyTooPrecise`, each
    with ``text`` set to the original (un-normalised) input.
    """
    if len(text) > _MAX_TEXT_LENGTH:
        raise MoneyInvalid(text=text)
    normalised = unicodedata.normalize("NFKC", text).strip()
    match = _MONEY_RE.fullmatch(normalised)
    if match is None:
        raise MoneyInvalid(text=text)
    if match["sign1"] is not None and match["sign2"] is not None:
        raise MoneyInvalid(text=text)  # "-¥-12"

    integer = (match["int"] or match["int2"]).replace(",", "")
    fraction = match["frac"] or match["frac2"] or ""
    if match["sign1"] is not None or match["sign2"] is not None:
        raise MoneyNegative(text=text)
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise MoneyInvalid(text=text)
    if len(fraction.rstrip("0")) > 2:
        raise MoneyTooPrecise(text=text)

    # Only zeros follow the second decimal, so dropping them is exact. What is left has at
    # most 12 + 2 digits, well inside Decimal's 28-digit context: the scaling cannot round.
    yuan = Decimal(f"{integer}.{fraction[:2] or '0'}")
    fen = yuan.scaleb(2)
    return int(fen)


def format_money(fen: int, locale: str, currency: str = "CNY") -> str:
    """Format ``fen`` for display in ``locale`` (``¥12.30`` in zh_CN, ``CN¥12.30`` in en).

    Negative amounts (refunds) get a leading minus sign. ``currency`` must be one whose
    minor unit is a hundredth (CNY, HKD, USD…); ``ValueError`` otherwise, since ``fen``
    would not mean what the caller thinks.
    """
    _check_fen(fen)
    if get_currency_precision(currency) != 2:
        raise ValueError(f"currency {currency!r} does not have two decimal places")
    # babel quantizes in the current context; widen it so huge amounts stay exact, not errors.
    with localcontext(prec=max(28, len(str(abs(fen))) + 2)):
        result: str = format_currency(_fen_to_decimal(fen), currency, locale=locale)
    return result


def yuan_text(fen: int) -> str:
    """Plain ``12.30`` (no symbol, no grouping) for pre-filling an input field.

    Negative amounts get a leading ``-``.
    """
    _check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _check_fen(fen: int) -> None:
    # Untyped callers (JSON, Qt spin boxes) may hand us a float or a bool; refuse loudly.
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money must be integer fen, got {type(fen).__name__}")


def _fen_to_decimal(fen: int) -> Decimal:
    # Built from text, so exact whatever the size (Decimal division would round to 28 digits).
    return Decimal(f"{fen}E-2")
