"""Fixtures for the Qt screens: a ``DeskContext`` around the test's own terminal.

``desk`` logs the test's terminal in as ``desk_role`` (front desk unless a test says
otherwise, e.g. ``@pytest.mark.parametrize("desk_role", [Role.MANAGER])``; ``None``
leaves nobody logged in) and builds the context the app would. Its teardown waits for
every job the screens started, hands their answers to the widgets still open, and
stops the worker threads, so no test leaves a thread running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from desktop.preferences import DeskPreferences
from desktop.services.context import StaffSession
from desktop.terminal import Terminal
from desktop.ui.context import DeskContext
from shared.kinds import Role

LANE_TIMEOUT_MS = 20_000


@pytest.fixture
def desk_role() -> Role | None:
    """Who is logged in at the desk; override with parametrize (or a fixture)."""
    return Role.FRONT_DESK


@pytest.fixture
def desk_language() -> str:
    """The UI language the context reports ("en" or "zh_CN")."""
    return "en"


@pytest.fixture
def desk_prefs() -> DeskPreferences:
    return DeskPreferences()


@pytest.fixture
def desk(
    qtbot: QtBot,
    terminal: Terminal,
    login_as: Callable[[Role], StaffSession],
    desk_role: Role | None,
    desk_language: str,
    desk_prefs: DeskPreferences,
) -> Iterator[DeskContext]:
    """A DeskContext over the test's terminal, logged in as ``desk_role``."""
    if desk_role is not None:
        login_as(desk_role)
    ctx = DeskContext(terminal, desk_prefs, desk_language)
    yield ctx
    drain_lanes(ctx)
    # Deleting the lanes deletes their thread pools, which join their threads.
    shiboken6.delete(ctx.lanes)


def drain_lanes(ctx: DeskContext) -> None:
    """Wait until no job is queued or running and every answer has been delivered."""
    for _ in range(50):
        assert ctx.lanes.wait(LANE_TIMEOUT_MS), "a worker job did not finish"
        QCoreApplication.processEvents()
        if ctx.lanes.pending() == 0:
            return
    raise AssertionError("worker jobs kept starting more work")
