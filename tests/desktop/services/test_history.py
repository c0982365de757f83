"""A member's history: check-ins, ledger and orders, newest first, paged by (at, id)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from desktop.services.history import CheckinView, Cursor, LedgerView, OrderView
from shared.errors import NotLoggedIn, ValidationError
from shared.events.projectors import CHECKINS, LEDGER, ORDERS
from shared.ids import new_id
from shared.kinds import Account, CheckinMethod, PaymentMethod, Role
from tests.desktop.services.peers import peer_event, receive

Paged = TypeVar("Paged", CheckinView, LedgerView, OrderView)

MOBILE = "13800138000"


def all_pages(fetch: Callable[..., Sequence[Paged]], limit: int) -> list[Paged]:
    """Every item, following the cursors page by page; also checks each page's size."""
    items: list[Paged] = []
    before: Cursor | None = None
    for _ in range(100):  # a cursor that does not move must fail the test, not hang it
        page = fetch(limit=limit, before=before)
        assert len(page) <= limit
        items.extend(page)
        if len(page) < limit:
            return items
        before = page[-1].cursor
    raise AssertionError(f"still paging after 100 pages: {[x.id for x in items[-3:]]}")


def newest_first(items: Sequence[Paged]) -> list[Paged]:
    return sorted(items, key=lambda x: (x.at, x.id), reverse=True)


@pytest.fixture
def member(terminal, plans, login_as, clock):
    """张三 with a 10次卡 and a 月卡 bought at two times, six check-ins (one undone, two
    more synced from another terminal at the very same instants as two of ours)."""
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="张三", mobile=MOBILE)
    terminal.sales.sell_plan(member_id, plans["10次卡"], payment_method=PaymentMethod.WECHAT)
    clock.advance(minutes=10)
    terminal.sales.sell_plan(member_id, plans["月卡"])
    checkins = []
    for _ in range(6):
        clock.advance(minutes=61)
        checkins.append(terminal.checkins.check_in_member(member_id).checkin_id)
    login_as(Role.MANAGER)
    terminal.checkins.undo(checkins[-1], reason="扫错人")
    with terminal.engine.connect() as conn:
        ats = conn.execute(
            select(CHECKINS.c.at).where(CHECKINS.c.id.in_(checkins[:2])).order_by(CHECKINS.c.at)
        ).scalars()
        peers = [
            peer_event(
                "checkin.recorded",
                {"checkin_id": new_id(), "member_id": member_id, "method": "card"},
                at,
                branch_id=terminal.identity.branch_id,
            )
            for at in ats
        ]
    receive(terminal, *peers)
    login_as(Role.FRONT_DESK)
    return member_id


# Check-ins.


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 8, 50])
def test_checkin_pages_hold_every_checkin_exactly_once_newest_first(terminal, member, limit):
    with terminal.engine.connect() as conn:
        stored = set(conn.execute(select(CHECKINS.c.id)).scalars())
    assert len(stored) == 8

    seen = all_pages(lambda **kw: terminal.history.checkins(member, **kw), limit)

    assert [c.id for c in seen] == [c.id for c in newest_first(seen)]
    assert len(seen) == len({c.id for c in seen}) == 8
    assert {c.id for c in seen} == stored
    # Two pairs of check-ins share an instant: only the id tells them apart.
    assert len({c.at for c in seen}) == 6


def test_checkin_history_flags_the_undone_one_and_names_plan_staff_and_member(
    terminal, member, staff_logins
):
    newest, *older = terminal.history.checkins(member)

    assert newest.undone
    assert (newest.undone_by, newest.undo_reason) == (staff_logins[Role.MANAGER].name, "扫错人")
    assert not any(c.undone for c in older)
    assert {c.member_name for c in older} == {"张三"}
    assert newest.member_no == terminal.members.profile(member).member_no
    ours = [c for c in older if c.method == CheckinMethod.SEARCH]
    assert {c.plan_name for c in ours} == {"月卡"}  # a time plan comes before a 次卡
    assert {c.staff_name for c in ours} == {staff_logins[Role.CASHIER].name}
    peers = [c for c in older if c.method == CheckinMethod.CARD]
    assert len(peers) == 2
    assert {(c.plan_name, c.staff_name, c.used_visit) for c in peers} == {(None, "", False)}


