"""The Terminal facade: setting up, opening, and what survives a restart."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from desktop.config import TerminalConfig
from desktop.terminal import Terminal
from shared.errors import (
    CardForged,
    PinUnacceptable,
    TerminalAlreadyInitialised,
    TerminalNotInitialised,
    ValidationError,
)
from shared.events.projectors import BRANCHES
from shared.ids import Hlc
from shared.kinds import Role
from shared.model import Event
from tests.memory_keyring import MemoryKeyring


def initialise(data_dir, clock, keyring, **overrides):
    options = {
        "branch_name": "新店",
        "timezone": "Asia/Shanghai",
        "admin_name": "店主",
        "admin_pin": "8888",
        "now": clock.now,
        "keyring_backend": keyring,
    } | overrides
    return Terminal.initialise(data_dir, **options)


def max_hlc(terminal):
    with terminal.engine.connect() as conn:
        return Hlc.parse(conn.execute(select(func.max(Event.hlc))).scalar_one())


# Setting up.


def test_initialise_sets_up_the_branch_and_its_first_admin(tmp_path, clock):
    with initialise(tmp_path, clock, MemoryKeyring()) as terminal:
        assert terminal.branch_tz == ZoneInfo("Asia/Shanghai")
        assert terminal.identity.terminal_code == "T1"
        assert terminal.config == TerminalConfig()
        assert terminal.is_system_keyring is True
        admin = terminal.staff.login("8888")
        assert (admin.name, admin.role) == ("店主", Role.ADMIN)
        with terminal.engine.connect() as conn:
            branch = conn.execute(select(BRANCHES)).one()
        assert (branch.id, branch.name) == (terminal.identity.branch_id, "新店")


def test_initialise_keeps_the_config_it_is_given(tmp_path, clock):
    config = TerminalConfig(region="HK", checkin_window_minutes=15, ending_soon_days=3)
    keyring = MemoryKeyring()
    initialise(tmp_path, clock, keyring, config=config, terminal_code="K7").close()

    with Terminal.open(tmp_path, now=clock.now, keyring_backend=keyring) as terminal:
        assert terminal.config == config
        assert terminal.identity.terminal_code == "K7"


def test_initialising_twice_raises_terminal_already_initialised(data_dir, clock, keyring_backend):
    with pytest.raises(TerminalAlreadyInitialised):
        initialise(data_dir, clock, keyring_backend)


def test_opening_an_uninitialised_directory_raises_terminal_not_initialised(tmp_path, clock):
    with pytest.raises(TerminalNotInitialised):
        Terminal.open(tmp_path / "empty", now=clock.now, keyring_backend=MemoryKeyring())


def test_an_unacceptable_admin_pin_leaves_the_directory_uninitialised(tmp_path, clock):
    keyring = MemoryKeyring()
    with pytest.raises(PinUnacceptable):
        initialise(tmp_path, clock, keyring, admin_pin="12")

    # Set-up must be all or nothing: trying again with a good PIN works.
    with initialise(tmp_path, clock, keyring) as terminal:
        assert terminal.staff.login("8888").role == Role.ADMIN


def test_an_unknown_time_zone_is_refused_and_leaves_the_directory_uninitialised(tmp_path, clock):
    keyring = MemoryKeyring()
    with pytest.raises(ValidationError):
        initialise(tmp_path, clock, keyring, timezone="Mars/Olympus_Mons")

    with initialise(tmp_path, clock, keyring) as terminal:
        assert terminal.branch_tz == ZoneInfo("Asia/Shanghai")


# What survives a restart.


def test_the_branch_time_zone_is_read_back_on_open(terminal):
    assert terminal.branch_tz == ZoneInfo("Asia/Shanghai")


def test_the_clock_continues_after_reopening_with_a_clock_an_hour_behind(
    data_dir, clock, keyring_backend, login_as, terminal
):
    login_as(Role.FRONT_DESK)
    terminal.members.enroll(name="张三")
    before = max_hlc(terminal)
    terminal.close()

    clock.advance(hours=-1)
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as reopened:
        reopened.staff.login("1111")
        reopened.members.enroll(name="李四")
        reopened.members.enroll(name="王五")
        with reopened.engine.connect() as conn:
            newer = [
                Hlc.parse(h)
                for h in conn.execute(select(Event.hlc).where(Event.hlc > str(before))).scalars()
            ]
    assert len(newer) == 4  # two members, each with a card
    assert all(h > before for h in newer)
    assert len(set(newer)) == 4


def test_a_card_printed_before_a_restart_still_checks_in(
    data_dir, clock, keyring_backend, login_as, terminal, plans
):
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="张三")
    terminal.sales.sell_plan(member_id, plans["月卡"])
    printed = terminal.members.card_payload(member_id)
    terminal.close()

    clock.advance(minutes=5)
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as reopened:
        reopened.staff.login("1111")
        result = reopened.checkins.check_in_code(printed)
        assert result.decision.allowed
        assert reopened.members.card_payload(member_id) == printed


def test_the_card_key_lives_in_the_keyring_not_in_the_data_directory(
    data_dir, clock, login_as, terminal
):
    login_as(Role.FRONT_DESK)
    member_id = terminal.members.enroll(name="张三")
    printed = terminal.members.card_payload(member_id)
    terminal.close()

    empty_keyring = MemoryKeyring()
    with Terminal.open(data_dir, now=clock.now, keyring_backend=empty_keyring) as elsewhere:
        elsewhere.staff.login("1111")
        with pytest.raises(CardForged):
            elsewhere.checkins.check_in_code(printed)
    assert len(empty_keyring.entries) == 1  # a new key was made and stored there


def test_a_terminal_closes_as_a_context_manager(data_dir, clock, keyring_backend):
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as terminal:
        assert terminal.data_dir == data_dir
    # Disposed: the pool holds no connection, and reopening works.
    assert terminal.engine.pool.checkedout() == 0
    with Terminal.open(data_dir, now=clock.now, keyring_backend=keyring_backend) as again:
        assert again.identity == terminal.identity
