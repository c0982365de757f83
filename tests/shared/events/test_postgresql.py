"""The same projections on a real PostgreSQL (the head-office server's database).

The projectors use dialect-specific SQL there (``INSERT ... ON CONFLICT`` and ``LEAST``),
so the SQLite tests alone prove nothing about the server. pytest-postgresql starts a
throwaway cluster with the ``pg_ctl`` found below; each test gets its own database.

Never skipped: without PostgreSQL binaries the tests fail and say why. As root (CI), the
cluster runs as the ``postgres`` system user (see tests/postgres_cluster.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql import factories
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL

from shared.events import EventEnvelope, load_events
from shared.ids import new_id
from shared.model import Base
from tests.postgres_cluster import (
    PG_CTL_PATTERNS,
    find_pg_ctl,
    pg_ctl_for_tests,
    require_postgresql,
)
from tests.shared.events.conftest import (
    TERMINAL_A,
    TERMINAL_B,
    apply,
    apply_batches,
    balance,
    build_scenario,
    expected_member_fields,
    in_hlc_order,
    make_event,
    member_grams,
    minutes,
    one_row,
    snapshot,
    stored_member_fields,
)

# A session-wide cluster on a free port; started only when a test below asks for it.
postgresql_server = factories.postgresql_proc(
    executable=pg_ctl_for_tests(), port=None, dbname="memberdesk"
)


@pytest.fixture(scope="module")
def pg_server(request: pytest.FixtureRequest) -> PostgreSQLExecutor:
    require_postgresql()
    server: PostgreSQLExecutor = request.getfixturevalue("postgresql_server")
    return server


@pytest.fixture
def pg_engine(pg_server: PostgreSQLExecutor) -> Iterator[Engine]:
    """A fresh database on the throwaway cluster, with the full schema."""
    dbname = f"md_{new_id().replace('-', '')}"
    janitor = DatabaseJanitor(
        user=pg_server.user,
        host=pg_server.host,
        port=pg_server.port,
        dbname=dbname,
        password=pg_server.password,
    )
    with janitor:
        url = URL.create(
            "postgresql+psycopg",
            username=pg_server.user,
            password=pg_server.password,
            host=pg_server.host,
            port=pg_server.port,
            database=dbname,
        )
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        try:
            yield engine
        finally:
            engine.dispose()


SCENARIO = build_scenario()


def _card(card_id: str, member_id: str, **kw: object) -> tuple[EventEnvelope, EventEnvelope]:
    issued = make_event(
        "card.issued",
        {"card_id": card_id, "member_id": member_id, "kind": "qr", "number": "M1", "version": 1},
        wall_ms=minutes(1),
    )
    revoked = make_event(
        "card.revoked", {"card_id": card_id, "member_id": member_id}, wall_ms=minutes(5)
    )
    return issued, revoked


def test_the_server_database_is_postgresql(pg_engine: Engine) -> None:
    assert pg_engine.dialect.name == "postgresql"


def test_facts_applied_twice_on_postgresql_change_nothing(pg_engine: Engine) -> None:
    apply(pg_engine, SCENARIO.events)
    before = snapshot(pg_engine)

    assert apply(pg_engine, SCENARIO.events) == []
    assert apply(pg_engine, [*SCENARIO.events[:5], *SCENARIO.events[:5]]) == []

    assert snapshot(pg_engine) == before
    with pg_engine.connect() as conn:
        assert len(load_events(conn)) == len(SCENARIO.events)


def test_a_duplicate_inside_one_batch_is_applied_once_on_postgresql(pg_engine: Engine) -> None:
    checkin = next(e for e in SCENARIO.events if e.type == "checkin.recorded")

    assert apply(pg_engine, [checkin, checkin]) == [checkin]
    member_id = checkin.payload["member_id"]
    assert balance(pg_engine, member_id, "visits") == -1


@pytest.mark.parametrize("same_batch", [False, True])
def test_a_card_revoked_before_it_was_issued_converges_on_postgresql(
    pg_engine: Engine, same_batch: bool
) -> None:
    card_id, member_id = new_id(), new_id()
    issued, revoked = _card(card_id, member_id)
    if same_batch:
        apply(pg_engine, [revoked, issued])
    else:
        apply(pg_engine, [revoked])
        apply(pg_engine, [issued])

    card = one_row(pg_engine, "member_cards", id=card_id)
    assert (card["number"], card["version"], card["member_id"]) == ("M1", 1, member_id)
    assert card["issued_at"] == issued.occurred_at
    assert card["revoked_at"] == revoked.occurred_at


ORDERS_OF_TWO = ["earlier first", "later first"]


@pytest.mark.parametrize("same_batch", [False, True])
@pytest.mark.parametrize("order", ORDERS_OF_TWO)
def test_a_card_revoked_twice_keeps_the_earliest_revocation_on_postgresql(
    pg_engine: Engine, order: str, same_batch: bool
) -> None:
    card_id, member_id = new_id(), new_id()
    issued, early = _card(card_id, member_id)
    late = make_event(
        "card.revoked",
        {"card_id": card_id, "member_id": member_id},
        wall_ms=minutes(9),
        terminal=TERMINAL_B,
    )
    sequence = [early, issued, late] if order == "earlier first" else [late, issued, early]
    apply_batches(pg_engine, [sequence] if same_batch else [[e] for e in sequence])

    assert one_row(pg_engine, "member_cards", id=card_id)["revoked_at"] == early.occurred_at


@pytest.mark.parametrize("same_batch", [False, True])
@pytest.mark.parametrize("order", ORDERS_OF_TWO)
def test_a_freeze_ended_early_twice_before_it_arrived_keeps_the_earliest_date_on_postgresql(
    pg_engine: Engine, order: str, same_batch: bool
) -> None:
    s = SCENARIO
    frozen = next(e for e in s.events if e.type == "membership.frozen")
    unfrozen = sorted(
        (e for e in s.events if e.type == "membership.unfrozen"),
        key=lambda e: e.payload["unfrozen_on"],
        reverse=order == "later first",
    )
    sequence = [*unfrozen, frozen]
    apply_batches(pg_engine, [sequence] if same_batch else [[e] for e in sequence])

    freeze = one_row(pg_engine, "membership_freezes", id=s.freeze)
    assert str(freeze["start_date"]) == "2026-02-01"
    assert str(freeze["end_date"]) == "2026-02-28"
    assert str(freeze["unfrozen_on"]) == "2026-02-10"


@pytest.mark.parametrize("same_batch", [False, True])
@pytest.mark.parametrize("order", ORDERS_OF_TWO)
def test_a_checkin_undone_twice_keeps_the_undo_with_the_smaller_hlc_on_postgresql(
    pg_engine: Engine, order: str, same_batch: bool
) -> None:
    s = SCENARIO
    checkin = next(
        e
        for e in s.events
        if e.type == "checkin.recorded" and e.payload["checkin_id"] == s.undone_visit_checkin
    )
    undos = sorted(
        (
            e
            for e in s.events
            if e.type == "checkin.undone" and e.payload["checkin_id"] == s.undone_visit_checkin
        ),
        key=lambda e: e.hlc,
    )
    kept = undos[0]
    if order == "later first":
        undos.reverse()
    sequence = [undos[0], checkin, undos[1]]
    apply_batches(pg_engine, [sequence] if same_batch else [[e] for e in sequence])

    undo = one_row(pg_engine, "checkin_undos", checkin_id=s.undone_visit_checkin)
    assert (undo["event_id"], undo["hlc"], undo["reason"]) == (kept.id, kept.hlc, "扫错人")
    assert undo["at"] == kept.occurred_at
    assert balance(pg_engine, s.zhang, "visits", s.visits_membership) == -1 + 2


def test_member_fields_are_last_writer_wins_on_postgresql(pg_engine: Engine) -> None:
    member_id = new_id()
    enrolled = make_event(
        "member.enrolled",
        {"member_id": member_id, "member_no": "M9", "name": "张三", "mobile": "13800138000"},
        wall_ms=minutes(0),
    )
    from_a = make_event(
        "member.updated",
        {"member_id": member_id, "changes": {"name": "张三丰", "tier": "gold"}},
        wall_ms=minutes(5),
        terminal=TERMINAL_A,
    )
    from_b = make_event(
        "member.updated",
        {"member_id": member_id, "changes": {"name": "张珊"}},
        wall_ms=minutes(5),
        terminal=TERMINAL_B,
    )
    older = make_event(
        "member.updated",
        {"member_id": member_id, "changes": {"mobile": "13911112222", "name": "李四"}},
        wall_ms=minutes(2),
    )
    for event in [from_b, from_a, older, enrolled]:
        apply(pg_engine, [event])

    member = one_row(pg_engine, "members", id=member_id)
    assert (member["name"], member["tier"], member["mobile"]) == ("张珊", "gold", "13911112222")
    assert (member["name_pinyin"], member["name_initials"]) == ("zhangshan", "zs")
    assert member["mobile_tail"] == "2222"
    assert member_grams(pg_engine, member_id) == {"张", "珊", "张珊"}
    assert member["field_clocks"]["name"] == from_b.hlc


def _permutations() -> dict[str, list[list[EventEnvelope]]]:
    ordered = in_hlc_order(SCENARIO.events)
    evens, odds = ordered[::2], ordered[1::2]
    mixed = [*reversed(evens), *odds]
    return {
        "reverse, one per batch": [[e] for e in reversed(ordered)],
        "reverse, one batch": [list(reversed(ordered))],
        "odds then evens, with repeats": [odds, evens, ordered[:7], list(reversed(odds))],
        "interleaved halves, batches of five": [mixed[i : i + 5] for i in range(0, len(mixed), 5)],
        "terminal B's events first": [
            [e for e in ordered if e.terminal_id == TERMINAL_B],
            [e for e in reversed(ordered) if e.terminal_id != TERMINAL_B],
        ],
    }


@pytest.fixture(scope="module")
def pg_reference(pg_server: PostgreSQLExecutor) -> dict[str, list[tuple[str, ...]]]:
    """The scenario applied once in HLC order, on PostgreSQL."""
    dbname = f"md_ref_{new_id().replace('-', '')}"
    with DatabaseJanitor(
        user=pg_server.user,
        host=pg_server.host,
        port=pg_server.port,
        dbname=dbname,
        password=pg_server.password,
    ):
        url = URL.create(
            "postgresql+psycopg",
            username=pg_server.user,
            password=pg_server.password,
            host=pg_server.host,
            port=pg_server.port,
            database=dbname,
        )
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        apply(engine, in_hlc_order(SCENARIO.events))
        result = snapshot(engine)
        engine.dispose()
    return result


@pytest.mark.parametrize("delivery", sorted(_permutations()))
def test_any_delivery_converges_to_the_hlc_order_projection_on_postgresql(
    pg_engine: Engine, pg_reference: dict[str, list[tuple[str, ...]]], delivery: str
) -> None:
    apply_batches(pg_engine, _permutations()[delivery])

    assert snapshot(pg_engine) == pg_reference
    for member_id, fields in expected_member_fields(SCENARIO.events).items():
        stored = stored_member_fields(pg_engine, member_id)
        assert {k: stored[k] for k in fields} == fields


def test_postgresql_and_sqlite_project_the_same_rows(
    pg_reference: dict[str, list[tuple[str, ...]]], engine: Engine
) -> None:
    apply(engine, in_hlc_order(SCENARIO.events))

    assert snapshot(engine) == pg_reference


def test_pg_ctl_is_found_where_postgresql_installs_it() -> None:
    pg_ctl = find_pg_ctl()
    assert pg_ctl is not None, f"no pg_ctl matched {PG_CTL_PATTERNS} or PATH"
    assert Path(pg_ctl).is_file()
