"""One card number, one member: every path that links a number refuses one another
member holds on a live card, inside its write transaction, and writes nothing then."""

from __future__ import annotations

import pytest

from desktop.store.settings_store import read_settings
from shared.errors import CardNumberTaken, MobileTaken, ValidationError
from shared.kinds import Role
from shared.rules.checkin import Denial


@pytest.fixture
def desk(login_as):
    return login_as(Role.FRONT_DESK)


def live_numbers(terminal, member_id):
    return sorted((c.kind, c.number) for c in terminal.members.cards(member_id) if not c.revoked)


def next_member_no(terminal):
    with terminal.engine.connect() as conn:
        return read_settings(conn).get("next_member_no")


# attach_card


def test_attaching_a_number_another_member_holds_is_refused_and_writes_nothing(
    terminal, desk, row_counts
):
    holder = terminal.members.enroll(name="张三")  # T1000001
    terminal.members.attach_card(holder, "OLD-1")
    other = terminal.members.enroll(name="李四")
    before = row_counts()

    with pytest.raises(CardNumberTaken) as refused:
        terminal.members.attach_card(other, " OLD-1 ")

    assert refused.value.code == "card.number_taken"
    assert refused.value.params == {"number": "OLD-1", "member_no": "T1000001"}
    assert row_counts() == before  # events included: nothing was appended
    assert live_numbers(terminal, other) == [("qr", "T1000002")]
    assert terminal.checkins.check_in_code("OLD-1").member_id == holder


def test_attaching_another_members_member_number_is_refused(terminal, desk, row_counts):
    terminal.members.enroll(name="张三")  # T1000001, on its live QR card
    other = terminal.members.enroll(name="李四")
    before = row_counts()

    with pytest.raises(CardNumberTaken) as refused:
        terminal.members.attach_card(other, "T1000001")

    assert refused.value.params == {"number": "T1000001", "member_no": "T1000001"}
    assert row_counts() == before


def test_a_number_whose_only_card_was_revoked_can_be_attached_to_another_member(
    terminal, desk, row_counts
):
    holder = terminal.members.enroll(name="张三")
    old_card = terminal.members.attach_card(holder, "OLD-1")
    terminal.members.revoke_card(holder, old_card)
    other = terminal.members.enroll(name="李四")
    before = row_counts()

    terminal.members.attach_card(other, "OLD-1")

    assert row_counts()["events"] == before["events"] + 1
    assert live_numbers(terminal, other) == [("imported", "OLD-1"), ("qr", "T1000002")]
    scanned = terminal.checkins.check_in_code("OLD-1")
    assert scanned.member_id == other
    assert scanned.decision.reason == Denial.NO_PLAN  # not CARD_REVOKED: the live card won


def test_attaching_a_number_the_member_already_holds_changes_nothing_and_returns_its_card(
    terminal, desk, row_counts
):
    member_id = terminal.members.enroll(name="张三")
    card_id = terminal.members.attach_card(member_id, "OLD-1")
    before = row_counts()

    again = terminal.members.attach_card(member_id, "OLD-1\r\n")

    assert again == card_id
    assert row_counts() == before
    assert live_numbers(terminal, member_id) == [("imported", "OLD-1"), ("qr", "T1000001")]


def test_attaching_the_members_own_member_number_changes_nothing(terminal, desk, row_counts):
    member_id = terminal.members.enroll(name="张三")
    [qr] = terminal.members.cards(member_id)
    before = row_counts()

    assert terminal.members.attach_card(member_id, "T1000001") == qr.id
    assert row_counts() == before


def test_a_number_is_stored_the_way_a_scan_of_it_is_looked_up(terminal, desk):
    member_id = terminal.members.enroll(name="张三")

    terminal.members.attach_card(member_id, "\u3000ＯＬＤ－４２\t")  # full-width, as an IME types

    assert live_numbers(terminal, member_id) == [("imported", "OLD-42"), ("qr", "T1000001")]
    assert terminal.checkins.check_in_code("OLD-42").member_id == member_id


