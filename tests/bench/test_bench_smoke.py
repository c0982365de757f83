"""Every benchmark runs in its small (``--quick``) mode and reports its figures.

Only that the figures are there and make sense is checked, never how fast: test machines
are too noisy for speed limits, which are what the benchmarks themselves are for.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300

# benchmark -> (figures that must be positive numbers, figures that must be whole counts)
POSITIVE = {
    "checkin": ("p50_ms", "p95_ms", "floor_p95_ms", "ratio", "n"),
    "search": ("p50_ms", "p95_ms", "name_p95_ms", "pinyin_p95_ms", "mobile_tail_p95_ms"),
    "demo_data": ("generate_s", "members", "checkins"),
    "scan_to_result": ("p50_ms", "p95_ms", "n"),
    "startup": (
        "startup_median_ms",
        "window_median_ms",
        "rss_mb_after_browse",
        "peak_rss_mb",
        "rows_browsed",
    ),
}
COUNTS = {
    "checkin": ("n",),
    "search": ("queries_without_hits",),
    "demo_data": ("members", "checkins", "events"),
    "scan_to_result": ("n", "allowed", "missed"),
    "startup": ("rows_browsed", "runs"),
}


def run_quick(name: str, tmp_path: Path) -> dict[str, object]:
    """Run ``python -m bench.<name> --quick`` as CI does; its last stdout line, parsed."""
    # Quick data sets go to a temporary directory; keep them inside this test's own.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"bench.{name} exited {done.returncode}:\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"bench.{name} printed nothing; stderr:\n{done.stderr}"
    report = json.loads(lines[-1])
    assert isinstance(report, dict), lines[-1]
    return report


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_a_benchmark_in_quick_mode_reports_its_figures(name, tmp_path):
    report = run_quick(name, tmp_path)

    for key in POSITIVE[name]:
        assert key in report, f"bench.{name} does not report {key}: {report}"
        assert is_number(report[key]) and report[key] > 0, f"{key}={report[key]!r}"
    for key in COUNTS[name]:
        assert isinstance(report.get(key), int), f"{key}={report.get(key)!r}"
    if name == "search":
        assert report["queries_without_hits"] == 0
    if name == "demo_data":
        assert report["events"] >= report["checkins"]
    if name == "scan_to_result":
        assert report["missed"] == 0  # every readable frame reached the result panel
    if name == "startup":
        assert report["rows_browsed"] == report["members"]
