"""A member's detail: what is shown, and edit, freeze, unfreeze, reissue from there."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from desktop.store.snapshots import SnapshotStore
from desktop.terminal import Terminal
from desktop.ui.context import DeskContext
from desktop.ui.enroll_dialog import EnrollDialog
from desktop.ui.member_detail import FreezeDialog, MemberDetailView
from shared.errors import FreezeNotAllowed, PermissionDenied
from shared.events.projectors import FREEZES
from shared.kinds import PlanKind, Role
from shared.rules.checkin import Denial, local_date


@pytest.fixture
def as_role(terminal: Terminal, login_as, desk_role):
    """Run ``fn`` logged in as ``role``, then log the desk's own role back in."""

    def run(role: Role, fn):
        login_as(role)
        try:
            return fn()
        finally:
            if desk_role is None:
                terminal.staff.logout()
            else:
                login_as(desk_role)

    return run


@pytest.fixture
def member_id(terminal: Terminal, as_role):
    return as_role(
        Role.MANAGER,
        lambda: terminal.members.enroll(name="王小明", mobile="13800138000", tags=("瑜伽",)),
    )


@pytest.fixture
def freezable_plan(terminal: Terminal, as_role):
    return as_role(
        Role.ADMIN,
        lambda: terminal.plans.define(
            name="季卡",
            kind=PlanKind.TIME,
            price_fen=79_900,
            duration_days=90,
            freeze_max_days_per_year=30,
            freeze_min_days=3,
        ),
    )


@pytest.fixture
def detail(qtbot, desk: DeskContext) -> MemberDetailView:
    view = MemberDetailView(desk)
    qtbot.addWidget(view)
    view.show()
    return view


def show(qtbot, detail: MemberDetailView, member_id: str) -> None:
    with qtbot.waitSignals([detail.loaded, detail.checkins_loaded, detail.ledger_loaded]):
        detail.show_member(member_id)


def today(terminal: Terminal) -> date:
    return local_date(terminal.recorder.now(), terminal.branch_tz)


def freezes(terminal: Terminal) -> int:
    with terminal.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(FREEZES)).scalar_one()


def table_text(table, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def test_the_detail_shows_profile_plans_checkins_and_ledger(
    qtbot, detail: MemberDetailView, terminal: Terminal, as_role, member_id, plans
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["10次卡"]))
    assert terminal.checkins.check_in_member(member_id).checkin_id is not None
    show(qtbot, detail, member_id)

    assert detail.name_label.text() == "王小明"
    assert "T1000001" in detail.number_label.text()
    assert "13800138000" in detail.contact_label.text()
    assert "瑜伽" in detail.tags_label.text()
    assert detail.balance_label.text().startswith("Points 500 ")
    assert detail.plans_table.rowCount() == 1
    assert table_text(detail.plans_table, 0, 0) == "10次卡"
    assert table_text(detail.plans_table, 0, 1) == "Visits"
    assert "9 visits" in table_text(detail.plans_table, 0, 4)
    assert table_text(detail.plans_table, 0, 5) == "Active"
    assert detail.checkins_table.rowCount() == 1
    assert "1 visit used" in table_text(detail.checkins_table, 0, 4)
    reasons = sorted(table_text(detail.ledger_table, r, 4) for r in range(3))
    assert detail.ledger_table.rowCount() == 3
    assert reasons == ["Check-in", "Earned", "Purchase"]


def test_the_ledger_filters_by_account_and_pages(
    qtbot, detail: MemberDetailView, terminal, as_role, member_id, plans, clock
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["10次卡"]))
    show(qtbot, detail, member_id)
    with qtbot.waitSignal(detail.ledger_loaded) as page:
        detail.account_combo.setCurrentIndex(detail.account_combo.findData("visits"))
    assert page.args == [1]
    assert [v.amount for v in detail.ledger] == [10]


def test_history_pages_load_more(qtbot, detail, terminal, as_role, member_id, plans, clock):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["月卡"]))
    for _ in range(55):
        clock.advance(hours=3)  # outside the double-scan window
        assert terminal.checkins.check_in_member(member_id).checkin_id is not None
    show(qtbot, detail, member_id)
    assert detail.checkins_table.rowCount() == 50
    assert detail.more_checkins_button.isEnabled()
    with qtbot.waitSignal(detail.checkins_loaded) as more:
        detail.more_checkins_button.click()
    assert more.args == [5]
    assert detail.checkins_table.rowCount() == 55
    assert len({c.id for c in detail.checkins}) == 55
    assert not detail.more_checkins_button.isEnabled()


def test_checkin_snapshots_are_shown_as_thumbnails(
    qtbot, desk, terminal, as_role, member_id, plans, tmp_path
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["月卡"]))
    result = terminal.checkins.check_in_member(member_id)
    assert result.checkin_id is not None
    jpeg = io.BytesIO()
    Image.new("RGB", (320, 240), "green").save(jpeg, format="JPEG")
    store = SnapshotStore(tmp_path / "snapshots")
    store.save(
        result.checkin_id, jpeg.getvalue(), terminal.recorder.now().astimezone(terminal.branch_tz)
    )
    view = MemberDetailView(desk, snapshot_for=store.find)
    qtbot.addWidget(view)
    show(qtbot, view, member_id)
    item = view.checkins_table.item(0, 0)
    assert item is not None and not item.icon().isNull()


