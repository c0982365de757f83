"""Fixtures shared by every test package.

Terminals: one data directory is initialised once per session (branch, staff of every
role, plans of every kind) and each test opens its own copy of it, as Anki's tests copy
one prebuilt empty collection. Secrets go to an in-memory keyring handed to the Terminal;
time comes from a clock the test moves by hand.
"""

from __future__ import annotations

import os

# Before anything imports Qt: GUI tests must run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import Table, func, select  # noqa: E402

from desktop.services.context import StaffSession  # noqa: E402
from desktop.terminal import Terminal  # noqa: E402
from shared.events.projectors import (  # noqa: E402
    CARDS,
    CHECKINS,
    LEDGER,
    MEMBERS,
    MEMBERSHIPS,
    ORDERS,
    STAFF,
)
from shared.kinds import PlanKind, Role  # noqa: E402
from shared.model import Event  # noqa: E402
from tests.memory_keyring import Entries, MemoryKeyring  # noqa: E402

BRANCH_NAME = "测试店"
BRANCH_TIMEZONE = "Asia/Shanghai"
# 10:00 on a Monday in Shanghai: mid-morning, far from any local midnight.
START = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)

ADMIN = ("测试管理员", Role.ADMIN, "8888")
OTHER_STAFF = (
    ("测试店长", Role.MANAGER, "6666"),
    ("测试收银", Role.CASHIER, "2222"),
    ("测试前台", Role.FRONT_DESK, "1111"),
)
# name -> PlansService.define keyword arguments
PLANS: dict[str, dict[str, object]] = {
    "月卡": {"kind": PlanKind.TIME, "price_fen": 29_900, "duration_days": 30},
    "10次卡": {"kind": PlanKind.VISITS, "price_fen": 50_000, "visits": 10, "duration_days": 180},
    "体验卡": {"kind": PlanKind.VISITS, "price_fen": 3_000, "visits": 1},
    "储值1000送100": {
        "kind": PlanKind.STORED_VALUE,
        "price_fen": 100_000,
        "stored_value_fen": 110_000,
    },
}


class Clock:
    """A wall clock for the terminal that only moves when the test says so."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@dataclass(frozen=True)
class StaffLogin:
    staff_id: str
    name: str
    role: Role
    pin: str


@dataclass(frozen=True)
class TerminalTemplate:
    data_dir: Path
    keyring_entries: Entries
    staff: dict[Role, StaffLogin]
    plans: dict[str, str]  # plan name -> plan id


@pytest.fixture(scope="session")
def terminal_template(tmp_path_factory: pytest.TempPathFactory) -> TerminalTemplate:
    """One initialised data directory, made once; tests open copies of it."""
    data_dir = tmp_path_factory.mktemp("template") / "terminal"
    entries: Entries = {}
    clock = Clock(START - timedelta(days=1))
    name, role, pin = ADMIN
    with Terminal.initialise(
        data_dir,
        branch_name=BRANCH_NAME,
        timezone=BRANCH_TIMEZONE,
        admin_name=name,
        admin_pin=pin,
        now=clock.now,
        keyring_backend=MemoryKeyring(entries),
    ) as terminal:
        admin = terminal.staff.login(pin)
        staff = {role: StaffLogin(admin.staff_id, name, role, pin)}
        for name, role, pin in OTHER_STAFF:
            staff_id = terminal.staff.add(name=name, role=role, pin=pin)
            staff[role] = StaffLogin(staff_id, name, role, pin)
        plans = {name: terminal.plans.define(name=name, **terms) for name, terms in PLANS.items()}
        terminal.staff.logout()
    return TerminalTemplate(data_dir, dict(entries), staff, plans)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def keyring_backend(terminal_template: TerminalTemplate) -> MemoryKeyring:
    """This test's keyring, holding the template's card key."""
    return MemoryKeyring(dict(terminal_template.keyring_entries))


@pytest.fixture
def data_dir(terminal_template: TerminalTemplate, tmp_path: Path) -> Path:
    """A private copy of the template data directory."""
    return Path(shutil.copytree(terminal_template.data_dir, tmp_path / "terminal"))


@pytest.fixture
def terminal(data_dir: Path, clock: Clock, keyring_backend: MemoryKeyring) -> Iterator[Terminal]:
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as opened:
        yield opened


@pytest.fixture
def staff_logins(terminal_template: TerminalTemplate) -> dict[Role, StaffLogin]:
    return terminal_template.staff


@pytest.fixture
def plans(terminal_template: TerminalTemplate) -> dict[str, str]:
    """Plan name -> id, for the plans the template defines (see PLANS)."""
    return terminal_template.plans


@pytest.fixture
def login_as(
    terminal: Terminal, staff_logins: dict[Role, StaffLogin]
) -> Callable[[Role], StaffSession]:
    """Log the test's terminal in as the template's staff member with this role."""

    def login(role: Role) -> StaffSession:
        who = staff_logins[role]
        return terminal.staff.login(who.pin, staff_id=who.staff_id)

    return login


COUNTED_TABLES: dict[str, Table] = {
    "events": Event.__table__,  # type: ignore[dict-item]
    "members": MEMBERS,
    "cards": CARDS,
    "memberships": MEMBERSHIPS,
    "orders": ORDERS,
    "checkins": CHECKINS,
    "ledger": LEDGER,
    "staff": STAFF,
}


@pytest.fixture
def row_counts(terminal: Terminal) -> Callable[[], dict[str, int]]:
    """Row counts of the log and the main projections: proof that a refusal wrote nothing."""

    def counts() -> dict[str, int]:
        with terminal.engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in COUNTED_TABLES.items()
            }

    return counts
