"""The demo data set: deterministic, valid, and written only through the event log."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from desktop import demo_data
from desktop.demo_data import DEMO_STAFF, PARTS_DIR, DemoSummary, generate_demo_data
from desktop.store.database import DB_FILENAME, open_database
from desktop.terminal import Terminal
from shared.events import apply_events, parse_envelope
from shared.ids import Hlc
from shared.kinds import PlanKind, Role
from shared.member_input import clean_mobile
from tests.memory_keyring import MemoryKeyring

MEMBERS = 200
SEED = 7
TODAY = date(2026, 3, 2)
# Noon at the demo branch on the demo's "today".
NOON = datetime.combine(TODAY, time(12), ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@dataclass(frozen=True)
class Demo:
    summary: DemoSummary
    keyring: MemoryKeyring

    @property
    def data_dir(self) -> Path:
        return self.summary.data_dir


def make_demo(data_dir: Path, workers: int | None = None) -> Demo:
    keyring = MemoryKeyring()
    summary = generate_demo_data(
        data_dir,
        members=MEMBERS,
        seed=SEED,
        today=TODAY,
        keyring_backend=keyring,
        workers=workers,
    )
    return Demo(summary, keyring)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    """One demo directory for the read-only tests of this module."""
    return make_demo(tmp_path_factory.mktemp("demo") / "a")


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Demo:
    """A second demo directory from the same seed and day."""
    return make_demo(tmp_path_factory.mktemp("demo") / "b")


@pytest.fixture(scope="module")
def shared_out(tmp_path_factory) -> Demo:
    """The same demo, its members shared out among three processes."""
    return make_demo(tmp_path_factory.mktemp("demo") / "c", workers=3)


@pytest.fixture
def demo_terminal(demo, tmp_path):
    """A terminal on a private copy of the demo, for tests that write."""
    data_dir = Path(shutil.copytree(demo.data_dir, tmp_path / "demo"))
    keyring = MemoryKeyring(dict(demo.keyring.entries))
    with Terminal.open(data_dir, now=lambda: NOON, keyring_backend=keyring) as terminal:
        yield terminal


def rows(demo: Demo, sql: str) -> list[tuple]:
    with Terminal.open(demo.data_dir, now=lambda: NOON, keyring_backend=demo.keyring) as terminal:
        with terminal.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]


def column(demo: Demo, sql: str) -> list:
    return [r[0] for r in rows(demo, sql)]


# Deterministic.


def test_the_same_seed_and_day_give_the_same_members(demo, twin):
    sql = "SELECT member_no, name, mobile, gender, birthday, tags FROM members ORDER BY member_no"

    members = rows(demo, sql)

    assert len(members) == MEMBERS
    assert members == rows(twin, sql)


def test_the_same_seed_and_day_give_the_same_events(demo, twin):
    # PIN hashes are salted afresh each time; everything else is the same.
    sql = (
        "SELECT id, type, hlc, occurred_at, json_remove(payload, '$.pin_hash') "
        "FROM events ORDER BY id"
    )

    events = rows(demo, sql)

    assert len(events) > MEMBERS * 3
    assert events == rows(twin, sql)


def test_members_shared_out_among_processes_make_the_very_same_data_set(demo, shared_out):
    assert table_digests(shared_out.data_dir / DB_FILENAME) == table_digests(
        demo.data_dir / DB_FILENAME
    )
    assert shared_out.summary.checkins == demo.summary.checkins
    assert shared_out.summary.orders == demo.summary.orders
    assert not (shared_out.data_dir / PARTS_DIR).exists()


def test_replaying_the_log_through_full_validation_rebuilds_the_same_projections(demo, tmp_path):
    """The generator builds payload models without validating them (it makes millions);
    every stored payload must still validate, and project exactly as validated ones do."""
    source = demo.data_dir / DB_FILENAME
    with contextlib.closing(sqlite3.connect(source)) as db:
        db.row_factory = sqlite3.Row
        stored = [dict(r) for r in db.execute("SELECT * FROM events ORDER BY rowid")]
    events = [
        parse_envelope(
            {**r, "payload": json.loads(r["payload"]), "occurred_at": r["occurred_at"] + "Z"}
        )
        for r in stored
    ]
    engine = open_database(tmp_path / "replay")
    with engine.begin() as conn:
        applied = apply_events(conn, events)
    engine.dispose()

    assert len(applied) == len(stored)
    replayed = table_digests(tmp_path / "replay" / DB_FILENAME)
    original = table_digests(source)
    del replayed["terminal_settings"], original["terminal_settings"]
    assert replayed == original


def test_ids_are_uuid7s_in_the_order_written_with_a_stamp_each(demo):
    events = rows(demo, "SELECT id, hlc FROM events ORDER BY rowid")
    ids = [uuid.UUID(i) for i, _ in events]

    assert {(u.version, u.variant) for u in ids} == {(7, uuid.RFC_4122)}
    assert sorted(ids) == ids
    assert sorted(h for _, h in events) == [h for _, h in events]
    assert len({h for _, h in events}) == len(events)
    assert all(str(Hlc.parse(h)) == h for _, h in events)


def test_a_directory_that_holds_data_is_refused(demo):
    before = (demo.data_dir / DB_FILENAME).stat().st_mtime_ns

    with pytest.raises(FileExistsError):
        generate_demo_data(demo.data_dir, members=5, keyring_backend=MemoryKeyring())

    assert (demo.data_dir / DB_FILENAME).stat().st_mtime_ns == before


def test_a_run_that_fails_midway_leaves_no_database_and_no_parts(tmp_path, monkeypatch):
    real = demo_data._Generator.member_events

    def fail_midway(self, first, last, checkins_per_member):
        yield from real(self, first, min(last, first + 9), checkins_per_member)
        raise OSError("disk full")

    monkeypatch.setattr(demo_data._Generator, "member_events", fail_midway)
    monkeypatch.setattr(demo_data, "BATCH", 50)  # some batches are committed first

    with pytest.raises(OSError, match="disk full"):
        generate_demo_data(tmp_path / "d", members=40, keyring_backend=MemoryKeyring())

    assert not (tmp_path / "d" / DB_FILENAME).exists()
    assert not (tmp_path / "d" / PARTS_DIR).exists()


def test_a_merge_that_fails_leaves_no_database_and_no_parts(tmp_path, monkeypatch):
    def fail(engine, source):
        assert source.exists()  # the worker process wrote its part
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(demo_data, "merge_database", fail)

    with pytest.raises(sqlite3.OperationalError):
        generate_demo_data(tmp_path / "d", members=40, keyring_backend=MemoryKeyring(), workers=2)

    assert not (tmp_path / "d" / DB_FILENAME).exists()
    assert not (tmp_path / "d" / PARTS_DIR).exists()


def test_a_member_history_cannot_outgrow_its_block_of_ids():
    generator = demo_data._Generator(SEED, TODAY, ZoneInfo("Asia/Shanghai"))
    header_ids = 3 + len(DEMO_STAFF) - 1 + 7  # terminal, branch, staff, plans
    for _ in range(4095 - header_ids - 1):
        generator._id()

    assert generator._id()  # the 4,095th
    with pytest.raises(RuntimeError, match="more ids than a block"):
        generator._id()


@pytest.mark.parametrize(
    ("members", "seed"), [(-1, 1), (100_000_000, 1), (5, -1)], ids=["few", "many", "seed"]
)
def test_out_of_range_sizes_and_seeds_are_refused(tmp_path, members, seed):
    with pytest.raises(ValueError, match="must"):
        generate_demo_data(tmp_path / "d", members=members, seed=seed)

    assert not (tmp_path / "d").exists()


# What the demo of MEMBERS members, SEED and TODAY writes, table by table: (rows, the
# first 16 hex digits of the SHA-256 of every row's exact values): the same code must
# write the same data set, on any machine, with any number of workers. If a change
# alters a table on purpose, print table_digests(demo.data_dir / DB_FILENAME) and copy
# the new figures here (the replay test above shows the new data is still right).
GOLDEN_DIGESTS = {
    "branches": (1, "56908f6c547f3bed"),
    "checkin_undos": (0, "e3b0c44298fc1c14"),
    "checkins": (1583, "45675682a63dcfb8"),
    "events": (2343, "df5e3a678c83f4d9"),
    "ledger_entries": (759, "24eb7dc755998d83"),
    "member_cards": (200, "cdef21da7210d966"),
    "member_name_grams": (743, "c5f5d60f5745b918"),
    "members": (200, "a6fe8871110f9bf1"),
    "membership_freezes": (0, "e3b0c44298fc1c14"),
    "memberships": (348, "323a29d303b8ba19"),
    "order_lines": (348, "f767797ac76798ed"),
    "orders": (348, "271fd375f566ac60"),
    "payments": (348, "a05e7921aef1f243"),
    "plans": (7, "c77d30ecaeb238f2"),
    "staff": (4, "b3a1d0bed0573bda"),
    "terminal_settings": (8, "071846e0657b434a"),
}
_PIN_HASH = re.compile(r"scrypt\$[^\"]*")


def table_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Every table but alembic's: its row count and a hash of its rows, each value as
    SQLite returns it (text byte for byte, integers, NULLs), in a fixed order. PIN
    hashes are salted afresh on each run, so they alone are masked."""
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
            )
        ]
        found = {}
        for table in tables:
            columns = ", ".join(f'"{c[1]}"' for c in db.execute(f'PRAGMA table_info("{table}")'))
            digest = hashlib.sha256()
            count = 0
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY {columns}'):
                values = [_PIN_HASH.sub("<pin>", v) if isinstance(v, str) else v for v in row]
                digest.update(repr(values).encode())
                count += 1
            found[table] = (count, digest.hexdigest()[:16])
    return found


