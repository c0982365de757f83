"""The members screen: a table over every member that never loads them all, and search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from desktop.terminal import Terminal
from desktop.ui.context import DeskContext
from desktop.ui.members_model import (
    MEMBER_ID_ROLE,
    MOBILE_ROLE,
    Column,
    MembersTableModel,
    mask_mobile,
)
from desktop.ui.members_view import MembersView

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def enroll_many(terminal: Terminal, n: int) -> list[tuple[str, str]]:
    """Enroll ``n`` members; (member_no, name) in member-number order."""
    made = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        member_id = terminal.members.enroll(name=name, mobile=f"139{i:08d}")
        made.append((terminal.members.profile(member_id).member_no, name))
    return sorted(made)


def cell(model: MembersTableModel, row: int, column: Column) -> object:
    return model.data(model.index(row, column))


@pytest.fixture
def view(qtbot, desk: DeskContext) -> MembersView:
    widget = MembersView(desk, page_size=10)
    qtbot.addWidget(widget)
    return widget


def test_the_table_counts_every_member_and_reads_a_deep_row_with_one_page(
    qtbot, desk: DeskContext, terminal: Terminal
):
    members = enroll_many(terminal, 65)  # 7 pages of 10
    model = MembersTableModel(desk, page_size=10, cache_pages=3)
    model.refresh()
    qtbot.waitUntil(lambda: model.is_loaded)
    assert model.rowCount() == 65
    assert model.pages_fetched == 0  # the count and page keys come from the index alone

    last = model.rowCount() - 1
    assert cell(model, last, Column.NAME) == "Loading…"
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert cell(model, last, Column.MEMBER_NO) == members[-1][0]
    assert cell(model, last, Column.NAME) == members[-1][1]
    assert model.pages_fetched == 1
    assert cell(model, 34, Column.NAME) == "Loading…"
    qtbot.waitUntil(lambda: cell(model, 34, Column.NAME) == members[34][1])
    assert model.pages_fetched == 2


def test_browsing_end_to_end_keeps_only_a_few_pages(qtbot, desk: DeskContext, terminal: Terminal):
    members = enroll_many(terminal, 60)
    model = MembersTableModel(desk, page_size=5, cache_pages=3)
    model.refresh()
    qtbot.waitUntil(lambda: model.is_loaded)
    for row in range(0, 60, 5):
        model.data(model.index(row, Column.NAME))
        qtbot.waitUntil(lambda row=row: cell(model, row, Column.NAME) == members[row][1])
        assert model.cached_pages <= 3
    assert model.pages_fetched == 12


def test_the_view_loads_only_the_pages_on_screen(qtbot, view: MembersView, terminal: Terminal):
    members = enroll_many(terminal, 65)
    view.refresh()
    view.resize(600, 300)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 65)
    qtbot.waitUntil(lambda: cell(view.model, 0, Column.NAME) == members[0][1])

    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: cell(view.model, 64, Column.NAME) == members[64][1])
    assert view.model.pages_fetched <= 4  # the first screen and the last, of 7 pages
    assert view.status.text() == "65 members"


def test_rows_show_a_masked_mobile_and_hold_the_id_and_full_number(
    qtbot, desk: DeskContext, terminal: Terminal
):
    member_id = terminal.members.enroll(name="张三", mobile="13812345678")
    model = MembersTableModel(desk)
    model.refresh()
    qtbot.waitUntil(lambda: model.is_loaded)
    model.data(model.index(0, 0))
    qtbot.waitUntil(lambda: model.member_id(0) is not None)
    index = model.index(0, Column.MOBILE)
    assert model.data(index) == "138****5678"
    assert model.data(index, MOBILE_ROLE) == "13812345678"
    assert model.data(index, MEMBER_ID_ROLE) == member_id
    assert cell(model, 0, Column.POINTS) == "0"
    assert cell(model, 0, Column.ENROLLED)  # a date in the desk's locale
    assert mask_mobile(None) == ""


def test_typing_finds_members_by_pinyin_initials_and_by_the_last_four_digits(
    qtbot, view: MembersView, terminal: Terminal
):
    zhang = terminal.members.enroll(name="张三", mobile="13812345678")
    terminal.members.enroll(name="李四", mobile="13900001111")
    enroll_many(terminal, 20)
    view.show()

    with qtbot.waitSignal(view.model.search_finished) as found:
        qtbot.keyClicks(view.search_box, "zs")
    assert found.args == [1]
    assert view.model.rowCount() == 1
    assert cell(view.model, 0, Column.NAME) == "张三"
    assert view.current_member_id() == zhang
    assert view.status.text() == "1 found"

    view.search_box.clear()
    assert not view.model.is_searching
    assert view.model.rowCount() == 22

    with qtbot.waitSignal(view.model.search_finished):
        qtbot.keyClicks(view.search_box, "5678")
    assert [cell(view.model, r, Column.NAME) for r in range(view.model.rowCount())] == ["张三"]


def test_a_stale_search_answer_is_dropped(qtbot, desk: DeskContext, terminal: Terminal):
    terminal.members.enroll(name="张三")
    terminal.members.enroll(name="李四")
    model = MembersTableModel(desk)
    shown: list[int] = []
    model.search_finished.connect(shown.append)
    model.set_search("zs")
    model.set_search("ls")  # typed on before the first answer came
    qtbot.waitUntil(lambda: shown == [1])
    assert desk.lanes.wait(5000)
    QCoreApplication.processEvents()  # a late answer to "zs" must not replace "ls"
    assert shown == [1]
    assert cell(model, 0, Column.NAME) == "李四"


def test_enter_in_the_search_box_opens_the_first_hit(qtbot, view: MembersView, terminal):
    zhang = terminal.members.enroll(name="张三")
    view.show()
    view.search_box.setFocus()
    qtbot.keyClicks(view.search_box, "zs")
    with qtbot.waitSignal(view.open_member) as opened:
        qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    assert opened.args == [zhang]


def test_enter_and_double_click_in_the_table_open_the_member(
    qtbot, view: MembersView, terminal: Terminal
):
    members = enroll_many(terminal, 3)
    view.show()
    qtbot.waitUntil(lambda: cell(view.model, 1, Column.NAME) == members[1][1])
    expected = view.model.member_id(1)
    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)  # to the table, first row
    view.table.selectRow(1)
    with qtbot.waitSignal(view.open_member) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [expected]

    where = view.table.visualRect(view.model.index(2, Column.NAME)).center()
    viewport = view.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)  # Qt wants a press first
    with qtbot.waitSignal(view.open_member) as opened:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [view.model.member_id(2)]


def test_a_member_change_refreshes_the_table(qtbot, view: MembersView, desk, terminal):
    enroll_many(terminal, 3)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    member_id = terminal.members.enroll(name="新会员")
    desk.signals.member_changed.emit(member_id)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    qtbot.waitUntil(lambda: cell(view.model, 3, Column.NAME) == "新会员")

    terminal.members.update(member_id, name="改了名")  # same count: rows re-read in place
    desk.signals.member_changed.emit(member_id)
    qtbot.waitUntil(lambda: cell(view.model, 3, Column.NAME) == "改了名")


def test_a_hidden_table_reads_changes_when_it_is_shown_again(
    qtbot, view: MembersView, desk, terminal
):
    enroll_many(terminal, 2)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.hide()
    desk.signals.member_changed.emit(terminal.members.enroll(name="新会员"))
    assert not view.model.refresh_scheduled  # nobody is looking: no re-read yet
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    desk.signals.member_changed.emit(terminal.members.enroll(name="又一个"))
    assert view.model.refresh_scheduled
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
