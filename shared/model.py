"""The tables both the terminal and the head-office server hold.

Everything except ``events`` is a projection: it can be rebuilt by applying the events in
any order (see ``shared.events``). That shapes the schema:

* No foreign-key constraints between projection tables. Replicas receive events in any
  order, so a check-in may arrive before the member it names; the ``*_id`` columns are
  indexed references, not constraints.
* Each event type owns the columns it writes. A card's ``revoked_at`` belongs to
  ``card.revoked``; its number to ``card.issued``; so either may arrive first.
* Balances are never stored as truth: points, visits and stored value are sums of
  ``ledger_entries``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(36)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored without zone (SQLite has none), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Event(Base):
    """The append-only log. ``seq`` is given by the server on first acceptance."""

    __tablename__ = "events"
    # Unique where set; a terminal's own events wait for theirs, so they stay out of
    # the index rather than filling it with NULLs.
    __table_args__ = (
        Index(
            "ix_events_seq",
            "seq",
            unique=True,
            sqlite_where=text("seq IS NOT NULL"),
            postgresql_where=text("seq IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    v: Mapped[int] = mapped_column(Integer)
    terminal_id: Mapped[str] = mapped_column(ID)
    branch_id: Mapped[str] = mapped_column(ID)
    actor_id: Mapped[str] = mapped_column(ID)
    hlc: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    seq: Mapped[int | None] = mapped_column(BigInteger)


class Branch(Base):
    __tablename__ = "branches"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    field_clocks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    branch_id: Mapped[str | None] = mapped_column(ID, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default="front_desk")
    pin_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    field_clocks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Plan(Base):
    """What head office sells: a time plan, a 次卡 (visits) or a 储值 (stored value) plan."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), default="time")
    price_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    visits: Mapped[int | None] = mapped_column(Integer)
    stored_value_fen: Mapped[int | None] = mapped_column(BigInteger)
    freeze_max_days_per_year: Mapped[int] = mapped_column(Integer, default=0)
    freeze_min_days: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    field_clocks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_no: Mapped[str] = mapped_column(String(32), default="", index=True)
    name: Mapped[str] = mapped_column(String(100), default="", index=True)
    mobile: Mapped[str | None] = mapped_column(String(32), index=True)
    gender: Mapped[str] = mapped_column(String(20), default="undisclosed")
    birthday: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    tier: Mapped[str] = mapped_column(String(32), default="standard")
    home_branch_id: Mapped[str | None] = mapped_column(ID)
    referrer_id: Mapped[str | None] = mapped_column(ID)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_ref: Mapped[str | None] = mapped_column(String(64))
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Derived search keys, rewritten whenever name or mobile win a merge.
    name_pinyin: Mapped[str] = mapped_column(String(400), default="", index=True)
    name_initials: Mapped[str] = mapped_column(String(100), default="", index=True)
    mobile_tail: Mapped[str | None] = mapped_column(String(4), index=True)
    # field -> hlc text of the write that currently holds it (last writer wins).
    field_clocks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class MemberNameGram(Base):
    """One- and two-character pieces of member names: an index for substring search.

    SQLite's FTS5 trigram tokenizer cannot serve queries shorter than three characters,
    and most Chinese names are two or three characters long (see bench/search.py).
    """

    __tablename__ = "member_name_grams"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    member_id: Mapped[str] = mapped_column(ID, primary_key=True)


class MemberCard(Base):
    __tablename__ = "member_cards"
    __table_args__ = (Index("ix_member_cards_number", "number"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str | None] = mapped_column(ID, index=True)
    kind: Mapped[str | None] = mapped_column(String(20))  # "qr" or "imported"
    number: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Membership(Base):
    __tablename__ = "memberships"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ID, index=True)
    plan_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    base_end_date: Mapped[date | None] = mapped_column(Date)
    visits_total: Mapped[int | None] = mapped_column(Integer)
    order_id: Mapped[str | None] = mapped_column(ID)
    sold_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MembershipFreeze(Base):
    """A freeze; ``unfrozen_on`` (an early end) is written by its own event."""

    __tablename__ = "membership_freezes"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    membership_id: Mapped[str | None] = mapped_column(ID, index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    unfrozen_on: Mapped[date | None] = mapped_column(Date)


class Checkin(Base):
    __tablename__ = "checkins"
    # A member's check-ins newest first; ``id`` makes it covering for the last check-in
    # not undone (checked against checkin_undos by id), read on every scan.
    __table_args__ = (Index("ix_checkins_member_id_at_id", "member_id", "at", "id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ID)
    membership_id: Mapped[str | None] = mapped_column(ID)
    branch_id: Mapped[str] = mapped_column(ID)
    terminal_id: Mapped[str] = mapped_column(ID)
    staff_id: Mapped[str] = mapped_column(ID)
    method: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # The -1 visits ledger entry, when the check-in used a visit of a 次卡.
    visit_entry_id: Mapped[str | None] = mapped_column(ID)


class CheckinUndo(Base):
    """A check-in taken back (``checkin.undone``).

    Its own table rather than a column of ``checkins``: the undo may arrive before the
    check-in it names. Keyed by the check-in; if two terminals undid the same check-in
    while offline, the undo with the smallest HLC is the one kept here (both events stay
    in the log, and each gave its visit back: a conflict for head office to resolve).
    """

    __tablename__ = "checkin_undos"

    checkin_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ID)
    member_id: Mapped[str] = mapped_column(ID)
    staff_id: Mapped[str] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    hlc: Mapped[str] = mapped_column(String(64))


class LedgerEntry(Base):
    """One movement of points, visits or stored value; balances are sums of these."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_member_id_account", "member_id", "account"),
        # Covering for the visits left on a 次卡 (a sum by membership and account).
        Index(
            "ix_ledger_entries_membership_id_account_amount", "membership_id", "account", "amount"
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ID)
    account: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(20))
    membership_id: Mapped[str | None] = mapped_column(ID)
    order_id: Mapped[str | None] = mapped_column(ID)
    source_event_id: Mapped[str] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    branch_id: Mapped[str] = mapped_column(ID)
    member_id: Mapped[str | None] = mapped_column(ID, index=True)
    staff_id: Mapped[str] = mapped_column(ID)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(ID, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # plan, service, product
    ref_id: Mapped[str | None] = mapped_column(ID)
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(ID, index=True)
    method: Mapped[str] = mapped_column(String(20))  # cash, wechat, alipay, bank_card, stored_value
    amount_fen: Mapped[int] = mapped_column(BigInteger)


PROJECTION_TABLES: tuple[str, ...] = tuple(
    t.name for t in Base.metadata.sorted_tables if t.name != "events"
)
