"""Member search the way a Chinese front desk types: 张, 小明, zhangsan, zs, 8000, T1000001."""

from __future__ import annotations

import pytest

from desktop.services.search import MatchKind, query_kind
from shared.events.payloads import MemberUpdated
from shared.ids import new_id
from shared.kinds import Role

MEMBERS = (
    # name, mobile
    ("张三", "13800138000"),
    ("张小明", "13900139001"),
    ("小明辉", "13700137002"),
    ("王小明", "13600136003"),
    ("小张", "18600186004"),
    ("李四", "15000158000"),  # same last four digits as 张三
)


@pytest.fixture
def members(terminal, login_as):
    """Name -> member id; member numbers T1000001... in the order of MEMBERS."""
    login_as(Role.FRONT_DESK)
    return {name: terminal.members.enroll(name=name, mobile=mobile) for name, mobile in MEMBERS}


def found(terminal, query, limit=20):
    return [(hit.name, hit.match) for hit in terminal.search(query, limit)]


def test_a_surname_finds_every_member_whose_name_starts_with_it_first(terminal, members):
    assert found(terminal, "张") == [
        ("张三", MatchKind.NAME),
        ("张小明", MatchKind.NAME),
        ("小张", MatchKind.NAME),  # contains 张, after those that start with it
    ]


def test_a_given_name_finds_it_in_the_middle_of_a_name(terminal, members):
    assert found(terminal, "小明") == [
        ("小明辉", MatchKind.NAME),  # starts with 小明
        ("张小明", MatchKind.NAME),
        ("王小明", MatchKind.NAME),
    ]


def test_a_full_name_finds_that_member_first(terminal, members):
    assert found(terminal, "张小明")[0] == ("张小明", MatchKind.NAME)
    assert found(terminal, "王小明") == [("王小明", MatchKind.NAME)]


def test_full_pinyin_finds_the_member(terminal, members):
    assert found(terminal, "zhangsan") == [("张三", MatchKind.PINYIN)]


def test_the_start_of_the_pinyin_finds_every_member_it_begins(terminal, members):
    assert found(terminal, "zhang") == [("张三", MatchKind.PINYIN), ("张小明", MatchKind.PINYIN)]


def test_pinyin_initials_find_the_member(terminal, members):
    assert found(terminal, "zs") == [("张三", MatchKind.INITIALS)]
    assert found(terminal, "zxm") == [("张小明", MatchKind.INITIALS)]
    assert found(terminal, "xm") == [("小明辉", MatchKind.INITIALS)]


def test_pinyin_may_be_typed_in_capitals_or_full_width(terminal, members):
    assert found(terminal, "ZhangSan") == [("张三", MatchKind.PINYIN)]
    assert found(terminal, "ｚｓ") == [("张三", MatchKind.INITIALS)]


def test_a_full_mobile_number_finds_its_member(terminal, members):
    assert found(terminal, "13900139001") == [("张小明", MatchKind.MOBILE)]


def test_the_start_of_a_mobile_number_finds_its_member(terminal, members):
    assert found(terminal, "1390013") == [("张小明", MatchKind.MOBILE)]


def test_the_last_four_digits_of_a_mobile_find_every_member_ending_so(terminal, members):
    assert found(terminal, "9001") == [("张小明", MatchKind.MOBILE)]
    assert sorted(found(terminal, "8000")) == [
        ("张三", MatchKind.MOBILE),
        ("李四", MatchKind.MOBILE),
    ]


def test_a_member_number_finds_its_member_in_any_case(terminal, members):
    assert found(terminal, "T1000002") == [("张小明", MatchKind.NUMBER)]
    assert found(terminal, "t1000002") == [("张小明", MatchKind.NUMBER)]


def test_an_imported_card_number_finds_its_member(terminal, members):
    terminal.members.attach_card(members["王小明"], "88001234")
    terminal.members.attach_card(members["李四"], "VIP-0042")

    assert found(terminal, "88001234") == [("王小明", MatchKind.NUMBER)]
    assert found(terminal, "VIP-0042") == [("李四", MatchKind.NUMBER)]
    assert found(terminal, "vip-0042") == [("李四", MatchKind.NUMBER)]


def test_a_revoked_imported_card_number_finds_nobody(terminal, members):
    card_id = terminal.members.attach_card(members["王小明"], "88001234")
    terminal.members.revoke_card(members["王小明"], card_id)

    assert found(terminal, "88001234") == []


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_an_empty_query_finds_nothing(terminal, members, query):
    assert terminal.search(query) == []


def test_a_query_matching_nobody_finds_nothing(terminal, members):
    assert terminal.search("赵") == []
    assert terminal.search("qq") == []
    assert terminal.search("5555") == []


def test_the_limit_caps_the_hits_keeping_the_best_first(terminal, members):
    assert found(terminal, "张", limit=1) == [("张三", MatchKind.NAME)]
    assert found(terminal, "小明", limit=2) == [
        ("小明辉", MatchKind.NAME),
        ("张小明", MatchKind.NAME),
    ]
    assert terminal.search("张", limit=0) == []


def test_hits_carry_what_the_desk_shows(terminal, members):
    [hit] = terminal.search("zhangsan")

    assert hit.member_id == members["张三"]
    assert hit.member_no == "T1000001"
    assert hit.mobile == "13800138000"
    assert hit.tier == "standard"


def test_a_member_known_only_from_an_update_is_not_listed(terminal, members, staff_logins):
    # Another terminal's edit arrived before the enrollment itself: no member number yet.
    with terminal.recorder.transaction() as tx:
        tx.record(
            "member.updated",
            MemberUpdated(member_id=new_id(), changes={"name": "张未到"}),
            actor_id=staff_logins[Role.ADMIN].staff_id,
        )

    assert [name for name, _ in found(terminal, "张")] == ["张三", "张小明", "小张"]
    assert found(terminal, "zhangweidao") == []


@pytest.mark.parametrize(
    ("query", "kind"),
    [("5678", "mobile_tail"), ("13800138000", "digits"), ("zs", "pinyin"), ("张", "name")],
)
def test_query_kind_names_the_kind_of_query(query, kind):
    assert query_kind(query) == kind
