"""The webcam path without a webcam: real member cards, spoilt like webcam frames,
pushed as QVideoFrames into the same sink a camera feeds."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from bench.qt_frames import pil_to_video_frame
from bench.webcam_frames import Look, empty_frame, webcam_frame
from desktop.cards import CardFace, render_card
from desktop.scan.camera import CameraScanner, CameraState, qimage_to_pil_gray
from desktop.ui.main_window import MainWindow
from desktop.ui.result_panel import GREEN
from shared.events.projectors import CHECKINS
from shared.kinds import Role
from tests.desktop.ui.conftest import drain_lanes

LOOKS = {
    "scaled down": Look(width=0.3),
    "rotated 20 degrees": Look(angle=20.0),
    "blurred": Look(blur=1.8),
    "noisy": Look(noise=0.06),
    "low contrast": Look(contrast=0.4),
    "on a phone screen": Look(phone=True, angle=-8.0),
}


@pytest.fixture
def camera(qtbot) -> Iterator[CameraScanner]:
    scanner = CameraScanner()
    scanner.max_fps = 100.0
    yield scanner
    scanner.shutdown()


@pytest.fixture
def member(terminal, plans, login_as) -> str:
    login_as(Role.CASHIER)
    member_id = terminal.members.enroll(name="王芳", mobile="13700001111")
    terminal.sales.sell_plan(member_id, plans["月卡"])
    return member_id


def card_frame(terminal, member_id: str, look: Look, seed: int = 1):
    face = CardFace("王芳", "T1000001", "测试店", terminal.members.card_payload(member_id))
    return webcam_frame(render_card(face, dpi=200), random.Random(seed), look=look)


@pytest.mark.parametrize("look", LOOKS.values(), ids=LOOKS.keys())
def test_a_card_held_up_in_view_is_read_once(qtbot, camera, terminal, member, look):
    found: list[str] = []
    camera.code_found.connect(found.append)
    frame = pil_to_video_frame(card_frame(terminal, member, look))

    for _ in range(5):  # the member holds the card up: the same code frame after frame
        camera.sink.setVideoFrame(frame)
        qtbot.wait(30)
    qtbot.waitUntil(lambda: len(found) == 1, timeout=5_000)
    qtbot.wait(100)

    assert found == [terminal.members.card_payload(member)]


def test_an_empty_frame_finds_nothing_but_is_kept_for_a_photo(qtbot, camera):
    found: list[str] = []
    previews = []
    camera.code_found.connect(found.append)
    camera.preview.connect(previews.append)

    camera.sink.setVideoFrame(pil_to_video_frame(empty_frame(random.Random(3))))

    qtbot.waitUntil(lambda: len(previews) == 1, timeout=5_000)
    assert found == []
    image = camera.latest_image()
    assert image is not None and image.width() == 1280
    assert qimage_to_pil_gray(image).size == (1280, 720)


def test_without_a_camera_the_scanner_says_so(camera):
    states: list[str] = []
    camera.state_changed.connect(states.append)

    state = camera.start("")

    assert state is CameraState.NO_CAMERA  # these machines have no webcam
    assert states[-1] == "no_camera"


@pytest.fixture
def desk_role() -> Role | None:
    return None


def logged_in_window(qtbot, desk, camera) -> MainWindow:
    """The main window on ``camera``, logged in at its lock screen as the front desk."""
    desk.terminal.staff.logout()
    window = MainWindow(desk, camera)
    qtbot.addWidget(window)
    window.show()
    window.login.pin.setText("1111")
    window.login.submit()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    return window


def test_frames_through_the_window_record_one_check_in(qtbot, desk, camera, terminal, member):
    window = logged_in_window(qtbot, desk, camera)
    frame = pil_to_video_frame(card_frame(terminal, member, LOOKS["rotated 20 degrees"]))

    for _ in range(6):
        camera.sink.setVideoFrame(frame)
        qtbot.wait(40)

    result = window.checkin.result
    qtbot.waitUntil(lambda: result.banner.property("tone") == GREEN, timeout=10_000)
    drain_lanes(desk)
    with terminal.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CHECKINS)).scalar_one() == 1
    app = QApplication.instance()
    app.removeEventFilter(window.idle)


def test_a_check_in_by_camera_keeps_a_snapshot_when_the_desk_is_set_to(
    qtbot, desk, camera, terminal, member
):
    desk.prefs = replace(desk.prefs, snapshots=True)
    window = logged_in_window(qtbot, desk, camera)

    camera.sink.setVideoFrame(pil_to_video_frame(card_frame(terminal, member, Look())))

    result = window.checkin.result
    qtbot.waitUntil(lambda: result.banner.property("tone") == GREEN, timeout=10_000)
    drain_lanes(desk)
    outcome = result.outcome
    assert outcome is not None and outcome.result is not None
    checkin_id = outcome.result.checkin_id
    assert checkin_id is not None
    snapshot = desk.snapshots.find(checkin_id)
    assert snapshot is not None and snapshot.read_bytes().startswith(b"\xff\xd8")
    QApplication.instance().removeEventFilter(window.idle)
