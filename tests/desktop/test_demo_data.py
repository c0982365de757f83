"""The demo data set: deterministic, valid, and written only through the event log."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from desktop.demo_data import DEMO_STAFF, DemoSummary, generate_demo_data
from desktop.store.database import DB_FILENAME
from desktop.terminal import Terminal
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


def make_demo(data_dir: Path) -> Demo:
    keyring = MemoryKeyring()
    summary = generate_demo_data(
        data_dir, members=MEMBERS, seed=SEED, today=TODAY, keyring_backend=keyring
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


# What the demo of MEMBERS members, SEED and TODAY writes, table by table: (rows, the
# first 16 hex digits of the SHA-256 of every row's exact values). Made by the generator
# that validated each payload dict back into its model; a faster generator must write
# exactly the same. If a schema or projector change alters a table on purpose, print
# table_digests(demo.data_dir / DB_FILENAME) and copy the new figures here.
GOLDEN_DIGESTS = {
    "branches": (1, "9fcf72d7a48d6067"),
    "checkin_undos": (0, "e3b0c44298fc1c14"),
    "checkins": (1797, "b1db172cc2bc461d"),
    "events": (2586, "5460590176f38a5a"),
    "ledger_entries": (924, "097db1ffd0c0d911"),
    "member_cards": (200, "1f0ed9fc2b510f73"),
    "member_name_grams": (749, "386e506bed3947df"),
    "members": (200, "3e1313e20e368602"),
    "membership_freezes": (0, "e3b0c44298fc1c14"),
    "memberships": (377, "1364b53095a91bd4"),
    "order_lines": (377, "68a229cd7c13778e"),
    "orders": (377, "fd08bb6fac7c370f"),
    "payments": (377, "3bf9e8986c79d83a"),
    "plans": (7, "31283bb9c1a28087"),
    "staff": (4, "99c5662b2b9a7c12"),
    "terminal_settings": (8, "068dc0a6087d96ca"),
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
