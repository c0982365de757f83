"""Staff: PIN login on the terminal, logout, and adding staff."""

from __future__ import annotations

import pytest

from shared.errors import NotLoggedIn, PermissionDenied, PinInvalid, PinUnacceptable
from shared.kinds import Role


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_by_pin_alone(terminal, staff_logins, role):
    who = staff_logins[role]

    session = terminal.staff.login(who.pin)

    assert (session.staff_id, session.name, session.role) == (who.staff_id, who.name, role)
    assert terminal.staff.current == session


def test_login_for_a_chosen_staff_member_checks_their_pin(terminal, staff_logins):
    who = staff_logins[Role.CASHIER]

    session = terminal.staff.login(who.pin, staff_id=who.staff_id)

    assert session.staff_id == who.staff_id
    assert session.role == Role.CASHIER


def test_a_wrong_pin_raises_pin_invalid_and_logs_nobody_in(terminal):
    with pytest.raises(PinInvalid):
        terminal.staff.login("0000")
    assert terminal.staff.current is None


def test_another_staff_members_pin_does_not_open_a_chosen_account(terminal, staff_logins):
    admin = staff_logins[Role.ADMIN]

    with pytest.raises(PinInvalid):
        terminal.staff.login(staff_logins[Role.FRONT_DESK].pin, staff_id=admin.staff_id)
    assert terminal.staff.current is None


def test_logout_ends_the_session(terminal, login_as, plans):
    login_as(Role.FRONT_DESK)

    terminal.staff.logout()

    assert terminal.staff.current is None
    with pytest.raises(NotLoggedIn):
        terminal.members.enroll(name="张三")


def test_logging_in_again_switches_the_staff_member(terminal, login_as, staff_logins):
    login_as(Role.FRONT_DESK)

    login_as(Role.MANAGER)

    assert terminal.staff.current.staff_id == staff_logins[Role.MANAGER].staff_id


def test_the_staff_list_shows_everyone_of_the_branch(terminal, staff_logins):
    listed = {(s.id, s.name, s.role) for s in terminal.staff.list()}

    assert listed == {(w.staff_id, w.name, w.role) for w in staff_logins.values()}


def test_an_admin_adds_staff_who_can_then_log_in(terminal, login_as):
    login_as(Role.ADMIN)

    staff_id = terminal.staff.add(name=" 新 前台 ", role=Role.FRONT_DESK, pin="135790")

    session = terminal.staff.login("135790")
    assert (session.staff_id, session.name, session.role) == (staff_id, "新 前台", Role.FRONT_DESK)
    assert staff_id in {s.id for s in terminal.staff.list()}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CASHIER, Role.MANAGER])
def test_only_an_admin_may_add_staff(terminal, login_as, row_counts, role):
    login_as(role)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        terminal.staff.add(name="新人", role=Role.FRONT_DESK, pin="135790")
    assert row_counts() == before


def test_adding_staff_needs_a_login(terminal, row_counts):
    before = row_counts()

    with pytest.raises(NotLoggedIn):
        terminal.staff.add(name="新人", role=Role.FRONT_DESK, pin="135790")
    assert row_counts() == before


@pytest.mark.parametrize(
    "pin",
    ["", "123", "123456789", "12a4", "12 34", "１２３４", "٤٥٦٧"],
    ids=["empty", "too-short", "too-long", "letter", "space", "full-width", "arabic-digits"],
)
def test_an_unacceptable_pin_is_refused(terminal, login_as, row_counts, pin):
    login_as(Role.ADMIN)
    before = row_counts()

    with pytest.raises(PinUnacceptable):
        terminal.staff.add(name="新人", role=Role.FRONT_DESK, pin=pin)
    assert row_counts() == before
