"""What the desk may scan or type to name a member: mobiles as people type them, QR cards,
imported card numbers; and what names nobody."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from desktop.keystore import SERVICE
from shared.card import encode_card
from shared.errors import (
    CardNotFound,
    CodeUnknown,
    MemberNotFound,
    MobileTaken,
    NotLoggedIn,
    PinInvalid,
)
from shared.events.projectors import CHECKINS
from shared.ids import new_id
from shared.kinds import CheckinMethod, Role
from shared.rules.checkin import Denial

MOBILE = "13812345678"


@pytest.fixture
def desk(login_as):
    """Cashier at the desk: may enroll, sell and check in."""
    return login_as(Role.CASHIER)


@pytest.fixture
def member_id(terminal, plans, desk):
    """A member with a month plan from today and the mobile ``MOBILE``."""
    member_id = terminal.members.enroll(name="张三", mobile=MOBILE)
    terminal.sales.sell_plan(member_id, plans["月卡"])
    return member_id


def card_key(terminal, keyring_backend) -> bytes:
    """The branch's card key, read where the terminal keeps it (the keyring it was given)."""
    stored = keyring_backend.get_password(SERVICE, f"card-key/{terminal.identity.branch_id}")
    return base64.b64decode(stored)


def checkin_method(terminal, checkin_id):
    with terminal.engine.connect() as conn:
        return conn.execute(
            select(CHECKINS.c.method).where(CHECKINS.c.id == checkin_id)
        ).scalar_one()


# Mobiles as people type them.


@pytest.mark.parametrize(
    "typed",
    [
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "138-1234-5678",
        "+86-138-1234-5678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese IME
        "１３８　１２３４　５６７８",  # ... with ideographic spaces
        "＋８６ １３８ １２３４ ５６７８",
        "  138 1234 5678\r\n",
    ],
)
def test_a_mobile_typed_with_spaces_prefix_dashes_or_full_width_digits_checks_in(
    terminal, member_id, typed
):
    result = terminal.checkins.check_in_code(typed)

    assert result.decision.allowed
    assert result.member_id == member_id
    assert checkin_method(terminal, result.checkin_id) == CheckinMethod.MOBILE


@pytest.mark.parametrize("typed", ["8613812345678", "008613812345678"])
def test_a_mobile_spelling_that_enrolment_takes_for_the_member_checks_them_in(
    terminal, member_id, typed
):
    # Enrolment reads these digits as the member's mobile (country code 86, or the 0086
    # international prefix), so typing them at check-in must find the member too.
    with pytest.raises(MobileTaken):
        terminal.members.enroll(name="李四", mobile=typed)

    result = terminal.checkins.check_in_code(typed)

    assert result.member_id == member_id
    assert result.decision.allowed


@pytest.mark.parametrize(
    "text",
    [
        "张三",  # a name belongs in search, not in the code box
        "zhang san",
        "order-42",
        "138 1234 567",  # one digit short
        "138 1234 56789",  # one digit long
        "13812345679",  # a valid mobile nobody here has
        "+1 202 555 0143",  # a foreign number nobody here has
        "+86 10 6552 9988",  # a Beijing landline, not a mobile
        "138*1234*5678",
        "MD1",
    ],
)
def test_text_that_is_neither_a_known_mobile_nor_a_card_raises_code_unknown(
    terminal, member_id, row_counts, text
):
    before = row_counts()

    with pytest.raises(CodeUnknown):
        terminal.checkins.check_in_code(text)
    assert row_counts() == before


# QR cards.


def test_the_key_read_from_the_keyring_is_the_one_the_terminal_signs_cards_with(
    terminal, member_id, keyring_backend
):
    assert encode_card(member_id, 1, card_key(terminal, keyring_backend)) == (
        terminal.members.card_payload(member_id)
    )


def test_a_genuine_qr_card_of_a_member_unknown_here_raises_member_not_found(
    terminal, member_id, keyring_backend, row_counts
):
    payload = encode_card(new_id(), 1, card_key(terminal, keyring_backend))
    before = row_counts()

    with pytest.raises(MemberNotFound):
        terminal.checkins.check_in_code(payload)
    assert row_counts() == before


def test_a_qr_card_newer_than_any_known_card_of_the_member_is_accepted(
    terminal, member_id, keyring_backend
):
    # Reissued at another terminal; the card.issued event has not arrived. The MAC proves it.
    payload = encode_card(member_id, 7, card_key(terminal, keyring_backend))

    result = terminal.checkins.check_in_code(payload)

    assert result.decision.allowed
    assert result.member_id == member_id
    assert checkin_method(terminal, result.checkin_id) == CheckinMethod.QR


def test_a_qr_card_older_than_the_members_current_card_is_refused(
    terminal, member_id, keyring_backend, row_counts
):
    terminal.members.reissue_card(member_id)  # now version 2
    older = encode_card(member_id, 1, card_key(terminal, keyring_backend))
    before = row_counts()

    result = terminal.checkins.check_in_code(older)

    assert result.decision.reason == Denial.CARD_REVOKED
    assert row_counts() == before


# Imported card numbers.


def test_a_revoked_imported_card_number_is_refused_as_card_revoked(terminal, member_id, row_counts):
    card_id = terminal.members.attach_card(member_id, "0098765432")
    assert terminal.checkins.check_in_code("0098765432").decision.allowed
    terminal.members.revoke_card(member_id, card_id)
    before = row_counts()

    result = terminal.checkins.check_in_code("0098765432")

    assert result.decision.allowed is False
    assert result.decision.reason == Denial.CARD_REVOKED
    assert result.member_id == member_id
    assert result.checkin_id is None
    assert row_counts() == before


def test_a_card_number_passed_on_to_another_member_names_its_new_holder(terminal, member_id, plans):
    old_card = terminal.members.attach_card(member_id, "FOB-0001")
    terminal.members.revoke_card(member_id, old_card)
    other = terminal.members.enroll(name="李四")
    terminal.sales.sell_plan(other, plans["月卡"])
    terminal.members.attach_card(other, "FOB-0001")

    result = terminal.checkins.check_in_code("FOB-0001")

    assert result.decision.allowed
    assert result.member_id == other


def test_revoking_another_members_card_raises_card_not_found_and_writes_nothing(
    terminal, member_id, row_counts
):
    other = terminal.members.enroll(name="李四")
    others_card = terminal.members.attach_card(other, "0011112222")
    before = row_counts()

    with pytest.raises(CardNotFound):
        terminal.members.revoke_card(member_id, others_card)
    with pytest.raises(CardNotFound):
        terminal.members.revoke_card(member_id, new_id())
    assert row_counts() == before
    assert [c.revoked for c in terminal.members.cards(other) if c.id == others_card] == [False]


# Staff at a shared desk.


@pytest.mark.parametrize("chosen", [False, True], ids=["pin-alone", "chosen-staff"])
def test_a_failed_pin_login_logs_out_whoever_was_logged_in(
    terminal, member_id, staff_logins, login_as, chosen
):
    login_as(Role.MANAGER)
    staff_id = staff_logins[Role.MANAGER].staff_id if chosen else None

    with pytest.raises(PinInvalid):
        terminal.staff.login("0000", staff_id=staff_id)

    assert terminal.staff.current is None
    with pytest.raises(NotLoggedIn):
        terminal.checkins.check_in_code(MOBILE)
