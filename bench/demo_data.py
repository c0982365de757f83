"""How long the demo data set takes to generate (always a fresh one, in a temp dir).

    python -m bench.demo_data [--quick] [--members N] [--workers N]

Last line: JSON with generate_s (wall seconds), cpu_s (user + system seconds of this
process and its worker processes: the VM is shared, so wall time alone swings), workers,
members, checkins, events_per_s.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.dataset import CHECKINS_PER_MEMBER, FULL_MEMBERS, QUICK_MEMBERS, bench_keyring
from desktop.demo_data import default_workers, generate_demo_data
from desktop.store.database import DB_FILENAME
from shared.model import Event


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small smoke run (CI)")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    members = args.members or (QUICK_MEMBERS if args.quick else FULL_MEMBERS)
    root = Path(tempfile.mkdtemp(prefix="memberdesk-demo-bench-"))
    try:
        data_dir = root / "data"
        started = time.perf_counter()
        cpu_started = _cpu_s()
        summary = generate_demo_data(
            data_dir,
            members=members,
            seed=1,
            checkins_per_member=CHECKINS_PER_MEMBER,
            keyring_backend=bench_keyring(data_dir),
            workers=args.workers,
        )
        seconds = time.perf_counter() - started
        cpu_seconds = _cpu_s() - cpu_started
        engine = create_engine(f"sqlite:///{data_dir / DB_FILENAME}")
        with engine.connect() as conn:
            events = conn.execute(select(func.count()).select_from(Event)).scalar_one()
        engine.dispose()
        size_mb = (data_dir / DB_FILENAME).stat().st_size / 1e6
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        json.dumps(
            {
                "members": members,
                "workers": args.workers or default_workers(members),
                "checkins": summary.checkins,
                "events": events,
                "generate_s": round(seconds, 1),
                "cpu_s": round(cpu_seconds, 1),
                "events_per_s": round(events / seconds),
                "db_mb": round(size_mb),
            }
        )
    )


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


if __name__ == "__main__":
    main()
