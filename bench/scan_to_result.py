"""Scan to result painted: a webcam frame handed to the capture pipeline until the
check-in screen has painted the answer, with the whole app running on the data set.

Each frame is a real member card (``desktop.cards.render_card`` with the member's real
QR payload) spoilt like a webcam frame (``bench.webcam_frames``), pushed into the same
QVideoSink a camera feeds. The clock runs from that hand-over, through the decoder
thread, the check-in on the writes lane and the status read, to the result panel's
paint. Frames are handed over no faster than the pipeline's frame-rate cap, as a
camera would; only frames the decoder can read are used (bench.decode measures that).

    python -m bench.scan_to_result [--quick] [--n N]

Last line: JSON with p50_ms, p95_ms, n, allowed, missed.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtMultimedia import QVideoFrame  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.dataset import Dataset, ms, open_terminal, percentile, run_on_dataset  # noqa: E402
from bench.qt_frames import pil_to_video_frame  # noqa: E402
from bench.webcam_frames import webcam_frame  # noqa: E402
from desktop.cards import CardFace, render_card  # noqa: E402
from desktop.scan.decode import decode_frame  # noqa: E402
from desktop.terminal import Terminal  # noqa: E402
from desktop.ui.app import DeskApp  # noqa: E402
from desktop.ui.outcome import ScanOutcome  # noqa: E402
from shared.events.projectors import MEMBERS  # noqa: E402

TIMEOUT_MS = 5_000
WARM_UP = 3


def main() -> None:
    run_on_dataset(_run, n_help="scans to time", quick_n=12, full_n=200)


def _run(dataset: Dataset, n: int) -> dict[str, object]:
    terminal = open_terminal(dataset)
    frames = _frames(terminal, n + WARM_UP)
    desk = DeskApp(terminal, camera=True)
    assert desk.camera is not None
    desk.window.show()
    _log_in(desk)
    latencies: list[float] = []
    allowed = missed = 0
    gap_s = 1.0 / desk.camera.max_fps
    for i, (_payload, frame) in enumerate(frames):
        time.sleep(gap_s)  # a camera delivers at most max_fps frames a second
        outcome, elapsed = _scan(desk, frame)
        if outcome is None:
            missed += 1
            continue
        if i >= WARM_UP:
            latencies.append(elapsed)
            allowed += outcome.allowed
    desk.close()
    terminal.close()
    return {
        "members": dataset.members,
        "n": len(latencies),
        "allowed": allowed,
        "missed": missed,
        "p50_ms": ms(statistics.median(latencies)),
        "p95_ms": ms(percentile(latencies, 95)),
        "max_ms": ms(max(latencies)),
    }


def _frames(terminal: Terminal, n: int) -> list[tuple[str, QVideoFrame]]:
    """``n`` readable webcam frames of real cards of random members."""
    rng = random.Random(7)
    with terminal.engine.connect() as conn:
        everyone = conn.execute(select(MEMBERS.c.id).order_by(MEMBERS.c.id)).all()
    members = rng.sample(everyone, min(len(everyone), n * 3))
    frames: list[tuple[str, QVideoFrame]] = []
    for row in members:
        profile = terminal.members.profile(row.id)
        payload = terminal.members.card_payload(row.id)
        face = CardFace(profile.name, profile.member_no, "MemberDesk", payload)
        image = webcam_frame(render_card(face, dpi=200), rng)
        if decode_frame(image.convert("L")) == [payload]:
            frames.append((payload, pil_to_video_frame(image)))
        if len(frames) == n:
            break
    return frames


def _log_in(desk: DeskApp) -> None:
    loop = QEventLoop()
    desk.window.login.logged_in.connect(lambda _s: loop.quit())
    desk.window.login.pin.setText("1111")  # the demo front desk
    desk.window.login.submit()
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    loop.exec()
    assert not desk.window.locked, "could not log in with the demo front-desk PIN"


def _scan(desk: DeskApp, frame: QVideoFrame) -> tuple[ScanOutcome | None, float]:
    assert desk.camera is not None
    loop = QEventLoop()
    shown: list[ScanOutcome] = []

    def on_shown(outcome: ScanOutcome | None) -> None:
        if outcome is not None:
            shown.append(outcome)
            loop.quit()

    desk.window.checkin.outcome_shown.connect(on_shown)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(TIMEOUT_MS)
    started = time.perf_counter()
    desk.camera.sink.setVideoFrame(frame)
    if not shown:
        loop.exec()
    elapsed = time.perf_counter() - started
    desk.window.checkin.outcome_shown.disconnect(on_shown)
    return (shown[0] if shown else None), elapsed


if __name__ == "__main__":
    main()
