"""Start to a usable check-in screen, and memory after browsing all members.

Each run starts a fresh process (``--child``) that opens the app on the data set the
way ``memberdesk`` does (offscreen, no camera), logs in with the demo front-desk PIN
and says READY the moment the check-in screen has the focus; the parent times that
from the moment it started the process. The child then opens the members screen,
scrolls its table from the first row to the last, page by page, waiting for each page
to show, and reports its resident memory (VmRSS) and peak (VmHWM).

    python -m bench.startup [--quick] [--n RUNS]

Last line: JSON with startup_median_ms, window_median_ms, rss_mb_after_browse (median),
peak_rss_mb (max), rows_browsed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.dataset import Dataset, ms, run_on_dataset

TIMEOUT_S = 600


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(Path(sys.argv[2]))
        return
    run_on_dataset(_run, n_help="process starts", quick_n=2, full_n=5)


def _run(dataset: Dataset, n: int) -> dict[str, object]:
    starts: list[float] = []
    windows: list[float] = []
    reports: list[dict[str, float]] = []
    for _ in range(n):
        started, window, report = _one_start(dataset.data_dir)
        starts.append(started)
        windows.append(window)
        reports.append(report)
    return {
        "members": dataset.members,
        "runs": n,
        "startup_median_ms": ms(statistics.median(starts)),
        "startup_max_ms": ms(max(starts)),
        "window_median_ms": ms(statistics.median(windows)),
        "rss_mb_after_browse": round(statistics.median(r["rss_mb"] for r in reports), 1),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in reports), 1),
        "rss_mb_at_ready": round(statistics.median(r["ready_rss_mb"] for r in reports), 1),
        "rows_browsed": int(reports[0]["rows"]),
        "browse_s": round(statistics.median(r["browse_s"] for r in reports), 2),
    }


def _one_start(data_dir: Path) -> tuple[float, float, dict[str, float]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.startup", "--child", str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    marks: dict[str, float] = {}
    report: dict[str, float] = {}
    for line in child.stdout:
        word = line.strip()
        if word in ("WINDOW", "READY"):
            marks[word] = time.perf_counter() - started
        elif word.startswith("{"):
            report = json.loads(word)
    if child.wait(TIMEOUT_S) != 0 or "READY" not in marks or not report:
        raise RuntimeError(f"the app did not start cleanly (exit {child.returncode})")
    return marks["READY"], marks["WINDOW"], report


def _child(data_dir: Path) -> None:
    """Runs in the started process: the app, as ``memberdesk`` would open it."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from bench.dataset import bench_keyring
    from desktop.terminal import Terminal
    from desktop.ui.app import DeskApp

    def until(done: object, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the app stopped answering")
            loop = QEventLoop()
            QTimer.singleShot(2, loop.quit)
            loop.exec()

    terminal = Terminal.open(data_dir, keyring_backend=bench_keyring(data_dir))
    desk = DeskApp(terminal, sys.argv[:1], camera=False)
    window = desk.window
    window.show()
    QCoreApplication.processEvents()
    print("WINDOW", flush=True)
    window.login.pin.setText("1111")  # the demo front desk
    window.login.submit()
    until(lambda: not window.locked and window.checkin.field.hasFocus())
    print("READY", flush=True)
    ready_rss = _memory()["VmRSS"]

    started = time.perf_counter()
    window.show_members()
    model = window.members.model
    table = window.members.table
    until(lambda: model.is_loaded and model.rowCount() > 0)
    rows = model.rowCount()
    for row in [*range(0, rows, 100), rows - 1]:
        index = model.index(row, 0)
        table.scrollTo(index)
        model.data(index)
        until(lambda row=row: model.member_id(row) is not None)
    browse_s = time.perf_counter() - started
    memory = _memory()
    print(
        json.dumps(
            {
                "rows": rows,
                "browse_s": browse_s,
                "ready_rss_mb": ready_rss,
                "rss_mb": memory["VmRSS"],
                "peak_rss_mb": memory["VmHWM"],
            }
        ),
        flush=True,
    )
    desk.close()
    terminal.close()


def _memory() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


if __name__ == "__main__":
    main()
