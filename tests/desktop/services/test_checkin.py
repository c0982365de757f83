"""Checking members in at the desk: by QR card, mobile, imported card number or search."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop.keystore import SERVICE
from shared.card import encode_card
from shared.errors import (
    CardForged,
    CodeEmpty,
    CodeUnknown,
    MemberNotFound,
    NotLoggedIn,
)
from shared.events.payloads import MemberEnrolled, MembershipFrozen, MembershipUnfrozen
from shared.events.projectors import CHECKINS, LEDGER
from shared.ids import new_id
from shared.kinds import Account, CheckinMethod, Role
from shared.rules.checkin import Denial, Notice, local_date

MOBILE = "13800138000"


@pytest.fixture
def desk(login_as):
    """Cashier at the desk: may enroll, sell and check in."""
    return login_as(Role.CASHIER)


def enroll_with_plan(terminal, plans, plan_name="月卡", *, mobile=MOBILE, start=None):
    member_id = terminal.members.enroll(name="张三", mobile=mobile)
    terminal.sales.sell_plan(member_id, plans[plan_name], start=start)
    return member_id


def checkin_row(terminal, checkin_id):
    with terminal.engine.connect() as conn:
        return conn.execute(select(CHECKINS).where(CHECKINS.c.id == checkin_id)).one()


def assert_refused(terminal, row_counts, check_in, reason):
    """The check-in is refused for ``reason`` and nothing at all is written."""
    before = row_counts()
    result = check_in()
    assert result.decision.allowed is False
    assert result.decision.reason == reason
    assert result.checkin_id is None
    assert row_counts() == before
    return result


# Ways in.


def test_a_qr_card_checks_in_a_member_with_a_time_plan(terminal, plans, desk, clock):
    member_id = enroll_with_plan(terminal, plans)

    result = terminal.checkins.check_in_code(terminal.members.card_payload(member_id))

    assert result.decision.allowed
    assert result.member_id == member_id
    assert result.decision.days_left == 30
    assert result.decision.consumes_visit is False
    row = checkin_row(terminal, result.checkin_id)
    assert row.member_id == member_id
    assert row.method == CheckinMethod.QR
    assert row.staff_id == desk.staff_id
    assert row.at == clock.now()
    assert terminal.members.status(member_id).last_checkin_at == clock.now()


def test_a_mobile_number_checks_in_its_member(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)

    result = terminal.checkins.check_in_code(MOBILE)

    assert result.decision.allowed
    assert result.member_id == member_id
    assert checkin_row(terminal, result.checkin_id).method == CheckinMethod.MOBILE


def test_an_imported_card_number_checks_in_its_member(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)
    terminal.members.attach_card(member_id, "0012345678")

    result = terminal.checkins.check_in_code("0012345678")

    assert result.decision.allowed
    assert result.member_id == member_id
    assert checkin_row(terminal, result.checkin_id).method == CheckinMethod.CARD


def test_a_member_picked_from_search_checks_in(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)
    [hit] = terminal.search("张三")

    result = terminal.checkins.check_in_member(hit.member_id)

    assert result.decision.allowed
    assert result.member_id == member_id
    assert checkin_row(terminal, result.checkin_id).method == CheckinMethod.SEARCH


def test_a_visits_plan_loses_one_visit_per_checkin(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans, "10次卡")

    result = terminal.checkins.check_in_member(member_id)

    assert result.decision.allowed
    assert result.decision.consumes_visit is True
    assert result.decision.visits_left_after == 9
    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.visits_left == 9
    with terminal.engine.connect() as conn:
        entry = conn.execute(
            select(LEDGER).where(LEDGER.c.member_id == member_id, LEDGER.c.reason == "checkin")
        ).one()
    assert entry.account == Account.VISITS
    assert entry.amount == -1
    assert entry.membership_id == membership.state.id


def test_a_time_plan_is_used_before_a_visits_plan(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans, "10次卡")
    terminal.sales.sell_plan(member_id, plans["月卡"])

    result = terminal.checkins.check_in_member(member_id)

    assert result.decision.allowed
    assert result.decision.consumes_visit is False
    visits = [m for m in terminal.members.status(member_id).memberships if m.plan_name == "10次卡"]
    assert visits[0].state.visits_left == 10


# Refusals write nothing.


def test_a_member_without_a_plan_is_refused(terminal, row_counts, desk):
    member_id = terminal.members.enroll(name="张三")

    assert_refused(
        terminal, row_counts, lambda: terminal.checkins.check_in_member(member_id), Denial.NO_PLAN
    )


def test_a_stored_value_plan_alone_does_not_admit(terminal, plans, row_counts, desk):
    member_id = enroll_with_plan(terminal, plans, "储值1000送100")

    assert_refused(
        terminal, row_counts, lambda: terminal.checkins.check_in_member(member_id), Denial.NO_PLAN
    )


def test_a_30_day_plan_admits_on_its_last_day_and_is_refused_the_day_after(
    terminal, plans, row_counts, desk, clock
):
    member_id = enroll_with_plan(terminal, plans)
    clock.advance(days=29)

    last_day = terminal.checkins.check_in_member(member_id)
    assert last_day.decision.allowed
    assert last_day.decision.days_left == 1
    assert Notice.PLAN_ENDING_SOON in last_day.decision.notices

    clock.advance(days=1)
    result = assert_refused(
        terminal, row_counts, lambda: terminal.checkins.check_in_member(member_id), Denial.EXPIRED
    )
    assert result.decision.membership_id is not None


def test_a_plan_that_has_not_started_is_refused(terminal, plans, row_counts, desk, clock):
    today = local_date(clock.now(), terminal.branch_tz)
    member_id = enroll_with_plan(terminal, plans, start=today + timedelta(days=3))

    result = assert_refused(
        terminal,
        row_counts,
        lambda: terminal.checkins.check_in_code(MOBILE),
        Denial.NOT_STARTED,
    )
    assert result.member_id == member_id
    clock.advance(days=3)
    assert terminal.checkins.check_in_code(MOBILE).decision.allowed


def test_a_frozen_plan_is_refused(terminal, plans, row_counts, desk, staff_logins, clock):
    member_id = enroll_with_plan(terminal, plans)
    [membership] = terminal.members.status(member_id).memberships
    today = local_date(clock.now(), terminal.branch_tz)
    # No freeze service yet: record the fact the way one will.
    with terminal.recorder.transaction() as tx:
        tx.record(
            "membership.frozen",
            MembershipFrozen(
                freeze_id=new_id(),
                membership_id=membership.state.id,
                member_id=member_id,
                start_date=today,
                end_date=today + timedelta(days=6),
            ),
            actor_id=staff_logins[Role.MANAGER].staff_id,
        )

    assert_refused(
        terminal, row_counts, lambda: terminal.checkins.check_in_member(member_id), Denial.FROZEN
    )
    clock.advance(days=7)
    after = terminal.checkins.check_in_member(member_id)
    assert after.decision.allowed
    # A week of the plan is gone, and the frozen week was added to its end.
    assert after.decision.days_left == 30


def test_an_early_unfreeze_lets_the_member_in_again(terminal, plans, desk, staff_logins, clock):
    member_id = enroll_with_plan(terminal, plans)
    [membership] = terminal.members.status(member_id).memberships
    today = local_date(clock.now(), terminal.branch_tz)
    freeze = {
        "freeze_id": new_id(),
        "membership_id": membership.state.id,
        "member_id": member_id,
    }
    manager = staff_logins[Role.MANAGER].staff_id
    with terminal.recorder.transaction() as tx:
        tx.record(
            "membership.frozen",
            MembershipFrozen(**freeze, start_date=today, end_date=today + timedelta(days=13)),
            actor_id=manager,
        )
    assert terminal.checkins.check_in_member(member_id).decision.reason == Denial.FROZEN
    clock.advance(days=2)
    with terminal.recorder.transaction() as tx:
        tx.record(
            "membership.unfrozen",
            MembershipUnfrozen(**freeze, unfrozen_on=today + timedelta(days=2)),
            actor_id=manager,
        )

    result = terminal.checkins.check_in_member(member_id)

    assert result.decision.allowed
    # Two days used frozen are added to the end: 30 - 2 days gone + 2 days back.
    assert result.decision.days_left == 30


def test_a_visits_plan_with_no_visits_left_is_refused(terminal, plans, row_counts, desk, clock):
    member_id = enroll_with_plan(terminal, plans, "体验卡")
    first = terminal.checkins.check_in_member(member_id)
    assert first.decision.allowed
    assert Notice.LAST_VISIT in first.decision.notices
    clock.advance(minutes=61)

    assert_refused(
        terminal,
        row_counts,
        lambda: terminal.checkins.check_in_member(member_id),
        Denial.NO_VISITS_LEFT,
    )
    [membership] = terminal.members.status(member_id).memberships
    assert membership.state.visits_left == 0


def test_an_old_qr_card_is_refused_after_the_card_is_reissued(terminal, plans, row_counts, desk):
    member_id = enroll_with_plan(terminal, plans)
    old = terminal.members.card_payload(member_id)
    new = terminal.members.reissue_card(member_id)

    assert_refused(
        terminal,
        row_counts,
        lambda: terminal.checkins.check_in_code(old),
        Denial.CARD_REVOKED,
    )
    assert terminal.checkins.check_in_code(new).decision.allowed


def test_a_revoked_imported_card_is_refused(terminal, plans, row_counts, desk):
    member_id = enroll_with_plan(terminal, plans)
    card_id = terminal.members.attach_card(member_id, "KEYFOB-77")
    terminal.members.revoke_card(member_id, card_id)

    assert_refused(
        terminal,
        row_counts,
        lambda: terminal.checkins.check_in_code("KEYFOB-77"),
        Denial.CARD_REVOKED,
    )


def test_a_second_checkin_within_the_window_is_refused(terminal, plans, row_counts, desk, clock):
    member_id = enroll_with_plan(terminal, plans)
    assert terminal.checkins.check_in_member(member_id).decision.allowed
    clock.advance(minutes=59)

    assert_refused(
        terminal,
        row_counts,
        lambda: terminal.checkins.check_in_code(MOBILE),
        Denial.ALREADY_CHECKED_IN,
    )
    clock.advance(minutes=2)  # 61 minutes after the first
    assert terminal.checkins.check_in_code(MOBILE).decision.allowed


# Codes that name nobody.


def test_a_forged_qr_card_raises_card_forged(terminal, plans, row_counts, desk):
    member_id = enroll_with_plan(terminal, plans)
    payload = terminal.members.card_payload(member_id)
    i = len("MD1:") + 10
    forged = payload[:i] + ("B" if payload[i] == "A" else "A") + payload[i + 1 :]
    before = row_counts()

    with pytest.raises(CardForged):
        terminal.checkins.check_in_code(forged)
    assert row_counts() == before


def test_a_card_signed_with_another_key_raises_card_forged(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)

    with pytest.raises(CardForged):
        terminal.checkins.check_in_code(encode_card(member_id, 1, bytes(32)))


@pytest.mark.parametrize("garbled", ["hello world", "12345", "MD", "!!##", "1380013800"])
def test_garbled_text_raises_code_unknown(terminal, plans, row_counts, desk, garbled):
    enroll_with_plan(terminal, plans)
    before = row_counts()

    with pytest.raises(CodeUnknown):
        terminal.checkins.check_in_code(garbled)
    assert row_counts() == before


@pytest.mark.parametrize("empty", ["", "   ", "\r\n", "\x1d\t"])
def test_an_empty_scan_raises_code_empty(terminal, desk, empty):
    with pytest.raises(CodeEmpty):
        terminal.checkins.check_in_code(empty)


def test_control_characters_from_a_scanner_are_ignored(terminal, plans, desk, clock):
    member_id = enroll_with_plan(terminal, plans)
    payload = terminal.members.card_payload(member_id)

    result = terminal.checkins.check_in_code("\x02" + payload + "\x1d\r\n")

    assert result.decision.allowed
    assert result.member_id == member_id
    clock.advance(minutes=61)
    assert terminal.checkins.check_in_code(f"\t{MOBILE}\r\n").decision.allowed


def test_a_lower_case_qr_from_a_scanner_with_caps_lock_resolves(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)

    result = terminal.checkins.check_in_code(terminal.members.card_payload(member_id).lower())

    assert result.decision.allowed
    assert checkin_row(terminal, result.checkin_id).method == CheckinMethod.QR


def test_full_width_digits_of_a_mobile_resolve(terminal, plans, desk):
    member_id = enroll_with_plan(terminal, plans)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in MOBILE)

    assert terminal.checkins.check_in_code(full_width).member_id == member_id


def test_a_genuine_card_of_an_unknown_member_raises_member_not_found(
    terminal, desk, keyring_backend
):
    stored = keyring_backend.get_password(SERVICE, f"card-key/{terminal.identity.branch_id}")
    payload = encode_card(new_id(), 1, base64.b64decode(stored))

    with pytest.raises(MemberNotFound):
        terminal.checkins.check_in_code(payload)


def test_a_newer_card_issued_at_another_terminal_is_accepted_before_its_event_arrives(
    terminal, plans, desk, keyring_backend
):
    member_id = enroll_with_plan(terminal, plans)
    stored = keyring_backend.get_password(SERVICE, f"card-key/{terminal.identity.branch_id}")

    result = terminal.checkins.check_in_code(encode_card(member_id, 2, base64.b64decode(stored)))

    assert result.decision.allowed


def test_a_genuine_card_is_accepted_before_its_card_record_arrives(
    terminal, plans, desk, keyring_backend
):
    # A member enrolled at another terminal: the enrolment synced, the card not yet.
    member_id = new_id()
    with terminal.recorder.transaction() as tx:
        tx.record(
            "member.enrolled",
            MemberEnrolled(member_id=member_id, member_no="T2000001", name="远方"),
            actor_id=desk.staff_id,
        )
    terminal.sales.sell_plan(member_id, plans["月卡"])
    stored = keyring_backend.get_password(SERVICE, f"card-key/{terminal.identity.branch_id}")

    result = terminal.checkins.check_in_code(encode_card(member_id, 1, base64.b64decode(stored)))

    assert result.decision.allowed
    assert result.member_id == member_id


def test_checking_in_an_unknown_member_id_raises_member_not_found(terminal, row_counts, desk):
    before = row_counts()

    with pytest.raises(MemberNotFound):
        terminal.checkins.check_in_member(new_id())
    assert row_counts() == before


# Who may check in.


def test_a_checkin_needs_a_logged_in_staff_member(terminal, plans, row_counts, login_as):
    login_as(Role.CASHIER)
    member_id = enroll_with_plan(terminal, plans)
    terminal.staff.logout()
    before = row_counts()

    with pytest.raises(NotLoggedIn):
        terminal.checkins.check_in_code(MOBILE)
    with pytest.raises(NotLoggedIn):
        terminal.checkins.check_in_member(member_id)
    assert row_counts() == before


def test_front_desk_staff_may_check_members_in(terminal, plans, login_as):
    login_as(Role.CASHIER)
    member_id = enroll_with_plan(terminal, plans)
    front_desk = login_as(Role.FRONT_DESK)

    result = terminal.checkins.check_in_member(member_id)

    assert result.decision.allowed
    assert checkin_row(terminal, result.checkin_id).staff_id == front_desk.staff_id