def test_the_demo_writes_exactly_what_it_always_wrote(demo):
    assert table_digests(demo.data_dir / DB_FILENAME) == GOLDEN_DIGESTS


def test_the_summary_counts_what_was_written(demo):
    summary = demo.summary
    assert summary.members == MEMBERS
    assert summary.checkins == column(demo, "SELECT count(*) FROM checkins")[0] > 0
    assert summary.orders == column(demo, "SELECT count(*) FROM orders")[0] > 0
    assert summary.staff == DEMO_STAFF
    first_three = column(demo, "SELECT mobile FROM members ORDER BY member_no LIMIT 3")
    assert summary.sample_mobiles == tuple(first_three)


# Valid.


def test_mobiles_are_valid_chinese_mobiles_and_unique(demo):
    mobiles = column(demo, "SELECT mobile FROM members")

    assert len(mobiles) == MEMBERS
    assert [clean_mobile(m, "CN") for m in mobiles] == mobiles
    assert len(set(mobiles)) == MEMBERS


def test_every_member_has_a_live_qr_card_with_their_number(demo):
    cards = rows(
        demo,
        "SELECT m.member_no, c.number, c.version FROM members m "
        "LEFT JOIN member_cards c ON c.member_id = m.id AND c.kind = 'qr' "
        "AND c.revoked_at IS NULL",
    )

    assert len(cards) == MEMBERS
    assert all(number == member_no and version == 1 for member_no, number, version in cards)