def test_a_member_qr_card_is_refused_as_a_card_number(terminal, desk, row_counts):
    member_id = terminal.members.enroll(name="张三")
    payload = terminal.members.card_payload(member_id)
    before = row_counts()

    with pytest.raises(ValidationError) as refused:
        terminal.members.attach_card(member_id, payload)

    assert refused.value.params == {"field": "number", "reason": "member_card"}
    assert row_counts() == before


# enroll with an old card number


def test_enrolling_with_an_old_card_number_links_it_in_the_same_transaction(
    terminal, desk, row_counts
):
    before = row_counts()

    member_id = terminal.members.enroll(name="张三", card_number=" OLD-7 ")

    after = row_counts()
    assert after["events"] == before["events"] + 3  # enrolled, QR card, old card
    assert live_numbers(terminal, member_id) == [("imported", "OLD-7"), ("qr", "T1000001")]


def test_enrolling_with_a_number_another_member_holds_enrolls_nobody(terminal, desk, row_counts):
    holder = terminal.members.enroll(name="张三")
    terminal.members.attach_card(holder, "OLD-1")
    before, number_before = row_counts(), next_member_no(terminal)

    with pytest.raises(CardNumberTaken) as refused:
        terminal.members.enroll(name="李四", mobile="13800138000", card_number="OLD-1")

    assert refused.value.params == {"number": "OLD-1", "member_no": "T1000001"}
    assert row_counts() == before
    assert next_member_no(terminal) == number_before  # no member number used up
    assert terminal.members.count() == 1


def test_a_new_member_number_skips_one_an_old_card_already_holds(terminal, desk):
    holder = terminal.members.enroll(name="张三")  # T1000001
    terminal.members.attach_card(holder, "T1000002")  # an old system numbered its cards alike

    member_id = terminal.members.enroll(name="李四")

    assert terminal.members.profile(member_id).member_no == "T1000003"
    assert terminal.checkins.check_in_code("T1000002").member_id == holder
    assert terminal.checkins.check_in_code("T1000003").member_id == member_id
    following = terminal.members.enroll(name="王五")
    assert terminal.members.profile(following).member_no == "T1000004"


# update with an old card number


def test_editing_with_a_number_another_member_holds_changes_no_field(terminal, desk, row_counts):
    holder = terminal.members.enroll(name="张三")
    terminal.members.attach_card(holder, "OLD-1")
    member_id = terminal.members.enroll(name="李四")
    before = row_counts()

    with pytest.raises(CardNumberTaken):
        terminal.members.update(member_id, name="李四四", card_number="OLD-1")

    assert row_counts() == before
    assert terminal.members.profile(member_id).name == "李四"


def test_editing_with_a_taken_mobile_links_no_card_either(terminal, desk, row_counts):
    terminal.members.enroll(name="张三", mobile="13800138000")
    member_id = terminal.members.enroll(name="李四")
    before = row_counts()

    with pytest.raises(MobileTaken):
        terminal.members.update(member_id, mobile="13800138000", card_number="OLD-9")

    assert row_counts() == before


def test_editing_only_the_card_number_links_it_and_changes_no_field(terminal, desk, row_counts):
    member_id = terminal.members.enroll(name="李四")
    before = row_counts()

    terminal.members.update(member_id, card_number="OLD-9")

    assert row_counts()["events"] == before["events"] + 1  # the card only, no member.updated
    assert live_numbers(terminal, member_id) == [("imported", "OLD-9"), ("qr", "T1000001")]


# reissue_card


def test_reissuing_is_refused_while_another_member_holds_the_member_number(
    terminal, desk, row_counts
):
    member_id = terminal.members.enroll(name="张三")  # T1000001
    [qr] = terminal.members.cards(member_id)
    terminal.members.revoke_card(member_id, qr.id)  # the card was lost: its number is free
    other = terminal.members.enroll(name="李四")
    terminal.members.attach_card(other, "T1000001")
    before = row_counts()

    with pytest.raises(CardNumberTaken) as refused:
        terminal.members.reissue_card(member_id)

    assert refused.value.params == {"number": "T1000001", "member_no": "T1000002"}
    assert row_counts() == before
    assert terminal.checkins.check_in_code("T1000001").member_id == other
