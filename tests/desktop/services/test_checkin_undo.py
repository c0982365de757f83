"""A manager takes back a mistaken check-in: an event, never a delete, for five minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from desktop.services.checkin import UNDO_WINDOW_MINUTES
from desktop.services.context import StaffSession
from desktop.terminal import Terminal
from shared.errors import (
    CheckinAlreadyUndone,
    CheckinNotFound,
    CheckinUndoExpired,
    NotLoggedIn,
    PermissionDenied,
    ValidationError,
)
from shared.events import EventEnvelope, apply_events, load_events
from shared.events.projectors import CHECKIN_UNDOS, CHECKINS, LEDGER
from shared.ids import new_id
from shared.kinds import Account, Role
from shared.model import PROJECTION_TABLES, Base, Event
from shared.rules.checkin import Denial
from tests.desktop.services.peers import peer_event, receive
from tests.shared.events.conftest import canonical

MOBILE = "13800138000"


def enroll_with_plan(
    terminal: Terminal,
    plans: dict[str, str],
    login_as: Callable[[Role], StaffSession],
    plan_name: str = "10次卡",
) -> tuple[str, str]:
    """A member with a plan, checked in by the front desk; returns (member id, check-in id)."""
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="张三", mobile=MOBILE)
    terminal.sales.sell_plan(member_id, plans[plan_name])
    login_as(Role.FRONT_DESK)
    result = terminal.checkins.check_in_member(member_id)
    assert result.decision.allowed
    assert result.checkin_id is not None
    return member_id, result.checkin_id


def visits_left(terminal: Terminal, member_id: str) -> int | None:
    [membership] = terminal.members.status(member_id).memberships
    return membership.state.visits_left


def undo_rows(terminal: Terminal) -> list[dict[str, Any]]:
    with terminal.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(CHECKIN_UNDOS))]


def counts_with_undos(
    terminal: Terminal, row_counts: Callable[[], dict[str, int]]
) -> dict[str, int]:
    with terminal.engine.connect() as conn:
        undos = conn.execute(select(func.count()).select_from(CHECKIN_UNDOS)).scalar_one()
    return {**row_counts(), "checkin_undos": undos}


@pytest.fixture
def checked_in(terminal, plans, login_as):
    return enroll_with_plan(terminal, plans, login_as)


# The undo.


def test_a_manager_undoes_a_checkin_within_five_minutes(
    terminal, checked_in, login_as, clock, staff_logins
):
    member_id, checkin_id = checked_in
    assert visits_left(terminal, member_id) == 9
    manager = login_as(Role.MANAGER)
    checked_in_at = clock.now()
    clock.advance(minutes=3)

    terminal.checkins.undo(checkin_id, reason="  扫错人了 ")

    with terminal.engine.connect() as conn:
        [event] = load_events(conn, where=Event.type == "checkin.undone")
        [visit_back] = conn.execute(select(LEDGER).where(LEDGER.c.reason == "checkin_undone")).all()
        checkin = conn.execute(select(CHECKINS).where(CHECKINS.c.id == checkin_id)).one()
    assert event.actor_id == manager.staff_id
    assert event.payload["checkin_id"] == checkin_id
    assert event.payload["member_id"] == member_id
    assert event.payload["reason"] == "扫错人了"
    assert undo_rows(terminal) == [
        {
            "checkin_id": checkin_id,
            "event_id": event.id,
            "member_id": member_id,
            "staff_id": manager.staff_id,
            "at": clock.now(),
            "reason": "扫错人了",
            "hlc": event.hlc,
        }
    ]
    # The check-in itself stays, as it was.
    assert checkin.at == checked_in_at
    assert checkin.staff_id == staff_logins[Role.FRONT_DESK].staff_id
    # The visit it used is given back by a ledger entry of its own, on the same card.
    assert visit_back.id == event.payload["visit_entry_id"]
    assert (visit_back.account, visit_back.amount) == (Account.VISITS, 1)
    assert visit_back.membership_id == checkin.membership_id
    assert visit_back.source_event_id == event.id
    assert visits_left(terminal, member_id) == 10


def test_after_an_undo_the_member_may_check_in_again_at_once(terminal, checked_in, login_as, clock):
    member_id, checkin_id = checked_in
    login_as(Role.MANAGER)
    clock.advance(minutes=1)
    terminal.checkins.undo(checkin_id)
    assert terminal.members.status(member_id).last_checkin_at is None

    again = terminal.checkins.check_in_member(member_id)

    assert again.decision.allowed
    assert again.decision.visits_left_after == 9
    assert terminal.members.status(member_id).last_checkin_at == clock.now()
    # And the re-entry window now runs from the new check-in.
    clock.advance(minutes=1)
    assert terminal.checkins.check_in_member(member_id).decision.reason == (
        Denial.ALREADY_CHECKED_IN
    )


def test_an_undo_leaves_the_earlier_checkin_as_the_last_one(terminal, plans, login_as, clock):
    member_id, first = enroll_with_plan(terminal, plans, login_as, "月卡")
    first_at = clock.now()
    clock.advance(minutes=61)
    second = terminal.checkins.check_in_member(member_id).checkin_id
    login_as(Role.MANAGER)

    terminal.checkins.undo(second)

    assert terminal.members.status(member_id).last_checkin_at == first_at
    assert first != second


def test_undoing_a_checkin_on_a_time_plan_gives_nothing_back(terminal, plans, login_as, clock):
    member_id, checkin_id = enroll_with_plan(terminal, plans, login_as, "月卡")
    login_as(Role.MANAGER)

    terminal.checkins.undo(checkin_id)

    with terminal.engine.connect() as conn:
        [event] = load_events(conn, where=Event.type == "checkin.undone")
        returned = conn.execute(
            select(func.count()).select_from(LEDGER).where(LEDGER.c.reason == "checkin_undone")
        ).scalar_one()
    assert event.payload["visit_entry_id"] is None
    assert event.payload["membership_id"] is None
    assert returned == 0
    assert [r["checkin_id"] for r in undo_rows(terminal)] == [checkin_id]
    assert terminal.checkins.check_in_member(member_id).decision.allowed


def test_an_admin_may_undo_too(terminal, checked_in, login_as):
    _, checkin_id = checked_in
    login_as(Role.ADMIN)

    terminal.checkins.undo(checkin_id)

    assert len(undo_rows(terminal)) == 1


@pytest.mark.parametrize("reason", [None, "", "   \t\n"])
def test_no_reason_or_a_blank_one_is_stored_as_none(terminal, checked_in, login_as, reason):
    _, checkin_id = checked_in
    login_as(Role.MANAGER)

    terminal.checkins.undo(checkin_id, reason=reason)

    assert undo_rows(terminal)[0]["reason"] is None


# The five minutes.


def test_the_window_is_five_minutes_inclusive(terminal, checked_in, login_as, clock):
    assert UNDO_WINDOW_MINUTES == 5
    _, checkin_id = checked_in
    login_as(Role.MANAGER)
    clock.advance(minutes=5)

    terminal.checkins.undo(checkin_id)

    assert len(undo_rows(terminal)) == 1


def test_five_minutes_and_one_second_after_is_too_late_and_writes_nothing(
    terminal, checked_in, login_as, clock, row_counts
):
    member_id, checkin_id = checked_in
    login_as(Role.MANAGER)
    clock.advance(minutes=5, seconds=1)
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(CheckinUndoExpired) as caught:
        terminal.checkins.undo(checkin_id, reason="太晚了")

    assert caught.value.params["minutes"] == 5
    assert caught.value.params["checkin_id"] == checkin_id
    assert counts_with_undos(terminal, row_counts) == before
    assert visits_left(terminal, member_id) == 9


# Refusals write nothing.


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CASHIER])
def test_desk_staff_may_not_undo_and_nothing_is_written(
    terminal, checked_in, login_as, row_counts, role
):
    member_id, checkin_id = checked_in
    login_as(role)
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(PermissionDenied):
        terminal.checkins.undo(checkin_id)

    assert counts_with_undos(terminal, row_counts) == before
    assert visits_left(terminal, member_id) == 9


def test_undo_needs_a_logged_in_staff_member(terminal, checked_in, row_counts):
    _, checkin_id = checked_in
    terminal.staff.logout()
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(NotLoggedIn):
        terminal.checkins.undo(checkin_id)

    assert counts_with_undos(terminal, row_counts) == before


def test_a_second_undo_is_refused_and_writes_nothing(
    terminal, checked_in, login_as, clock, row_counts
):
    member_id, checkin_id = checked_in
    login_as(Role.MANAGER)
    terminal.checkins.undo(checkin_id)
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(CheckinAlreadyUndone):
        terminal.checkins.undo(checkin_id)
    clock.advance(minutes=10)  # already undone is the answer, even once it is too late
    with pytest.raises(CheckinAlreadyUndone):
        terminal.checkins.undo(checkin_id)

    assert counts_with_undos(terminal, row_counts) == before
    assert visits_left(terminal, member_id) == 10


def test_an_unknown_checkin_is_refused_and_writes_nothing(
    terminal, checked_in, login_as, row_counts
):
    login_as(Role.MANAGER)
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(CheckinNotFound):
        terminal.checkins.undo(new_id())

    assert counts_with_undos(terminal, row_counts) == before


def test_a_reason_longer_than_200_characters_is_refused_and_writes_nothing(
    terminal, checked_in, login_as, row_counts
):
    _, checkin_id = checked_in
    login_as(Role.MANAGER)
    before = counts_with_undos(terminal, row_counts)

    with pytest.raises(ValidationError) as caught:
        terminal.checkins.undo(checkin_id, reason="错" * 201)

    assert caught.value.params["field"] == "reason"
    assert counts_with_undos(terminal, row_counts) == before
    terminal.checkins.undo(checkin_id, reason="错" * 200)


# Replicas: the undo may arrive before its check-in.


def _projection(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(
                tuple(canonical(v) for v in row)
                for row in conn.execute(select(Base.metadata.tables[name]))
            )
            for name in PROJECTION_TABLES
        }


def _replica(path: Path, events: list[EventEnvelope], batches: int) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    size = max(1, len(events) // batches)
    for start in range(0, len(events), size):
        with engine.begin() as conn:
            apply_events(conn, events[start : start + size])
    return engine


@pytest.mark.parametrize("batches", [1, 1000], ids=["one batch", "one event per batch"])
def test_an_undo_applied_before_its_checkin_converges_to_the_same_projection(
    terminal, checked_in, login_as, clock, tmp_path, batches
):
    member_id, checkin_id = checked_in
    login_as(Role.MANAGER)
    clock.advance(minutes=2)
    terminal.checkins.undo(checkin_id, reason="扫错人")
    with terminal.engine.connect() as conn:
        log = load_events(conn)
    undo = next(e for e in log if e.type == "checkin.undone")
    checkin = next(e for e in log if e.type == "checkin.recorded")
    assert log.index(undo) > log.index(checkin)

    # Everything in reverse: the undo (and the visit it gives back) first, the sale last.
    reversed_replica = _replica(tmp_path / "reversed.sqlite", log[::-1], batches)
    # The undo before everything else, the rest in log order.
    undo_first = [undo, *(e for e in log if e is not undo)]
    early_replica = _replica(tmp_path / "early.sqlite", undo_first, batches)

    here = _projection(terminal.engine)
    assert _projection(reversed_replica) == here
    assert _projection(early_replica) == here
    with reversed_replica.connect() as conn:
        visits = conn.execute(
            select(func.sum(LEDGER.c.amount)).where(
                LEDGER.c.member_id == member_id, LEDGER.c.account == Account.VISITS.value
            )
        ).scalar_one()
    assert visits == 10
    reversed_replica.dispose()
    early_replica.dispose()


def test_an_undo_synced_before_its_checkin_flags_the_checkin_when_it_arrives(
    terminal, checked_in, login_as, clock, row_counts
):
    member_id, _ = checked_in
    branch_id = terminal.identity.branch_id
    manager = login_as(Role.MANAGER)
    peer_checkin_id = new_id()
    checked_in_at = clock.now()
    clock.advance(minutes=1)
    receive(
        terminal,
        peer_event(
            "checkin.undone",
            {"checkin_id": peer_checkin_id, "member_id": member_id},
            clock.now(),
            branch_id=branch_id,
            actor_id=manager.staff_id,
        ),
    )
    # The check-in it names has not arrived: there is nothing here to undo yet.
    before = counts_with_undos(terminal, row_counts)
    with pytest.raises(CheckinNotFound):
        terminal.checkins.undo(peer_checkin_id)
    assert counts_with_undos(terminal, row_counts) == before
    assert peer_checkin_id not in [c.id for c in terminal.checkins.recent()]

    receive(
        terminal,
        peer_event(
            "checkin.recorded",
            {"checkin_id": peer_checkin_id, "member_id": member_id, "method": "card"},
            checked_in_at,
            branch_id=branch_id,
        ),
    )

    flagged = next(c for c in terminal.checkins.recent() if c.id == peer_checkin_id)
    assert flagged.undone
    with pytest.raises(CheckinAlreadyUndone):
        terminal.checkins.undo(peer_checkin_id)


# The recent list and the undo button.


def test_recent_lists_this_branchs_checkins_newest_first_with_undone_ones_flagged(
    terminal, plans, login_as, clock, staff_logins
):
    login_as(Role.CASHIER)
    zhang = terminal.members.enroll(name="张三", mobile=MOBILE)
    li = terminal.members.enroll(name="李四", mobile="13900139000")
    terminal.sales.sell_plan(zhang, plans["10次卡"])
    terminal.sales.sell_plan(li, plans["月卡"])
    desk = login_as(Role.FRONT_DESK)
    first = terminal.checkins.check_in_code(MOBILE).checkin_id
    clock.advance(minutes=1)
    second = terminal.checkins.check_in_member(li).checkin_id
    login_as(Role.MANAGER)
    terminal.checkins.undo(first, reason="扫错人")
    # A check-in at another branch, synced here: not on this desk's list.
    receive(
        terminal,
        peer_event(
            "checkin.recorded",
            {"checkin_id": new_id(), "member_id": zhang, "method": "qr"},
            clock.now(),
            branch_id=new_id(),
        ),
    )

    recent = terminal.checkins.recent()

    assert [c.id for c in recent] == [second, first]
    newest, oldest = recent
    assert (newest.member_name, newest.member_no) == (
        "李四",
        terminal.members.profile(li).member_no,
    )
    assert (newest.plan_name, newest.used_visit, newest.undone) == ("月卡", False, False)
    assert newest.staff_name == staff_logins[Role.FRONT_DESK].name
    assert newest.staff_id == desk.staff_id
    assert (oldest.member_name, oldest.method, oldest.at) == (
        "张三",
        "mobile",
        clock.now() - timedelta(minutes=1),
    )
    assert (oldest.plan_name, oldest.used_visit) == ("10次卡", True)
    assert oldest.undone
    assert (oldest.undone_at, oldest.undone_by, oldest.undo_reason) == (
        clock.now(),
        staff_logins[Role.MANAGER].name,
        "扫错人",
    )
    assert [c.id for c in terminal.checkins.recent(limit=1)] == [second]


def test_can_undo_follows_the_role_the_window_and_whether_it_is_undone(
    terminal, checked_in, login_as, clock
):
    _, checkin_id = checked_in
    [view] = terminal.checkins.recent()
    assert terminal.checkins.can_undo(view) is False  # front desk
    login_as(Role.MANAGER)
    assert terminal.checkins.can_undo(view) is True
    clock.advance(minutes=5)
    assert terminal.checkins.can_undo(view) is True
    clock.advance(seconds=1)
    assert terminal.checkins.can_undo(view) is False
    clock.advance(minutes=-5)
    terminal.checkins.undo(checkin_id)
    [view] = terminal.checkins.recent()
    assert terminal.checkins.can_undo(view) is False
    terminal.staff.logout()
    assert terminal.checkins.can_undo(view) is False


def test_recent_needs_a_logged_in_staff_member(terminal):
    with pytest.raises(NotLoggedIn):
        terminal.checkins.recent()
