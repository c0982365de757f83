"""Builders shared by the event tests: envelopes, fresh SQLite files, table snapshots.

Each test gets its own SQLite file whose schema is made by ``Base.metadata.create_all``.
Property tests need a fresh database for every example; they copy one file made that way
once per session (the same bytes, and about thirty times faster than ``create_all``).

The test modules import the plain functions and the scenario from here
(``from tests.shared.events.conftest import ...``); fixtures are found by pytest.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, create_engine, func, select

from shared.events import EventEnvelope, apply_events
from shared.events.payloads import MEMBER_FIELDS, MemberEnrolled, MemberUpdated
from shared.ids import Hlc, new_id
from shared.model import Base

T0_MS = 1_767_225_600_000
"""2026-01-01 00:00:00 UTC."""
MINUTE_MS = 60_000

# uuid7 ids made later in a process sort after earlier ones, so TERMINAL_A < TERMINAL_B
# as text: when two terminals stamp the same wall time and counter, B's stamp wins.
TERMINAL_A = new_id()
TERMINAL_B = new_id()
TERMINAL_C = new_id()
BRANCH_ID = new_id()
DESK_STAFF_ID = new_id()
MANAGER_ID = new_id()

PROJECTION_TABLES: tuple[Table, ...] = tuple(
    t for t in Base.metadata.sorted_tables if t.name != "events"
)
TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at_ms(wall_ms: int) -> datetime:
    """The aware UTC datetime of a wall time in milliseconds."""
    return _EPOCH + timedelta(milliseconds=wall_ms)


def minutes(n: float) -> int:
    """The wall time ``n`` minutes after T0, in milliseconds."""
    return T0_MS + int(n * MINUTE_MS)


def stamp(wall_ms: int, terminal: str = TERMINAL_A, counter: int = 0) -> str:
    return str(Hlc(wall_ms, counter, terminal))


def make_event(
    type_: str,
    payload: dict[str, Any],
    *,
    wall_ms: int = T0_MS,
    counter: int = 0,
    terminal: str = TERMINAL_A,
    branch_id: str = BRANCH_ID,
    actor_id: str = DESK_STAFF_ID,
    v: int = 1,
    event_id: str | None = None,
    seq: int | None = None,
) -> EventEnvelope:
    """An envelope as a terminal would write it: HLC node = terminal id."""
    return EventEnvelope(
        id=event_id or new_id(),
        type=type_,
        v=v,
        terminal_id=terminal,
        branch_id=branch_id,
        actor_id=actor_id,
        hlc=stamp(wall_ms, terminal, counter),
        occurred_at=at_ms(wall_ms),
        payload=payload,
        seq=seq,
    )


def sqlite_engine(path: Path) -> Engine:
    """A SQLite file at ``path`` with the full schema."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return engine


def copied_engine(template: Path, path: Path) -> Engine:
    """A new SQLite file at ``path``, a byte copy of ``template`` (made by sqlite_engine)."""
    shutil.copyfile(template, path)
    return create_engine(f"sqlite:///{path}")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = sqlite_engine(tmp_path / "memberdesk.sqlite")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    sqlite_engine(path).dispose()
    return path


class FreshDatabases:
    """Hands out a fresh SQLite file per call (for property tests: one per example)."""

    def __init__(self, template: Path, directory: Path) -> None:
        self._template = template
        self._directory = directory
        self._numbers = count()

    def __call__(self) -> _FreshDatabase:
        return _FreshDatabase(self._template, self._directory / f"db{next(self._numbers)}.sqlite")