def test_a_plain_datetime_gives_the_checkins_strictly_before_it(terminal, member):
    everything = terminal.history.checkins(member)
    third_at = everything[2].at

    before = terminal.history.checkins(member, before=third_at)

    assert [c.id for c in before] == [c.id for c in everything if c.at < third_at]


def test_a_checkin_synced_between_two_pages_neither_repeats_nor_hides_one(terminal, member, clock):
    first = terminal.history.checkins(member, limit=3)
    receive(
        terminal,
        peer_event(
            "checkin.recorded",
            {"checkin_id": new_id(), "member_id": member, "method": "qr"},
            first[1].at - timedelta(seconds=1),  # inside the first page's span
            branch_id=terminal.identity.branch_id,
        ),
    )

    rest = all_pages(lambda **kw: terminal.history.checkins(member, **kw), 3)
    second = terminal.history.checkins(member, limit=50, before=first[-1].cursor)

    assert {c.id for c in first}.isdisjoint(c.id for c in second)
    assert len(rest) == 9


def test_another_members_checkins_are_not_in_the_history(terminal, member, login_as, plans):
    login_as(Role.CASHIER)
    other = terminal.members.enroll(name="李四")
    terminal.sales.sell_plan(other, plans["月卡"])
    terminal.checkins.check_in_member(other)

    assert {c.member_id for c in terminal.history.checkins(member)} == {member}
    assert len(terminal.history.checkins(other)) == 1


# Ledger.


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
def test_ledger_pages_hold_every_entry_exactly_once_newest_first(terminal, member, limit):
    with terminal.engine.connect() as conn:
        stored = set(
            conn.execute(select(LEDGER.c.id).where(LEDGER.c.member_id == member)).scalars()
        )

    seen = all_pages(lambda **kw: terminal.history.ledger(member, **kw), limit)

    assert [e.id for e in seen] == [e.id for e in newest_first(seen)]
    assert len(seen) == len({e.id for e in seen})
    assert {e.id for e in seen} == stored


def test_ledger_shows_reasons_plans_and_running_balances(terminal, member):
    visits = terminal.history.ledger(member, account=Account.VISITS)
    points = terminal.history.ledger(member, account=Account.POINTS)

    # The 月卡 admitted every time, so the 次卡 kept its ten visits.
    assert [(e.reason, e.amount, e.balance_after, e.plan_name) for e in visits] == [
        ("purchase", 10, 10, "10次卡")
    ]
    assert [e.reason for e in points] == ["earn", "earn"]
    assert all(e.account == Account.POINTS and e.plan_name is None for e in points)
    newest, oldest = points
    assert oldest.balance_after == oldest.amount
    assert newest.balance_after == oldest.amount + newest.amount
    assert newest.balance_after == terminal.members.status(member).balances.points
    orders = terminal.history.orders(member)
    assert [e.order_id for e in points] == [o.id for o in orders]


def test_ledger_of_a_visits_card_shows_each_use_and_undo_with_what_was_left(
    terminal, plans, login_as, clock
):
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="王五")
    terminal.sales.sell_plan(member_id, plans["10次卡"])
    for _ in range(2):
        clock.advance(minutes=61)
        terminal.checkins.check_in_member(member_id)
    clock.advance(minutes=61)
    last = terminal.checkins.check_in_member(member_id)
    login_as(Role.MANAGER)
    clock.advance(minutes=1)
    terminal.checkins.undo(last.checkin_id)

    entries = terminal.history.ledger(member_id, account=Account.VISITS)

    assert [(e.reason, e.amount, e.balance_after) for e in reversed(entries)] == [
        ("purchase", 10, 10),
        ("checkin", -1, 9),
        ("checkin", -1, 8),
        ("checkin", -1, 7),
        ("checkin_undone", 1, 8),
    ]
    assert {e.plan_name for e in entries} == {"10次卡"}
    assert {e.membership_id for e in entries} == {last.decision.membership_id}
    [card] = terminal.members.status(member_id).memberships
    assert card.state.visits_left == entries[0].balance_after


def test_each_visits_card_keeps_its_own_running_balance(terminal, plans, login_as, clock):
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="王五")
    terminal.sales.sell_plan(member_id, plans["10次卡"])
    clock.advance(minutes=1)
    terminal.sales.sell_plan(member_id, plans["体验卡"])
    clock.advance(minutes=1)
    terminal.checkins.check_in_member(member_id)  # the 10次卡: it ends sooner

    entries = terminal.history.ledger(member_id, account=Account.VISITS)

    assert [(e.plan_name, e.amount, e.balance_after) for e in entries] == [
        ("10次卡", -1, 9),
        ("体验卡", 1, 1),
        ("10次卡", 10, 10),
    ]


