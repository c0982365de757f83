"""Enrolling and editing members, and their cards."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest

from desktop.keystore import SERVICE
from desktop.services.search import MatchKind
from desktop.store.settings_store import read_settings
from shared.card import parse_card
from shared.errors import (
    BirthdayInFuture,
    CodeUnknown,
    GenderInvalid,
    MemberNotFound,
    MobileInvalid,
    MobileTaken,
    NameEmpty,
    NameTooLong,
    NotLoggedIn,
    ValidationError,
)
from shared.ids import new_id
from shared.kinds import Gender, Role
from shared.rules.checkin import Denial, local_date


@pytest.fixture
def desk(login_as):
    return login_as(Role.FRONT_DESK)


def today(terminal, clock):
    return local_date(clock.now(), terminal.branch_tz)


def next_member_no(terminal):
    with terminal.engine.connect() as conn:
        return read_settings(conn).get("next_member_no")


# Enrolling.


def test_an_enrolled_member_has_a_profile_and_an_empty_status(terminal, desk, clock):
    member_id = terminal.members.enroll(
        name="  张  三 ",
        mobile="+86 138 0013 8000",
        gender=Gender.MALE,
        birthday=date(1990, 5, 17),
        tags=("瑜伽", " 瑜伽 ", "私教"),
        marketing_consent=True,
    )

    profile = terminal.members.profile(member_id)
    assert profile.id == member_id
    assert profile.member_no == "T1000001"
    assert profile.name == "张 三"
    assert profile.mobile == "13800138000"
    assert profile.gender == Gender.MALE
    assert profile.birthday == date(1990, 5, 17)
    assert profile.tags == ("瑜伽", "私教")
    assert profile.tier == "standard"
    assert profile.marketing_consent is True
    assert profile.enrolled_at == clock.now()

    status = terminal.members.status(member_id)
    assert status.profile == profile
    assert status.memberships == ()
    assert status.balances.points == 0
    assert status.balances.stored_value_fen == 0
    assert status.last_checkin_at is None
    assert terminal.members.count() == 1


def test_an_enrolled_member_gets_a_qr_card_that_names_them(terminal, desk):
    member_id = terminal.members.enroll(name="李四")

    [card] = terminal.members.cards(member_id)
    assert (card.kind, card.number, card.version, card.revoked) == ("qr", "T1000001", 1, False)
    payload = terminal.members.card_payload(member_id)
    assert terminal.checkins.check_in_code(payload).member_id == member_id


def test_member_numbers_count_up_per_terminal(terminal, desk):
    numbers = [
        terminal.members.profile(terminal.members.enroll(name=name)).member_no
        for name in ("甲", "乙", "丙")
    ]

    assert numbers == ["T1000001", "T1000002", "T1000003"]


def test_enrolling_needs_a_logged_in_staff_member(terminal, row_counts):
    before = row_counts()

    with pytest.raises(NotLoggedIn):
        terminal.members.enroll(name="张三")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, NameEmpty),
        ({"name": " \t\u3000 "}, NameEmpty),
        ({"name": "张" * 51}, NameTooLong),
        ({"name": "张三", "mobile": "12345"}, MobileInvalid),
        ({"name": "张三", "mobile": "1380013800"}, MobileInvalid),  # 10 digits
        ({"name": "张三", "mobile": "010 6552 9988"}, MobileInvalid),  # a Beijing landline
        ({"name": "张三", "mobile": "not a number"}, MobileInvalid),
        ({"name": "张三", "gender": "robot"}, GenderInvalid),
    ],
    ids=[
        "empty-name",
        "blank-name",
        "long-name",
        "short-mobile",
        "ten-digit-mobile",
        "landline",
        "words-for-mobile",
        "unknown-gender",
    ],
)
def test_bad_input_raises_its_own_error_and_writes_nothing(
    terminal, desk, row_counts, fields, error
):
    before = row_counts()

    with pytest.raises(error):
        terminal.members.enroll(**fields)
    assert row_counts() == before


def test_a_birthday_in_the_future_is_refused(terminal, desk, clock, row_counts):
    before = row_counts()

    with pytest.raises(BirthdayInFuture):
        terminal.members.enroll(name="张三", birthday=today(terminal, clock) + timedelta(days=1))
    assert row_counts() == before


def test_a_birthday_today_is_accepted(terminal, desk, clock):
    member_id = terminal.members.enroll(name="张三", birthday=today(terminal, clock))

    assert terminal.members.profile(member_id).birthday == today(terminal, clock)


def test_a_mobile_already_used_is_refused_and_uses_no_member_number(terminal, desk, row_counts):
    terminal.members.enroll(name="张三", mobile="13800138000")
    before = row_counts()
    number_before = next_member_no(terminal)

    with pytest.raises(MobileTaken) as raised:
        terminal.members.enroll(name="李四", mobile="138-0013-8000")
    assert raised.value.params["member_no"] == "T1000001"
    assert row_counts() == before
    assert next_member_no(terminal) == number_before
    assert terminal.members.profile(terminal.members.enroll(name="李四")).member_no == "T1000002"


def test_members_without_a_mobile_do_not_clash(terminal, desk):
    terminal.members.enroll(name="张三", mobile=None)
    terminal.members.enroll(name="李四", mobile="  ")

    assert terminal.members.count() == 2


# Editing.


def test_update_changes_fields_and_keeps_the_others(terminal, desk):
    member_id = terminal.members.enroll(name="张三", mobile="13800138000", tags=("瑜伽",))

    terminal.members.update(
        member_id,
        gender=Gender.FEMALE,
        birthday=date(1988, 2, 29),
        tags=["游泳", "游泳"],
        marketing_consent=True,
    )

    profile = terminal.members.profile(member_id)
    assert profile.name == "张三"
    assert profile.mobile == "13800138000"
    assert profile.gender == Gender.FEMALE
    assert profile.birthday == date(1988, 2, 29)
    assert profile.tags == ("游泳",)
    assert profile.marketing_consent is True


def test_update_of_the_name_changes_what_search_finds(terminal, desk):
    member_id = terminal.members.enroll(name="张三")

    terminal.members.update(member_id, name="李小龙")

    assert terminal.members.profile(member_id).name == "李小龙"
    for query, match in [
        ("lixiaolong", MatchKind.PINYIN),
        ("lxl", MatchKind.INITIALS),
        ("小龙", MatchKind.NAME),
        ("李", MatchKind.NAME),
    ]:
        hits = terminal.search(query)
        assert [(h.member_id, h.match) for h in hits] == [(member_id, match)], query
    for old in ("张三", "张", "zhangsan", "zs"):
        assert terminal.search(old) == [], old


def test_update_of_the_mobile_changes_what_search_and_checkin_find(terminal, desk):
    member_id = terminal.members.enroll(name="张三", mobile="13800138000")

    terminal.members.update(member_id, mobile="139 0013 9001")

    assert terminal.members.profile(member_id).mobile == "13900139001"
    assert [h.member_id for h in terminal.search("9001")] == [member_id]
    assert terminal.search("8000") == []
    assert terminal.checkins.check_in_code("13900139001").member_id == member_id
    with pytest.raises(CodeUnknown):
        terminal.checkins.check_in_code("13800138000")


def test_update_may_clear_the_mobile(terminal, desk):
    member_id = terminal.members.enroll(name="张三", mobile="13800138000")

    terminal.members.update(member_id, mobile="")

    assert terminal.members.profile(member_id).mobile is None
    assert terminal.search("8000") == []


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": "  "}, NameEmpty),
        ({"mobile": "12345"}, MobileInvalid),
        ({"no_such_field": 1}, ValidationError),
        ({"gender": "robot"}, GenderInvalid),
    ],
    ids=["empty-name", "bad-mobile", "unknown-field", "unknown-gender"],
)
def test_update_with_bad_input_raises_its_own_error_and_writes_nothing(
    terminal, desk, row_counts, changes, error
):
    member_id = terminal.members.enroll(name="张三")
    before = row_counts()

    with pytest.raises(error):
        terminal.members.update(member_id, **changes)
    assert row_counts() == before
    assert terminal.members.profile(member_id).name == "张三"


def test_an_update_without_changes_writes_nothing_and_raises_no_untyped_error(
    terminal, desk, row_counts
):
    member_id = terminal.members.enroll(name="张三")
    before = row_counts()

    try:
        terminal.members.update(member_id)
    except ValidationError:
        pass  # refusing is as fine as doing nothing; a raw pydantic error is not
    assert row_counts() == before


def test_update_to_a_birthday_in_the_future_is_refused(terminal, desk, clock, row_counts):
    member_id = terminal.members.enroll(name="张三")
    before = row_counts()

    with pytest.raises(BirthdayInFuture):
        terminal.members.update(member_id, birthday=today(terminal, clock) + timedelta(days=1))
    assert row_counts() == before


def test_update_to_another_members_mobile_is_refused(terminal, desk, row_counts):
    terminal.members.enroll(name="张三", mobile="13800138000")
    other = terminal.members.enroll(name="李四", mobile="13900139001")
    before = row_counts()

    with pytest.raises(MobileTaken):
        terminal.members.update(other, mobile="13800138000")
    assert row_counts() == before


def test_update_to_the_members_own_mobile_is_allowed(terminal, desk):
    member_id = terminal.members.enroll(name="张三", mobile="13800138000")

    terminal.members.update(member_id, mobile="13800138000", name="张三丰")

    assert terminal.members.profile(member_id).name == "张三丰"


def test_an_unknown_member_cannot_be_read_or_updated(terminal, desk, row_counts):
    unknown = new_id()
    before = row_counts()

    with pytest.raises(MemberNotFound):
        terminal.members.profile(unknown)
    with pytest.raises(MemberNotFound):
        terminal.members.status(unknown)
    with pytest.raises(MemberNotFound):
        terminal.members.update(unknown, name="张三")
    with pytest.raises(MemberNotFound):
        terminal.members.card_payload(unknown)
    with pytest.raises(MemberNotFound):
        terminal.members.reissue_card(unknown)
    with pytest.raises(MemberNotFound):
        terminal.members.attach_card(unknown, "0012345678")
    assert row_counts() == before


# Cards.


def test_reissuing_a_card_revokes_the_old_one_and_the_new_payload_works(terminal, desk):
    member_id = terminal.members.enroll(name="张三")
    old = terminal.members.card_payload(member_id)

    new = terminal.members.reissue_card(member_id)

    assert new != old
    assert terminal.members.card_payload(member_id) == new
    cards = terminal.members.cards(member_id)
    assert [(c.version, c.revoked) for c in cards] == [(1, True), (2, False)]
    assert {c.number for c in cards} == {"T1000001"}
    assert terminal.checkins.check_in_code(new).member_id == member_id
    refused = terminal.checkins.check_in_code(old)
    assert refused.decision.reason == Denial.CARD_REVOKED


def test_reissuing_twice_leaves_only_the_newest_card_live(terminal, desk):
    member_id = terminal.members.enroll(name="张三")
    terminal.members.reissue_card(member_id)

    newest = terminal.members.reissue_card(member_id)

    cards = terminal.members.cards(member_id)
    assert [(c.version, c.revoked) for c in cards] == [(1, True), (2, True), (3, False)]
    assert terminal.members.card_payload(member_id) == newest


def test_a_reissued_payload_carries_the_new_version(terminal, desk, keyring_backend):
    member_id = terminal.members.enroll(name="张三")
    payload = terminal.members.reissue_card(member_id)
    key = keyring_backend.get_password(SERVICE, f"card-key/{terminal.identity.branch_id}")

    claim = parse_card(payload, base64.b64decode(key))
    assert (claim.member_id, claim.version) == (member_id, 2)


def test_attaching_an_imported_card_links_its_number(terminal, desk):
    member_id = terminal.members.enroll(name="张三")

    card_id = terminal.members.attach_card(member_id, "  0012345678 ")

    imported = [c for c in terminal.members.cards(member_id) if c.kind == "imported"]
    assert [(c.id, c.number, c.revoked) for c in imported] == [(card_id, "0012345678", False)]
    assert terminal.checkins.check_in_code("0012345678").member_id == member_id
    # The QR card is untouched.
    qr = terminal.checkins.check_in_code(terminal.members.card_payload(member_id))
    assert qr.member_id == member_id


@pytest.mark.parametrize("number", ["", "   ", "9" * 65])
def test_attaching_an_empty_or_overlong_card_number_is_refused(terminal, desk, row_counts, number):
    member_id = terminal.members.enroll(name="张三")
    before = row_counts()

    with pytest.raises(ValidationError):
        terminal.members.attach_card(member_id, number)
    assert row_counts() == before


def test_a_member_whose_qr_cards_are_all_revoked_has_no_card_to_print(terminal, login_as):
    from shared.errors import CardNotFound

    login_as(Role.FRONT_DESK)
    member_id = terminal.members.enroll(name="钱七")
    [card] = terminal.members.cards(member_id)
    terminal.members.revoke_card(member_id, card.id)

    with pytest.raises(CardNotFound):
        terminal.members.card_payload(member_id)