class _FreshDatabase:
    def __init__(self, template: Path, path: Path) -> None:
        self._template = template
        self._path = path

    def __enter__(self) -> Engine:
        self._engine = copied_engine(self._template, self._path)
        return self._engine

    def __exit__(self, *exc: object) -> None:
        self._engine.dispose()
        self._path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def fresh_databases(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> FreshDatabases:
    return FreshDatabases(sqlite_template, tmp_path_factory.mktemp("examples"))


def apply(engine: Engine, events: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    """Apply one batch in its own transaction, as the terminal and the server do."""
    with engine.begin() as conn:
        return apply_events(conn, list(events))


def apply_batches(engine: Engine, batches: Iterable[Sequence[EventEnvelope]]) -> None:
    for batch in batches:
        apply(engine, batch)


def canonical(value: Any) -> str:
    """A sortable, exact text of a column value (dicts with sorted keys)."""
    return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every projection table (all but ``events``) as its sorted rows."""
    with engine.connect() as conn:
        return {
            table.name: sorted(
                tuple(canonical(v) for v in row) for row in conn.execute(select(table))
            )
            for table in PROJECTION_TABLES
        }


def rows(engine: Engine, table_name: str) -> list[dict[str, Any]]:
    table = TABLES[table_name]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]


def one_row(engine: Engine, table_name: str, **where: Any) -> dict[str, Any]:
    table = TABLES[table_name]
    stmt = select(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    with engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(stmt)]
    assert len(found) == 1, f"expected one {table_name} row for {where}, found {found}"
    return found[0]


def count_rows(engine: Engine, table_name: str) -> int:
    table = TABLES[table_name]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def all_counts(engine: Engine) -> dict[str, int]:
    return {name: count_rows(engine, name) for name in TABLES}


def balance(engine: Engine, member_id: str, account: str, membership_id: str | None = None) -> int:
    ledger = TABLES["ledger_entries"]
    stmt = select(func.coalesce(func.sum(ledger.c.amount), 0)).where(
        ledger.c.member_id == member_id, ledger.c.account == account
    )
    if membership_id is not None:
        stmt = stmt.where(ledger.c.membership_id == membership_id)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def member_grams(engine: Engine, member_id: str) -> set[str]:
    grams = TABLES["member_name_grams"]
    with engine.connect() as conn:
        return set(
            conn.execute(select(grams.c.gram).where(grams.c.member_id == member_id)).scalars()
        )


def in_hlc_order(events: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    return sorted(events, key=lambda e: e.hlc)


# A realistic day (or a few) at one branch with two front-desk terminals.


@dataclass(frozen=True)
class Scenario:
    events: tuple[EventEnvelope, ...]
    plan_visits: str
    plan_time: str
    zhang: str
    ouyang: str
    anna: str
    card_zhang_old: str
    card_zhang_new: str
    card_ouyang: str
    freeze: str
    visits_membership: str
    time_membership: str
    undone_visit_checkin: str  # 张三's, undone at both terminals while they were offline
    undone_time_checkin: str  # 欧阳小明's, undone once

    @property
    def undone_checkins(self) -> tuple[str, str]:
        return (self.undone_visit_checkin, self.undone_time_checkin)

    @property
    def member_ids(self) -> tuple[str, ...]:
        return (self.zhang, self.ouyang, self.anna)


def build_scenario() -> Scenario:
    """Branch, staff, plans, three members edited at two terminals, cards, sales, visits.

    Concurrent edits: 张三's name is changed at both terminals in the same millisecond
    with the same counter (the terminal id breaks the tie); 欧阳小明's birthday is written
    by an older stamp that may well arrive later; a card is revoked at both terminals and a
    freeze is ended early twice (the earliest date is kept).
    """
    A, B = TERMINAL_A, TERMINAL_B  # noqa: N806 - terminal names read better as letters
    plan_visits, plan_time = new_id(), new_id()
    zhang, ouyang, anna = new_id(), new_id(), new_id()
    card_zhang_old, card_zhang_new, card_ouyang = new_id(), new_id(), new_id()
    visits_membership, time_membership = new_id(), new_id()
    order_zhang, order_ouyang = new_id(), new_id()
    freeze = new_id()
    undone_visit_checkin, undone_time_checkin = new_id(), new_id()

    def ev(type_: str, payload: dict[str, Any], minute: float, terminal: str, **kw: Any):
        return make_event(type_, payload, wall_ms=minutes(minute), terminal=terminal, **kw)

    events = [
        ev(
            "branch.configured",
            {"branch_id": BRANCH_ID, "name": "南山店", "timezone": "Asia/Shanghai"},
            0,
            A,
        ),
        ev(
            "branch.configured",
            {"branch_id": BRANCH_ID, "name": "南山旗舰店", "timezone": "Asia/Shanghai"},
            5,
            B,
        ),
        ev(
            "staff.enrolled",
            {
                "staff_id": DESK_STAFF_ID,
                "branch_id": BRANCH_ID,
                "name": "李前台",
                "role": "front_desk",
                "pin_hash": "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0",
            },
            1,
            A,
        ),
        ev(
            "staff.enrolled",
            {
                "staff_id": MANAGER_ID,
                "branch_id": BRANCH_ID,
                "name": "王店长",
                "role": "manager",
                "pin_hash": "scrypt$16384$8$1$c2FsdDI=$ZGlnZXN0Mg==",
            },
            1,
            A,
            counter=1,
        ),
        ev(
            "plan.defined",
            {
                "plan_id": plan_visits,
                "name": "10次卡",
                "kind": "visits",
                "price_fen": 80000,
                "visits": 10,
                "freeze_max_days_per_year": 30,
                "freeze_min_days": 7,
            },
            2,
            A,
        ),
        ev(
            "plan.defined",
            {
                "plan_id": plan_time,
                "name": "年卡",
                "kind": "time",
                "price_fen": 298000,
                "duration_days": 365,
                "freeze_max_days_per_year": 60,
            },
            3,
            A,
        ),
        # Head office raises the price later; an old definition must not win back.
        ev(
            "plan.defined",
            {
                "plan_id": plan_visits,
                "name": "10次卡",
                "kind": "visits",
                "price_fen": 88000,
                "visits": 10,
                "freeze_max_days_per_year": 30,
                "freeze_min_days": 7,
            },
            90,
            B,
        ),
        ev(
            "member.enrolled",
            {
                "member_id": zhang,
                "member_no": "M0001",
                "name": "张三",
                "mobile": "13800138000",
                "gender": "male",
                "birthday": "1990-01-02",
                "tags": ["早鸟"],
                "home_branch_id": BRANCH_ID,
            },
            10,
            A,
        ),
        ev(
            "member.enrolled",
            {
                "member_id": ouyang,
                "member_no": "M0002",
                "name": "欧阳小明",
                "mobile": "13912345678",
                "referrer_id": zhang,
                "marketing_consent": True,
            },
            11,
            B,
        ),
        ev(
            "member.enrolled",
            {
                "member_id": anna,
                "member_no": "M0003",
                "name": "Anna 李",
                "mobile": "+447911123456",
                "gender": "female",
            },
            12,
            A,
        ),
        ev("member.updated", {"member_id": zhang, "changes": {"tags": ["早鸟", "vip"]}}, 40, B),
        # Same millisecond, same counter, two terminals: the terminal id decides.
        ev("member.updated", {"member_id": zhang, "changes": {"name": "张三丰"}}, 100, A),
        ev(
            "member.updated",
            {"member_id": zhang, "changes": {"name": "张珊", "mobile": "13700001111"}},
            100,
            B,
        ),
        ev(
            "member.updated",
            {"member_id": ouyang, "changes": {"birthday": "1992-05-01", "gender": "male"}},
            120,
            A,
        ),
        # Older stamp: loses the birthday whenever it arrives, but its tier wins.
        ev(
            "member.updated",
            {"member_id": ouyang, "changes": {"birthday": "1991-06-02", "tier": "gold"}},
            110,
            B,
        ),
        ev(
            "member.updated",
            {"member_id": anna, "changes": {"mobile": None, "photo_ref": "p-1"}},
            130,
            B,
        ),
        ev(
            "card.issued",
            {
                "card_id": card_zhang_old,
                "member_id": zhang,
                "kind": "qr",
                "number": "M0001",
                "version": 1,
            },
            10,
            A,
            counter=1,
        ),
        ev("card.revoked", {"card_id": card_zhang_old, "member_id": zhang}, 200, A),
        ev(
            "card.issued",
            {
                "card_id": card_zhang_new,
                "member_id": zhang,
                "kind": "qr",
                "number": "M0001",
                "version": 2,
            },
            200,
            A,
            counter=1,
        ),
        ev(
            "card.issued",
            {
                "card_id": card_ouyang,
                "member_id": ouyang,
                "kind": "imported",
                "number": "0012345678",
                "version": 0,
            },
            11,
            B,
            counter=1,
        ),
        ev("card.revoked", {"card_id": card_ouyang, "member_id": ouyang}, 300, B),
        ev("card.revoked", {"card_id": card_ouyang, "member_id": ouyang}, 310, A),
        ev(
            "order.placed",
            {
                "order_id": order_zhang,
                "member_id": zhang,
                "total_fen": 80000,
                "lines": [
                    {
                        "line_id": new_id(),
                        "kind": "plan",
                        "ref_id": plan_visits,
                        "description": "10次卡",
                        "quantity": 1,
                        "unit_price_fen": 80000,
                        "amount_fen": 80000,
                    }
                ],
                "payments": [{"payment_id": new_id(), "method": "wechat", "amount_fen": 80000}],
                "memberships": [
                    {
                        "membership_id": visits_membership,
                        "plan_id": plan_visits,
                        "kind": "visits",
                        "start_date": "2026-01-01",
                        "visits_total": 10,
                    }
                ],
                "ledger": [
                    {
                        "entry_id": new_id(),
                        "account": "visits",
                        "amount": 10,
                        "reason": "purchase",
                        "membership_id": visits_membership,
                    },
                    {
                        "entry_id": new_id(),
                        "account": "points",
                        "amount": 800,
                        "reason": "purchase",
                        "expires_at": "2027-01-01T00:00:00+00:00",
                    },
                ],
            },
            20,
            A,
        ),
        ev(
            "order.placed",
            {
                "order_id": order_ouyang,
                "member_id": ouyang,
                "total_fen": 298600,
                "lines": [
                    {
                        "line_id": new_id(),
                        "kind": "plan",
                        "ref_id": plan_time,
                        "description": "年卡",
                        "quantity": 1,
                        "unit_price_fen": 298000,
                        "amount_fen": 298000,
                    },
                    {
                        "line_id": new_id(),
                        "kind": "product",
                        "description": "矿泉水",
                        "quantity": 2,
                        "unit_price_fen": 300,
                        "amount_fen": 600,
                    },
                ],
                "payments": [
                    {"payment_id": new_id(), "method": "cash", "amount_fen": 100000},
                    {"payment_id": new_id(), "method": "alipay", "amount_fen": 198600},
                ],
                "memberships": [
                    {
                        "membership_id": time_membership,
                        "plan_id": plan_time,
                        "kind": "time",
                        "start_date": "2026-01-01",
                        "base_end_date": "2026-12-31",
                    }
                ],
                "ledger": [
                    {
                        "entry_id": new_id(),
                        "account": "points",
                        "amount": 2986,
                        "reason": "purchase",
                    }
                ],
            },
            21,
            B,
        ),
        # The same visit card used at both desks in the same minute.
        ev(
            "checkin.recorded",
            {
                "checkin_id": new_id(),
                "member_id": zhang,
                "membership_id": visits_membership,
                "method": "qr",
                "visit_entry_id": new_id(),
            },
            400,
            A,
        ),
        ev(
            "checkin.recorded",
            {
                "checkin_id": new_id(),
                "member_id": zhang,
                "membership_id": visits_membership,
                "method": "card",
                "visit_entry_id": new_id(),
            },
            400,
            B,
        ),
        ev(
            "checkin.recorded",
            {
                "checkin_id": undone_visit_checkin,
                "member_id": zhang,
                "membership_id": visits_membership,
                "method": "search",
                "visit_entry_id": new_id(),
            },
            500,
            A,
        ),
        # A mistake undone by managers at both desks in the same minute: the undo with
        # the smaller stamp (A's) is kept, and each gave a visit back (a conflict to show).
        ev(
            "checkin.undone",
            {
                "checkin_id": undone_visit_checkin,
                "member_id": zhang,
                "membership_id": visits_membership,
                "visit_entry_id": new_id(),
                "reason": "扫错人",
            },
            503,
            A,
            actor_id=MANAGER_ID,
        ),
        ev(
            "checkin.undone",
            {
                "checkin_id": undone_visit_checkin,
                "member_id": zhang,
                "membership_id": visits_membership,
                "visit_entry_id": new_id(),
            },
            503,
            B,
            actor_id=MANAGER_ID,
        ),
        ev(
            "checkin.recorded",
            {
                "checkin_id": new_id(),
                "member_id": ouyang,
                "membership_id": time_membership,
                "method": "mobile",
            },
            410,
            B,
        ),
        ev(
            "checkin.recorded",
            {
                "checkin_id": undone_time_checkin,
                "member_id": ouyang,
                "membership_id": time_membership,
                "method": "card",
            },
            411,
            B,
        ),
        ev(
            "checkin.undone",
            {"checkin_id": undone_time_checkin, "member_id": ouyang, "reason": "刷了两次"},
            413,
            B,
            actor_id=MANAGER_ID,
        ),
        ev(
            "membership.frozen",
            {
                "freeze_id": freeze,
                "membership_id": time_membership,
                "member_id": ouyang,
                "start_date": "2026-02-01",
                "end_date": "2026-02-28",
            },
            600,
            B,
            actor_id=MANAGER_ID,
        ),
        ev(
            "membership.unfrozen",
            {
                "freeze_id": freeze,
                "membership_id": time_membership,
                "member_id": ouyang,
                "unfrozen_on": "2026-02-15",
            },
            700,
            A,
            actor_id=MANAGER_ID,
        ),
        ev(
            "membership.unfrozen",
            {
                "freeze_id": freeze,
                "membership_id": time_membership,
                "member_id": ouyang,
                "unfrozen_on": "2026-02-10",
            },
            650,
            B,
            actor_id=MANAGER_ID,
        ),
        ev(
            "ledger.posted",
            {
                "member_id": zhang,
                "entry": {
                    "entry_id": new_id(),
                    "account": "points",
                    "amount": -300,
                    "reason": "redeem",
                },
            },
            800,
            A,
        ),
        ev(
            "ledger.posted",
            {
                "member_id": ouyang,
                "entry": {
                    "entry_id": new_id(),
                    "account": "points",
                    "amount": 50,
                    "reason": "birthday",
                    "expires_at": "2026-12-31T16:00:00+00:00",
                },
            },
            810,
            B,
        ),
    ]
    assert len({e.hlc for e in events}) == len(events), "every stamp in the scenario is unique"
    return Scenario(
        events=tuple(events),
        plan_visits=plan_visits,
        plan_time=plan_time,
        zhang=zhang,
        ouyang=ouyang,
        anna=anna,
        card_zhang_old=card_zhang_old,
        card_zhang_new=card_zhang_new,
        card_ouyang=card_ouyang,
        freeze=freeze,
        visits_membership=visits_membership,
        time_membership=time_membership,
        undone_visit_checkin=undone_visit_checkin,
        undone_time_checkin=undone_time_checkin,
    )


# Expected values computed from the events alone, independent of the projectors.


def expected_member_fields(events: Iterable[EventEnvelope]) -> dict[str, dict[str, Any]]:
    """member id -> field -> the JSON value written by the greatest HLC for that field."""
    best: dict[str, dict[str, tuple[str, Any]]] = {}
    for e in events:
        if e.type == "member.enrolled":
            enrolled = MemberEnrolled.model_validate(e.payload)
            member_id = enrolled.member_id
            written = enrolled.model_dump(mode="json", include=set(MEMBER_FIELDS))
        elif e.type == "member.updated":
            updated = MemberUpdated.model_validate(e.payload)
            member_id, written = updated.member_id, updated.changes
        else:
            continue
        fields = best.setdefault(member_id, {})
        for name, value in written.items():
            if name not in fields or fields[name][0] < e.hlc:
                fields[name] = (e.hlc, value)
    return {m: {f: v for f, (_, v) in fields.items()} for m, fields in best.items()}


def expected_points(events: Iterable[EventEnvelope]) -> dict[str, int]:
    """member id -> the sum of every points entry among ``events``."""
    points: dict[str, int] = {}
    for e in events:
        entries: list[tuple[str, dict[str, Any]]] = []
        if e.type == "order.placed" and e.payload.get("member_id"):
            entries = [(e.payload["member_id"], x) for x in e.payload.get("ledger", [])]
        elif e.type == "ledger.posted":
            entries = [(e.payload["member_id"], e.payload["entry"])]
        for member_id, entry in entries:
            if entry["account"] == "points":
                points[member_id] = points.get(member_id, 0) + entry["amount"]
    return points


def expected_visits(events: Iterable[EventEnvelope], membership_id: str) -> int:
    """Visits bought for the membership, minus the check-ins that consumed one, plus
    those given back by undos."""
    bought = consumed = returned = 0
    for e in events:
        if e.type == "order.placed":
            bought += sum(
                x["amount"]
                for x in e.payload.get("ledger", [])
                if x["account"] == "visits" and x.get("membership_id") == membership_id
            )
        elif (
            e.type == "checkin.recorded"
            and e.payload.get("membership_id") == membership_id
            and e.payload.get("visit_entry_id")
        ):
            consumed += 1
        elif (
            e.type == "checkin.undone"
            and e.payload.get("membership_id") == membership_id
            and e.payload.get("visit_entry_id")
        ):
            returned += 1
    return bought - consumed + returned


def stored_member_fields(engine: Engine, member_id: str) -> dict[str, Any]:
    """The member's LWW fields as JSON values (dates as ISO text), or {} if absent."""
    members = TABLES["members"]
    with engine.connect() as conn:
        row = conn.execute(select(members).where(members.c.id == member_id)).one_or_none()
    if row is None:
        return {}
    m = row._mapping
    out = {}
    for name in MEMBER_FIELDS:
        value = m[name]
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