def test_a_ledger_page_can_be_asked_for_with_a_plain_datetime(terminal, member, clock):
    everything = terminal.history.ledger(member)
    middle = everything[len(everything) // 2].at

    assert [e.id for e in terminal.history.ledger(member, before=middle)] == [
        e.id for e in everything if e.at < middle
    ]


# Orders.


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_order_pages_hold_every_order_exactly_once_newest_first(
    terminal, member, plans, login_as, clock, limit
):
    login_as(Role.CASHIER)
    terminal.sales.sell_plan(member, plans["储值1000送100"])
    with terminal.engine.connect() as conn:
        at = conn.execute(select(ORDERS.c.at).limit(1)).scalar_one()
    # A sale at another terminal at the very instant of one of ours.
    receive(terminal, peer_event("order.placed", _peer_order(member), at, branch_id=new_id()))

    seen = all_pages(lambda **kw: terminal.history.orders(member, **kw), limit)

    assert [o.id for o in seen] == [o.id for o in newest_first(seen)]
    assert len(seen) == len({o.id for o in seen}) == 4


def test_orders_come_with_their_lines_payments_and_seller(terminal, member, staff_logins):
    newer, older = terminal.history.orders(member)

    assert older.summary == "10次卡"
    assert newer.summary == "月卡"
    assert (older.total_fen, newer.total_fen) == (50_000, 29_900)
    [line] = older.lines
    assert (line.kind, line.quantity, line.unit_price_fen, line.amount_fen) == (
        "plan",
        1,
        50_000,
        50_000,
    )
    assert [(p.method, p.amount_fen) for p in older.payments] == [(PaymentMethod.WECHAT, 50_000)]
    assert [(p.method, p.amount_fen) for p in newer.payments] == [(PaymentMethod.CASH, 29_900)]
    assert {older.staff_name, newer.staff_name} == {staff_logins[Role.CASHIER].name}
    assert older.branch_id == terminal.identity.branch_id


def test_an_order_of_several_lines_is_summed_up_in_one_text(terminal, member, clock):
    receive(
        terminal,
        peer_event("order.placed", _peer_order(member), clock.now(), branch_id=new_id()),
    )

    newest = terminal.history.orders(member, limit=1)[0]

    assert newest.summary == "矿泉水 ×2, 毛巾"
    assert [p.method for p in newest.payments] == [PaymentMethod.CASH, PaymentMethod.ALIPAY]
    assert newest.staff_name == ""  # that terminal's staff has not synced here


def _peer_order(member_id: str) -> dict[str, Any]:
    return {
        "order_id": new_id(),
        "member_id": member_id,
        "total_fen": 1_100,
        "lines": [
            {
                "line_id": new_id(),
                "kind": "product",
                "description": "矿泉水",
                "quantity": 2,
                "unit_price_fen": 300,
                "amount_fen": 600,
            },
            {
                "line_id": new_id(),
                "kind": "product",
                "description": "毛巾",
                "quantity": 1,
                "unit_price_fen": 500,
                "amount_fen": 500,
            },
        ],
        "payments": [
            {"payment_id": new_id(), "method": "cash", "amount_fen": 600},
            {"payment_id": new_id(), "method": "alipay", "amount_fen": 500},
        ],
    }


# Asking.


def test_history_needs_a_logged_in_staff_member(terminal, member):
    terminal.staff.logout()

    for read in (terminal.history.checkins, terminal.history.ledger, terminal.history.orders):
        with pytest.raises(NotLoggedIn):
            read(member)


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_a_page_size_out_of_range_is_refused(terminal, member, limit):
    for read in (terminal.history.checkins, terminal.history.ledger, terminal.history.orders):
        with pytest.raises(ValidationError):
            read(member, limit=limit)


def test_a_naive_datetime_is_refused(terminal, member, clock):
    naive = clock.now().replace(tzinfo=None)

    with pytest.raises(ValidationError):
        terminal.history.checkins(member, before=naive)
    with pytest.raises(ValidationError):
        terminal.history.ledger(member, before=Cursor(naive, new_id()))


def test_an_unknown_member_has_no_history(terminal, member):
    assert terminal.history.checkins(new_id()) == []
    assert terminal.history.ledger(new_id()) == []
    assert terminal.history.orders(new_id()) == []
