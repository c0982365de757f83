"""The front desk end to end: the main window with the scanner filter, on a real terminal.

Scans are typed as a keyboard-wedge scanner types them (a burst of keys and Enter) into
whatever has the focus; the result panel must turn green or red with the right reason,
and the database must hold a check-in exactly when the panel says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select

from desktop.scan.wedge_filter import WedgeFilter
from desktop.ui.context import DeskContext
from desktop.ui.main_window import MainWindow
from desktop.ui.result_panel import GREEN, RED
from shared.card import encode_card
from shared.events.projectors import CHECKINS
from shared.kinds import Role
from shared.rules.checkin import Denial
from tests.desktop.ui.conftest import drain_lanes

MOBILE = "13912345678"


@pytest.fixture
def desk_role() -> Role | None:
    return None  # the window starts locked; tests log in through the lock screen


@pytest.fixture
def member(terminal, plans, login_as) -> str:
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="张三", mobile=MOBILE)
    terminal.sales.sell_plan(member_id, plans["月卡"])
    terminal.staff.logout()
    return member_id


@pytest.fixture
def window(qtbot, desk: DeskContext) -> Iterator[MainWindow]:
    win = MainWindow(desk)
    qtbot.addWidget(win)
    wedge = WedgeFilter(35, win)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(wedge)
    wedge.scanned.connect(win.route_scan)
    win.wedge = wedge  # type: ignore[attr-defined]
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    yield win
    app.removeEventFilter(wedge)
    app.removeEventFilter(win.idle)
    drain_lanes(desk)
    shiboken6.delete(win)  # its timers too: nothing may start work after the lanes go


def log_in(qtbot, win: MainWindow, pin: str) -> None:
    win.login.pin.setText(pin)
    win.login.submit()
    qtbot.waitUntil(lambda: not win.locked, timeout=10_000)


def scan(win: MainWindow, text: str) -> None:
    """Type ``text`` + Enter into the focused widget as fast as a scanner does."""
    target = QApplication.focusWidget() or win
    QTest.keyClicks(target, text)
    QTest.keyClick(target, Qt.Key.Key_Return)


def checkins(terminal) -> int:
    with terminal.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(CHECKINS)).scalar_one()


def wait_result(qtbot, win: MainWindow, tone: str) -> None:
    qtbot.waitUntil(lambda: win.checkin.result.banner.property("tone") == tone, timeout=10_000)


def test_a_scanned_card_checks_in_green_wherever_the_focus_is(qtbot, window, terminal, member):
    log_in(qtbot, window, "1111")
    window.show_members()
    field = QApplication.focusWidget()
    assert isinstance(field, QLineEdit)  # the members screen's search box has the focus
    payload = terminal.members.card_payload(member)

    scan(window, payload)

    wait_result(qtbot, window, GREEN)
    assert checkins(terminal) == 1
    assert window.checkin.result.name.text() == "张三"
    assert field.text() == ""  # not a single key of the scan landed in the search box
    assert window.pages.currentWidget() is window.checkin


def test_slow_typing_reaches_the_focused_field_untouched(qtbot, window, member):
    log_in(qtbot, window, "1111")
    window.show_checkin()
    field = window.checkin.field

    QTest.keyClicks(field, "zs", delay=90)
    QTest.qWait(80)

    assert field.text() == "zs"


def test_a_revoked_card_is_refused_with_its_reason_and_nothing_written(
    qtbot, window, terminal, member, login_as
):
    old = terminal.members.card_payload(member)
    login_as(Role.FRONT_DESK)
    terminal.members.reissue_card(member)
    terminal.staff.logout()
    log_in(qtbot, window, "1111")

    scan(window, old)

    wait_result(qtbot, window, RED)
    panel = window.checkin.result
    assert panel.banner.text() == panel.denial_text(Denial.CARD_REVOKED)
    assert checkins(terminal) == 0


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("forged", "This member card is not valid."), ("garbled", "is not a member card")],
)
def test_forged_and_garbled_codes_are_refused_and_nothing_written(
    qtbot, window, terminal, member, kind, expected
):
    log_in(qtbot, window, "1111")
    code = encode_card(member, 1, b"k" * 32) if kind == "forged" else "XQ-7#?garbled"

    scan(window, code)

    wait_result(qtbot, window, RED)
    assert expected in window.checkin.result.banner.text()
    assert checkins(terminal) == 0


def test_a_scan_on_the_locked_desk_is_refused_on_the_lock_screen(qtbot, window, terminal, member):
    window.login.pin.setFocus()
    payload = terminal.members.card_payload(member)

    scan(window, payload)

    assert window.locked
    assert window.login.pin.text() == ""  # never typed into the PIN field
    assert "locked" in window.login.message.text()
    assert checkins(terminal) == 0


def test_a_wrong_pin_says_so_and_stays_locked(qtbot, window):
    window.login.pin.setText("0000")
    window.login.submit()

    qtbot.waitUntil(lambda: window.login.message.text() != "", timeout=10_000)
    assert window.locked
    assert "PIN" in window.login.message.text()


def test_the_desk_locks_itself_when_idle(qtbot, window):
    log_in(qtbot, window, "1111")

    window.idle.set_interval_ms(50)

    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert window._ctx.terminal.staff.current is None


def test_search_as_you_type_finds_by_pinyin_initials_and_mobile_suffix(qtbot, window, member):
    log_in(qtbot, window, "1111")
    field = window.checkin.field
    for query in ("zs", MOBILE[-4:]):
        field.clear()
        QTest.keyClicks(field, query, delay=60)
        qtbot.waitUntil(lambda: window.checkin.hits.count() > 0, timeout=5_000)
        assert "张三" in window.checkin.hits.item(0).text()


def test_enter_on_a_hit_checks_that_member_in(qtbot, window, terminal, member):
    log_in(qtbot, window, "1111")
    field = window.checkin.field
    QTest.keyClicks(field, "zs", delay=60)
    qtbot.waitUntil(lambda: window.checkin.hits.count() > 0, timeout=5_000)

    QTest.qWait(60)
    QTest.keyClick(field, Qt.Key.Key_Return)

    wait_result(qtbot, window, GREEN)
    assert checkins(terminal) == 1


@pytest.mark.parametrize(("pin", "can_undo"), [("1111", False), ("6666", True)])
def test_only_a_manager_may_undo_a_check_in(qtbot, window, terminal, member, pin, can_undo):
    log_in(qtbot, window, pin)
    scan(window, terminal.members.card_payload(member))
    wait_result(qtbot, window, GREEN)
    recent = window.checkin.recent
    qtbot.waitUntil(lambda: recent.count() == 1, timeout=5_000)

    recent.setCurrentRow(0)

    assert window.checkin.undo_button.isEnabled() is can_undo
    if can_undo:
        window.checkin.undo_selected()
        qtbot.waitUntil(lambda: "undone" in recent.item(0).text(), timeout=5_000)
        # Undone: the member may check in again at once.
        scan(window, terminal.members.card_payload(member))
        qtbot.waitUntil(lambda: checkins(terminal) == 2, timeout=5_000)


def test_a_check_in_of_an_earlier_day_shows_its_date(qtbot, window, terminal, member, clock):
    log_in(qtbot, window, "1111")
    scan(window, terminal.members.card_payload(member))
    wait_result(qtbot, window, GREEN)
    recent = window.checkin.recent
    qtbot.waitUntil(lambda: recent.count() == 1, timeout=5_000)
    assert recent.item(0).text() == "10:00  张三"  # today: the time says enough

    clock.at += timedelta(days=1)
    window.checkin.refresh_recent()

    qtbot.waitUntil(lambda: recent.item(0).text() == "6/15/26 10:00  张三", timeout=5_000)


def test_closing_the_window_stops_its_work(qtbot, desk):
    win = MainWindow(desk)
    win.show()
    win.close()
    shiboken6.delete(win)
    QCoreApplication.processEvents()


def test_locking_closes_any_open_dialog(qtbot, window):
    from PySide6.QtCore import QTimer

    from desktop.ui.settings_dialog import SettingsDialog

    log_in(qtbot, window, "6666")
    results: list[int] = []

    def open_settings() -> None:
        dialog = SettingsDialog(window._ctx, window)
        QTimer.singleShot(50, window.lock)
        results.append(dialog.exec())

    QTimer.singleShot(0, open_settings)
    qtbot.waitUntil(lambda: results == [0], timeout=5_000)

    assert window.locked


def test_a_scan_while_a_dialog_is_open_still_checks_the_member_in(qtbot, window, terminal, member):
    from PySide6.QtCore import QTimer

    from desktop.ui.settings_dialog import SettingsDialog

    log_in(qtbot, window, "1111")
    payload = terminal.members.card_payload(member)
    done: list[int] = []

    def open_settings() -> None:
        dialog = SettingsDialog(window._ctx, window)
        QTimer.singleShot(50, lambda: window.route_scan(payload))
        QTimer.singleShot(400, dialog.reject)
        done.append(dialog.exec())

    QTimer.singleShot(0, open_settings)
    qtbot.waitUntil(lambda: done == [0], timeout=5_000)

    wait_result(qtbot, window, GREEN)
    assert checkins(terminal) == 1