def test_reissuing_the_card_revokes_the_old_one(
    qtbot, detail: MemberDetailView, terminal: Terminal, member_id, desk
):
    old = terminal.members.card_payload(member_id)
    show(qtbot, detail, member_id)
    assert detail.reissue_button.isEnabled()
    with qtbot.waitSignals([detail.card_reissued, desk.signals.member_changed]):
        with qtbot.waitSignal(detail.card_reissued) as reissued:
            detail.reissue_card(ask=False)
    new = reissued.args[0]
    assert new != old
    assert new == terminal.members.card_payload(member_id)
    refused = terminal.checkins.check_in_code(old)
    assert refused.checkin_id is None
    assert refused.decision.reason == Denial.CARD_REVOKED
    assert terminal.checkins.check_in_code(new).decision.reason != Denial.CARD_REVOKED
    assert "new card" in detail.message.text()


@pytest.mark.parametrize("desk_role", [Role.FRONT_DESK])
def test_a_front_desk_user_may_not_freeze(
    qtbot, detail: MemberDetailView, terminal, desk, as_role, member_id, freezable_plan
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, freezable_plan))
    show(qtbot, detail, member_id)
    assert not detail.freeze_button.isEnabled()
    assert "manager" in detail.freeze_button.toolTip()

    assert detail.status is not None
    membership_id = detail.status.memberships[0].state.id
    start = today(terminal) + timedelta(days=1)
    with qtbot.waitSignal(detail.action_failed) as failed:
        detail.freeze_plan(membership_id, start, start + timedelta(days=5))
    assert failed.args == [desk.error_message(PermissionDenied(action="freeze", role="front_desk"))]
    assert detail.message.text() == failed.args[0]
    assert freezes(terminal) == 0


@pytest.mark.parametrize("desk_role", [Role.MANAGER])
def test_a_manager_freezes_and_unfreezes_a_plan(
    qtbot, detail: MemberDetailView, terminal, desk, as_role, member_id, freezable_plan
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, freezable_plan))
    show(qtbot, detail, member_id)
    assert detail.freeze_button.isEnabled()
    assert not detail.unfreeze_button.isEnabled()
    first = today(terminal)

    detail.freeze_selected()
    dialog = detail.findChild(FreezeDialog)
    assert dialog is not None
    dialog.end_edit.setDate(dialog.start_edit.date().addDays(4))
    with qtbot.waitSignals([detail.action_done, detail.loaded]):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert freezes(terminal) == 1
    assert table_text(detail.plans_table, 0, 5).startswith("Frozen until")
    assert "(+5 frozen)" in table_text(detail.plans_table, 0, 3)
    assert detail.unfreeze_button.isEnabled()
    assert detail.status is not None
    state = detail.status.memberships[0].state
    assert [(f.start, f.end) for f in state.freezes] == [(first, first + timedelta(days=4))]

    with qtbot.waitSignals([detail.action_done, detail.loaded]):
        detail.unfreeze_selected(ask=False)
    assert table_text(detail.plans_table, 0, 5) == "Active"
    assert not detail.unfreeze_button.isEnabled()


@pytest.mark.parametrize("desk_role", [Role.MANAGER])
def test_a_refused_freeze_is_shown_in_the_freeze_dialog(
    qtbot, detail: MemberDetailView, terminal, desk, as_role, member_id, plans
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["月卡"]))
    show(qtbot, detail, member_id)
    detail.freeze_selected()
    dialog = detail.findChild(FreezeDialog)
    assert dialog is not None
    with qtbot.waitSignal(detail.action_failed):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert dialog.error.text() == desk.error_message(FreezeNotAllowed(reason="policy"))
    assert freezes(terminal) == 0


def test_edit_opens_the_form_prefilled_and_a_save_reloads(
    qtbot, detail: MemberDetailView, terminal, member_id
):
    show(qtbot, detail, member_id)
    dialog = detail.edit()
    assert isinstance(dialog, EnrollDialog)
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.name_edit.text() == "王小明"
    dialog.name_edit.setText("王大明")
    with qtbot.waitSignal(detail.loaded):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert detail.name_label.text() == "王大明"
    assert terminal.members.profile(member_id).name == "王大明"


def test_the_card_dialog_opens_for_the_member(qtbot, detail: MemberDetailView, member_id):
    show(qtbot, detail, member_id)
    card = detail.open_card()
    assert card is not None
    qtbot.waitUntil(lambda: card.is_ready)
    assert card.face is not None and card.face.name == "王小明"


def test_an_unknown_member_is_said(qtbot, detail: MemberDetailView):
    with qtbot.waitSignal(detail.action_failed):
        detail.show_member("01900000-0000-7000-8000-000000000000")
    assert detail.message.text()
    assert not detail.edit_button.isEnabled()


@pytest.mark.parametrize("desk_language", ["zh_CN"])
def test_money_and_dates_follow_the_desks_locale(
    qtbot, detail: MemberDetailView, terminal, as_role, member_id, plans, desk
):
    as_role(Role.CASHIER, lambda: terminal.sales.sell_plan(member_id, plans["储值1000送100"]))
    show(qtbot, detail, member_id)
    assert desk.money(110_000) in detail.balance_label.text()
    assert detail.status is not None
    start = detail.status.memberships[0].state.start_date
    expected = desk.locale.toString(
        QDate(start.year, start.month, start.day), desk.locale.FormatType.ShortFormat
    )
    assert table_text(detail.plans_table, 0, 2) == expected
    assert expected.startswith(str(start.year))  # Chinese dates put the year first
