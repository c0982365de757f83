"""The member list: keyset pages over the member numbers, and the rows of search hits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.services.members import MemberRow
from shared.errors import ValidationError
from shared.ids import new_id
from shared.kinds import Role
from tests.desktop.services.peers import peer_event, receive


@pytest.fixture
def cashier(login_as):
    return login_as(Role.CASHIER)  # enrols, and sells (which earns points)


def enroll(terminal, n):
    """``n`` members; their ids in member-number order."""
    return [terminal.members.enroll(name=f"会员{i}", mobile=f"139{i:08d}") for i in range(n)]


def test_page_keys_count_the_members_and_start_every_page(terminal, cashier):
    ids = enroll(terminal, 25)

    count, keys = terminal.members.list_page_keys(10)

    assert count == 25
    assert [no for no, _rowid in keys] == ["T1000001", "T1000011", "T1000021"]
    assert [len(terminal.members.list_page(key, 10)) for key in keys] == [10, 10, 5]
    rows = [r for key in keys for r in terminal.members.list_page(key, 10)]
    assert [r.member_id for r in rows] == ids


def test_an_empty_list_has_no_pages(terminal, cashier):
    assert terminal.members.list_page_keys(10) == (0, [])


def test_a_page_size_below_one_is_refused(terminal, cashier):
    with pytest.raises(ValidationError):
        terminal.members.list_page_keys(0)


def test_a_row_holds_what_the_table_shows(terminal, cashier, plans, clock):
    clock.advance(hours=15)  # 01:00 the next day in Shanghai, still the 15th in UTC
    member_id = terminal.members.enroll(name="王小明", mobile="13800138000")
    terminal.sales.sell_plan(member_id, plans["月卡"])
    points = terminal.members.status(member_id).balances.points
    assert points > 0

    [key] = terminal.members.list_page_keys(10)[1]
    [row] = terminal.members.list_page(key, 10)

    local_day = (clock.now() + timedelta(hours=8)).date()
    assert local_day != clock.now().date()
    assert row == MemberRow(
        member_id=member_id,
        member_no="T1000001",
        name="王小明",
        mobile="13800138000",
        tier="standard",
        points=points,
        enrolled_on=local_day,
    )


def test_a_member_known_only_from_an_update_is_not_listed(terminal, cashier, clock):
    enroll(terminal, 2)
    stranger = new_id()
    receive(
        terminal,
        peer_event(
            "member.updated",
            {"member_id": stranger, "changes": {"name": "未到"}},
            clock.now(),
            branch_id=terminal.identity.branch_id,
        ),
    )

    count, keys = terminal.members.list_page_keys(10)

    assert count == 2
    assert stranger not in {r.member_id for r in terminal.members.list_page(keys[0], 10)}
    assert terminal.members.list_rows([stranger]) == []


def test_rows_of_search_hits_keep_the_hits_order_and_skip_unknown_ids(terminal, cashier):
    first, second, third = enroll(terminal, 3)

    rows = terminal.members.list_rows([third, new_id(), first])

    assert [r.member_id for r in rows] == [third, first]
    assert [r.member_no for r in rows] == ["T1000003", "T1000001"]
    assert terminal.members.list_rows([]) == []
