"""Member search the way a Chinese front desk types.

``张`` / ``小明`` (name, prefix first then substring), ``zhangsan`` / ``zs`` (full pinyin or
initials, prefix), ``5678`` (last four digits of the mobile), a full mobile number, a
member or card number. Every branch is an index range scan with a LIMIT; the choice
between this, LIKE scans and FTS5 trigram is measured in ``bench/search.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, Select, and_, func, select

from shared.events.projectors import CARDS, GRAMS, MEMBERS
from shared.search_keys import normalise_text

_TOP = "\U0010ffff"  # sorts after every character: [q, q + _TOP) is "starts with q"


class MatchKind(StrEnum):
    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"
    MOBILE = "mobile"
    NUMBER = "number"


@dataclass(frozen=True)
class MemberHit:
    member_id: str
    member_no: str
    name: str
    mobile: str | None
    tier: str
    match: MatchKind


def search_members(conn: Connection, query: str, limit: int = 20) -> list[MemberHit]:
    """Best matches first: exact, then starts-with, then contains."""
    q = normalise_text(query)
    if not q or limit <= 0:
        return []
    hits: dict[str, MemberHit] = {}
    for finder in _finders_for(q):
        if len(hits) >= limit:
            break
        for hit in finder(conn, q, limit - len(hits), hits):
            hits.setdefault(hit.member_id, hit)
    return list(hits.values())[:limit]


def query_kind(query: str) -> str:
    """Which kind of query this is, as the benchmark reports it."""
    q = normalise_text(query)
    if q.isdigit():
        return "mobile_tail" if len(q) == 4 else "digits"
    if q.isascii():
        return "pinyin"
    return "name"


# Internals below.

_Finder = Callable[[Connection, str, int, dict[str, MemberHit]], list[MemberHit]]
_Query = Select[str, str, str, str | None, str]


def _finders_for(q: str) -> list[_Finder]:
    if q.isdigit():
        if len(q) == 4:
            return [_by_mobile_tail, _by_number]
        return [_by_mobile, _by_number]
    if q.isascii():
        return [_by_number, _by_initials, _by_pinyin]
    return [_by_name_prefix, _by_name_substring, _by_number]


def _columns() -> _Query:
    return select(
        MEMBERS.c.id, MEMBERS.c.member_no, MEMBERS.c.name, MEMBERS.c.mobile, MEMBERS.c.tier
    )


def _hits(conn: Connection, stmt: _Query, match: MatchKind) -> list[MemberHit]:
    return [MemberHit(r[0], r[1], r[2], r[3], r[4], match) for r in conn.execute(stmt)]


def _starts_with(column: ColumnElement[str], q: str) -> ColumnElement[bool]:
    return and_(column >= q, column < q + _TOP)


def _live(stmt: _Query, seen: dict[str, MemberHit]) -> _Query:
    # Members not enrolled yet here (an update that arrived first) have no number.
    stmt = stmt.where(MEMBERS.c.member_no != "")
    if seen:
        stmt = stmt.where(MEMBERS.c.id.not_in(list(seen)))
    return stmt


def _by_name_prefix(
    conn: Connection, q: str, n: int, seen: dict[str, MemberHit]
) -> list[MemberHit]:
    stmt = _live(_columns().where(_starts_with(MEMBERS.c.name, q)), seen)
    return _hits(conn, stmt.order_by(MEMBERS.c.name).limit(n), MatchKind.NAME)


def _by_name_substring(
    conn: Connection, q: str, n: int, seen: dict[str, MemberHit]
) -> list[MemberHit]:
    gram = q[:2]
    stmt = (
        _columns()
        .join(GRAMS, GRAMS.c.member_id == MEMBERS.c.id)
        .where(GRAMS.c.gram == gram, func.instr(MEMBERS.c.name, q) > 0)
    )
    # No ORDER BY: a common given-name character (伟, 丽) sits in thousands of names, and
    # sorting them all costs ~20 ms at 200,000 members. Exact and starts-with matches
    # already came first; these follow in the index's order.
    return _hits(conn, _live(stmt, seen).limit(n), MatchKind.NAME)


def _by_initials(conn: Connection, q: str, n: int, seen: dict[str, MemberHit]) -> list[MemberHit]:
    stmt = _live(_columns().where(_starts_with(MEMBERS.c.name_initials, q)), seen)
    return _hits(conn, stmt.order_by(MEMBERS.c.name_initials).limit(n), MatchKind.INITIALS)


def _by_pinyin(conn: Connection, q: str, n: int, seen: dict[str, MemberHit]) -> list[MemberHit]:
    stmt = _live(_columns().where(_starts_with(MEMBERS.c.name_pinyin, q)), seen)
    return _hits(conn, stmt.order_by(MEMBERS.c.name_pinyin).limit(n), MatchKind.PINYIN)


def _by_mobile_tail(
    conn: Connection, q: str, n: int, seen: dict[str, MemberHit]
) -> list[MemberHit]:
    stmt = _live(_columns().where(MEMBERS.c.mobile_tail == q), seen)
    return _hits(conn, stmt.order_by(MEMBERS.c.name).limit(n), MatchKind.MOBILE)


def _by_mobile(conn: Connection, q: str, n: int, seen: dict[str, MemberHit]) -> list[MemberHit]:
    stmt = _live(_columns().where(_starts_with(MEMBERS.c.mobile, q)), seen)
    return _hits(conn, stmt.order_by(MEMBERS.c.mobile).limit(n), MatchKind.MOBILE)


def _by_number(conn: Connection, q: str, n: int, seen: dict[str, MemberHit]) -> list[MemberHit]:
    upper = q.upper()
    by_member_no = _live(_columns().where(MEMBERS.c.member_no == upper), seen)
    hits = _hits(conn, by_member_no.limit(n), MatchKind.NUMBER)
    by_card = _live(
        _columns()
        .join(CARDS, CARDS.c.member_id == MEMBERS.c.id)
        .where(CARDS.c.number.in_({q, upper}), CARDS.c.revoked_at.is_(None)),
        seen,
    )
    hits += _hits(conn, by_card.limit(n), MatchKind.NUMBER)
    return hits
