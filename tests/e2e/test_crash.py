"""The crash test: a terminal killed in the middle of a burst of check-ins loses nothing
it reported and leaves no half-written check-in behind.

A child process (``tests/e2e/checkin_burst.py``) checks members in on a demo terminal in
a tight loop and prints each check-in after its commit; the test SIGKILLs it after a
number of lines, then opens the database and checks the log against the projections.
"""

from __future__ import annotations

import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from desktop.demo_data import generate_demo_data
from desktop.store.database import DB_FILENAME
from desktop.terminal import Terminal
from tests.memory_keyring import MemoryKeyring

REPO = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 2)
# The burst starts the morning after the demo's last day, so no demo check-in is recent.
SOLD_AT = datetime.combine(TODAY + timedelta(days=1), time(7), ZONE)
BURST_START = datetime.combine(TODAY + timedelta(days=1), time(8), ZONE)
MEMBERS = 40
LINE_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, list[str]]:
    """A demo terminal whose first members hold fresh plans: half time plans, half 次卡."""
    data_dir = tmp_path_factory.mktemp("crash") / "template"
    keyring = MemoryKeyring()
    generate_demo_data(
        data_dir, members=MEMBERS, checkins_per_member=2, today=TODAY, keyring_backend=keyring
    )
    with Terminal.open(data_dir, now=lambda: SOLD_AT, keyring_backend=keyring) as terminal:
        terminal.staff.login("2222")
        plan_ids = {p.name: p.id for p in terminal.plans.list()}
        member_ids = [terminal.search(f"D1{n:06d}")[0].member_id for n in range(1, MEMBERS + 1)]
        for i, member_id in enumerate(member_ids):
            plan = "年卡" if i % 2 == 0 else "30次卡"
            terminal.sales.sell_plan(member_id, plan_ids[plan])
    return data_dir, member_ids


@pytest.mark.parametrize("kill_after", [1, 17, 120])
def test_a_terminal_killed_mid_burst_keeps_every_reported_checkin_whole(
    prepared, tmp_path, kill_after
):
    template, member_ids = prepared
    data_dir = Path(shutil.copytree(template, tmp_path / "terminal"))
    before = checkin_ids(data_dir)

    reported = run_and_kill(data_dir, member_ids, kill_after)

    assert len(reported) >= kill_after
    path = data_dir / DB_FILENAME
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    after = checkin_ids(data_dir)
    assert set(reported) <= after, "a check-in the desk was told about is gone"
    assert len(after - before) >= len(reported)
    assert_log_matches_projections(data_dir)


# Internals below.


def run_and_kill(data_dir: Path, member_ids: list[str], kill_after: int) -> list[str]:
    """Start the burst, SIGKILL it after ``kill_after`` lines; every line it printed."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.checkin_burst",
            str(data_dir),
            BURST_START.isoformat(),
            "1111",
            *member_ids,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True)
    reader.start()
    reported: list[str] = []
    try:
        while len(reported) < kill_after:
            try:
                line = lines.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"the burst printed nothing for {LINE_TIMEOUT_S} s")
            if line is None:
                child.wait()
                pytest.fail(f"the burst ended by itself: {child.stderr.read()}")
            reported.append(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    reader.join(LINE_TIMEOUT_S)
    while (line := lines.get_nowait()) is not None:  # what it printed before dying
        reported.append(line)
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return reported


def _pump(stream, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.strip())
    stream.close()
    lines.put(None)


def checkin_ids(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        found = {row[0] for row in conn.execute("SELECT id FROM checkins")}
    conn.close()
    return found


def assert_log_matches_projections(data_dir: Path) -> None:
    """Open the killed terminal's data as the app would and compare log and projections."""
    with Terminal.open(data_dir, keyring_backend=MemoryKeyring()) as terminal:
        with terminal.engine.connect() as conn:

            def ids(sql: str) -> set[str]:
                return {row[0] for row in conn.execute(text(sql))}

            events = ids(
                "SELECT json_extract(payload, '$.checkin_id') FROM events "
                "WHERE type = 'checkin.recorded'"
            )
            rows = ids("SELECT id FROM checkins")
            visit_entries = ids(
                "SELECT json_extract(payload, '$.visit_entry_id') FROM events "
                "WHERE type = 'checkin.recorded' "
                "AND json_extract(payload, '$.visit_entry_id') IS NOT NULL"
            )
            visit_rows = ids(
                "SELECT l.id FROM ledger_entries l JOIN events e ON e.id = l.source_event_id "
                "WHERE l.reason = 'checkin' AND l.account = 'visits' "
                "AND e.type = 'checkin.recorded'"
            )
            orphan_entries = ids(
                "SELECT l.id FROM ledger_entries l LEFT JOIN events e "
                "ON e.id = l.source_event_id WHERE e.id IS NULL"
            )
            negative = ids(
                "SELECT membership_id FROM ledger_entries WHERE account = 'visits' "
                "GROUP BY membership_id HAVING sum(amount) < 0"
            )
    assert events - rows == set(), "check-in events without their row"
    assert rows - events == set(), "check-in rows without their event"
    assert visit_entries == visit_rows, "visits used by check-ins and their ledger differ"
    assert orphan_entries == set(), "ledger entries without the event that posted them"
    assert negative == set(), "a 次卡 went below zero visits"