def test_a_demo_members_qr_card_resolves_at_the_desk(demo_terminal):
    demo_terminal.staff.login("1111")
    hits = demo_terminal.search("D1000001")
    [hit] = hits

    result = demo_terminal.checkins.check_in_code(demo_terminal.members.card_payload(hit.member_id))

    assert result.member_id == hit.member_id


def test_plans_of_all_three_kinds_are_on_sale(demo):
    kinds = Counter(column(demo, "SELECT kind FROM plans WHERE active"))

    assert set(kinds) == set(PlanKind)


@pytest.mark.parametrize(
    ("name", "role", "pin"), DEMO_STAFF, ids=[str(r) for _, r, _ in DEMO_STAFF]
)
def test_staff_of_every_role_log_in_with_the_printed_pins(demo, name, role, pin):
    with Terminal.open(demo.data_dir, now=lambda: NOON, keyring_backend=demo.keyring) as terminal:
        session = terminal.staff.login(pin)

    assert (session.name, session.role) == (name, role)


def test_every_role_has_demo_staff():
    assert {role for _, role, _ in DEMO_STAFF} == set(Role)


def test_visit_balances_never_go_negative(demo):
    balances = rows(
        demo,
        "SELECT ms.id, ms.visits_total, coalesce(sum(l.amount), 0) FROM memberships ms "
        "LEFT JOIN ledger_entries l ON l.membership_id = ms.id AND l.account = 'visits' "
        "WHERE ms.kind = 'visits' GROUP BY ms.id",
    )

    assert balances, "the demo sells visits plans"
    assert all(0 <= left <= total for _, total, left in balances)


