"""The benchmark data set: a demo branch of 200,000 members, built once and reused.

Kept under ``.bench-data/`` in the project (ignored by git). ``--quick`` runs use a small
set in a temporary directory so CI can smoke-test every benchmark in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from keyrings.alt.file import PlaintextKeyring

from desktop import demo_data
from desktop.demo_data import generate_demo_data
from desktop.preferences import load_preferences, save_preferences
from desktop.store.database import BACKUP_DIR, open_database
from desktop.store.migrations_runner import MIGRATIONS_DIR
from desktop.terminal import Terminal

FULL_MEMBERS = 200_000
QUICK_MEMBERS = 1_500
# About 2,050,000 check-ins for 200,000 members (lapsed plans and used-up 次卡 cap some).
CHECKINS_PER_MEMBER = 12
ROOT = Path(__file__).resolve().parent.parent / ".bench-data"


@dataclass(frozen=True)
class Dataset:
    data_dir: Path
    members: int
    checkins: int
    generate_s: float | None  # None when an existing set was reused


def ensure_dataset(*, quick: bool, seed: int = 1) -> Dataset:
    """Build (or reuse) the data set; a half-built one is rebuilt."""
    members = QUICK_MEMBERS if quick else FULL_MEMBERS
    if quick:
        data_dir = Path(tempfile.mkdtemp(prefix="memberdesk-bench-")) / "data"
    else:
        data_dir = ROOT / f"demo-{members}-seed{seed}-per{CHECKINS_PER_MEMBER}"
    marker = data_dir / "bench-dataset.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("schema") == dataset_fingerprint():
            _no_scheduled_backups(data_dir)
            return Dataset(data_dir, info["members"], info["checkins"], None)
    if data_dir.exists():
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    started = time.perf_counter()
    summary = generate_demo_data(
        data_dir,
        members=members,
        seed=seed,
        checkins_per_member=CHECKINS_PER_MEMBER,
        keyring_backend=bench_keyring(data_dir),
    )
    seconds = time.perf_counter() - started
    _no_scheduled_backups(data_dir)
    marker.write_text(
        json.dumps(
            {
                "members": members,
                "checkins": summary.checkins,
                "generate_s": seconds,
                "schema": dataset_fingerprint(),
            }
        )
    )
    return Dataset(data_dir, members, summary.checkins, seconds)


def dataset_fingerprint() -> str:
    """A hash of the migration scripts and the generator: a set built under another
    schema (before release the first migration is edited in place, so its revision
    stays) or by another generator is rebuilt."""
    versions = MIGRATIONS_DIR / "versions"
    digest = hashlib.sha256()
    for script in [*sorted(versions.glob("*.py")), Path(demo_data.__file__)]:
        digest.update(script.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def bench_dataset(*, quick: bool) -> Iterator[Dataset]:
    """The data set for one run; a quick run's temporary set is removed afterwards."""
    dataset = ensure_dataset(quick=quick)
    try:
        yield dataset
    finally:
        if quick:
            shutil.rmtree(dataset.data_dir.parent, ignore_errors=True)


def run_on_dataset(
    run: Callable[[Dataset, int], dict[str, object]], *, n_help: str, quick_n: int, full_n: int
) -> None:
    """A benchmark's command line: ``--quick`` and ``--n``; prints the report as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small smoke run (CI)")
    parser.add_argument("--n", type=int, default=None, help=n_help)
    args = parser.parse_args()
    with bench_dataset(quick=args.quick) as dataset:
        report = run(dataset, args.n or (quick_n if args.quick else full_n))
    print(json.dumps(report, ensure_ascii=False))


def _no_scheduled_backups(data_dir: Path) -> None:
    """A desk opened on the benchmark set (bench.startup) would otherwise copy its 4 GB
    once a day into .bench-data and keep seven of them."""
    engine = open_database(data_dir)
    try:
        prefs = load_preferences(engine)
        if prefs.backup_interval_hours:
            save_preferences(engine, replace(prefs, backup_interval_hours=0))
    finally:
        engine.dispose()
    shutil.rmtree(data_dir / BACKUP_DIR, ignore_errors=True)


def warm_file_cache(path: Path) -> float:
    """Read ``path`` once so the OS holds it in memory, as it holds a desk's database
    that is read all day; seconds taken. (This VM's memory reclaim evicts an idle file's
    pages, and a cold file measures the disk instead of the code.)"""
    started = time.perf_counter()
    with path.open("rb", buffering=0) as file:
        while file.read(1 << 20):
            pass
    return time.perf_counter() - started


def open_terminal(dataset: Dataset) -> Terminal:
    return Terminal.open(dataset.data_dir, keyring_backend=bench_keyring(dataset.data_dir))


def bench_keyring(data_dir: Path) -> PlaintextKeyring:
    """A file keyring inside the data set, so benchmarks never touch the user's keyring."""
    backend = PlaintextKeyring()
    backend.file_path = str(data_dir / "keyring" / "bench-keyring.cfg")
    return backend


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated; medians come from statistics.median."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(q) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
