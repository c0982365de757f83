"""Check-in latency: resolve a code, decide, write event + projection, commit.

Compared with a floor measured on the same file in the same run: a bare indexed SELECT,
one INSERT and a COMMIT through sqlite3 with the same pragmas (WAL, synchronous=FULL).
The file is read once first, so that both run on a file the OS holds in memory, as it
holds a desk's database that is in use all day.

    python -m bench.checkin [--quick] [--n N]

Last line: JSON with p50_ms, p95_ms, floor_p50_ms, floor_p95_ms, ratio (p95 / floor p95).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
import uuid
from pathlib import Path

from sqlalchemy import or_, select

from bench.dataset import (
    Dataset,
    ms,
    open_terminal,
    percentile,
    run_on_dataset,
    warm_file_cache,
)
from desktop.store.database import DB_FILENAME
from desktop.terminal import Terminal
from shared.events.projectors import MEMBERS, MEMBERSHIPS
from shared.rules.checkin import local_date

WARM_UP = 20


def main() -> None:
    run_on_dataset(_run, n_help="check-ins to time", quick_n=50, full_n=1000)


def _run(dataset: Dataset, n: int) -> dict[str, object]:
    """Check-ins and floor operations alternate, so both see the same machine."""
    warm_file_cache(dataset.data_dir / DB_FILENAME)
    terminal = open_terminal(dataset)
    terminal.staff.login("1111")  # the demo front desk
    codes = _codes_of_admitted_members(terminal, n + WARM_UP)
    floor = _Floor(dataset.data_dir / DB_FILENAME)
    latencies: list[float] = []
    floor_latencies: list[float] = []
    allowed = 0
    for i, code in enumerate(codes):
        started = time.perf_counter()
        result = terminal.checkins.check_in_code(code)
        elapsed = time.perf_counter() - started
        floor_elapsed = floor.one()
        if i >= WARM_UP:
            latencies.append(elapsed)
            floor_latencies.append(floor_elapsed)
            allowed += result.decision.allowed
    floor.close()
    terminal.close()
    p95_ms = ms(percentile(latencies, 95))
    floor_p95_ms = ms(percentile(floor_latencies, 95))
    return {
        "members": dataset.members,
        "checkins_in_dataset": dataset.checkins,
        "generate_s": round(dataset.generate_s, 1) if dataset.generate_s else None,
        "n": len(latencies),
        "allowed": allowed,
        "p50_ms": ms(statistics.median(latencies)),
        "p95_ms": p95_ms,
        "floor_p50_ms": ms(statistics.median(floor_latencies)),
        "floor_p95_ms": floor_p95_ms,
        "ratio": round(p95_ms / floor_p95_ms, 2),
    }


def _codes_of_admitted_members(terminal: Terminal, n: int) -> list[str]:
    """QR payloads (and some mobile numbers) of members whose time plan covers today."""
    today = local_date(terminal.recorder.now(), terminal.branch_tz)
    with terminal.engine.connect() as conn:
        rows = conn.execute(
            select(MEMBERS.c.id, MEMBERS.c.mobile)
            .join(MEMBERSHIPS, MEMBERSHIPS.c.member_id == MEMBERS.c.id)
            .where(
                MEMBERSHIPS.c.kind == "time",
                MEMBERSHIPS.c.start_date <= today,
                or_(MEMBERSHIPS.c.base_end_date.is_(None), MEMBERSHIPS.c.base_end_date >= today),
            )
            .distinct()
        ).all()
    rng = random.Random()  # a fresh sample each run: members just checked in are refused
    picked = rng.sample(rows, min(n, len(rows)))
    codes = []
    for i, row in enumerate(picked):
        if i % 4 == 3 and row.mobile:
            codes.append(row.mobile)
        else:
            codes.append(terminal.members.card_payload(row.id))
    return codes


class _Floor:
    """A bare indexed SELECT + INSERT + COMMIT through sqlite3, same file and pragmas."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor (id TEXT PRIMARY KEY, member_id TEXT, at TEXT)"
        )
        # Spread over the whole table, as the check-ins' members are: the first 5,000
        # rows alone would sit in the cache while the check-ins read cold pages.
        self._mobiles = [
            r[0]
            for r in self._conn.execute(
                "SELECT mobile FROM members WHERE mobile IS NOT NULL ORDER BY random() LIMIT 5000"
            )
        ]
        self._next = 0

    def one(self) -> float:
        mobile = self._mobiles[self._next % len(self._mobiles)]
        self._next += 1
        started = time.perf_counter()
        self._conn.execute("BEGIN")
        row = self._conn.execute("SELECT id FROM members WHERE mobile = ?", (mobile,)).fetchone()
        self._conn.execute(
            "INSERT INTO bench_floor VALUES (?, ?, datetime('now'))", (str(uuid.uuid4()), row[0])
        )
        self._conn.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self._conn.execute("DROP TABLE bench_floor")
        self._conn.close()


if __name__ == "__main__":
    main()