def test_checkins_fall_within_the_membership_they_used(demo):
    outside = column(
        demo,
        "SELECT count(*) FROM checkins ci JOIN memberships ms ON ms.id = ci.membership_id "
        "WHERE date(ci.at, '+8 hours') < ms.start_date "
        "OR date(ci.at, '+8 hours') > ms.base_end_date",
    )

    assert outside == [0]


def test_nothing_happens_to_a_member_before_they_enrolled(demo):
    early = {
        "check-ins before enrolment": (
            "SELECT count(*) FROM checkins ci JOIN members m ON m.id = ci.member_id "
            "WHERE ci.at < m.enrolled_at"
        ),
        "orders before enrolment": (
            "SELECT count(*) FROM orders o JOIN members m ON m.id = o.member_id "
            "WHERE o.at < m.enrolled_at"
        ),
        "check-ins before the plan was sold": (
            "SELECT count(*) FROM checkins ci JOIN memberships ms ON ms.id = ci.membership_id "
            "WHERE ci.at < ms.sold_at"
        ),
    }

    counts = {what: column(demo, sql)[0] for what, sql in early.items()}

    assert counts == dict.fromkeys(early, 0)


# Written only through the event log.


def test_every_checkin_row_is_a_checkin_event_and_back(demo):
    rows_ = set(column(demo, "SELECT id FROM checkins"))
    events = set(
        column(
            demo,
            "SELECT json_extract(payload, '$.checkin_id') FROM events "
            "WHERE type = 'checkin.recorded'",
        )
    )

    assert rows_ == events


def test_every_member_membership_and_order_row_comes_from_an_event(demo):
    enrolled = set(
        column(
            demo,
            "SELECT json_extract(payload, '$.member_id') FROM events "
            "WHERE type = 'member.enrolled'",
        )
    )
    ordered = set(
        column(
            demo,
            "SELECT json_extract(payload, '$.order_id') FROM events WHERE type = 'order.placed'",
        )
    )
    sold = set(
        column(
            demo,
            "SELECT json_extract(m.value, '$.membership_id') FROM events, "
            "json_each(events.payload, '$.memberships') AS m WHERE events.type = 'order.placed'",
        )
    )

    assert set(column(demo, "SELECT id FROM members")) == enrolled
    assert set(column(demo, "SELECT id FROM orders")) == ordered
    assert set(column(demo, "SELECT id FROM memberships")) == sold


def test_every_ledger_entry_names_the_event_that_posted_it(demo):
    orphans = column(
        demo,
        "SELECT count(*) FROM ledger_entries l LEFT JOIN events e ON e.id = l.source_event_id "
        "WHERE e.id IS NULL",
    )
    visit_entries = set(
        column(
            demo,
            "SELECT json_extract(payload, '$.visit_entry_id') FROM events "
            "WHERE type = 'checkin.recorded' AND json_extract(payload, '$.visit_entry_id') "
            "IS NOT NULL",
        )
    )

    assert orphans == [0]
    assert visit_entries
    assert visit_entries == set(
        column(demo, "SELECT id FROM ledger_entries WHERE reason = 'checkin'")
    )


# A demo terminal keeps working.


def test_a_member_enrolled_on_the_demo_terminal_gets_the_next_number(demo_terminal):
    demo_terminal.staff.login("1111")

    member_id = demo_terminal.members.enroll(name="新会员", mobile="13012345678")

    assert demo_terminal.members.profile(member_id).member_no == f"D1{MEMBERS + 1:06d}"


def test_events_written_after_the_demo_sort_after_it(demo_terminal):
    with demo_terminal.engine.connect() as conn:
        last = conn.execute(text("SELECT max(hlc) FROM events")).scalar_one()
    demo_terminal.staff.login("1111")

    demo_terminal.members.enroll(name="新会员")

    with demo_terminal.engine.connect() as conn:
        newest = conn.execute(
            text("SELECT hlc FROM events WHERE type = 'member.enrolled' ORDER BY hlc DESC LIMIT 1")
        ).scalar_one()
    assert newest > last
