"""``python -m bench.decode --quick`` runs and reports sensible figures (never how fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bench.test_bench_smoke import is_number, run_quick

RATES = ("found_rate", "zxing_found_rate", "pyzbar_found_rate")
TIMES = (
    "median_ms",
    "p95_ms",
    "fps",
    "empty_median_ms",
    "code_median_ms",
    "zxing_median_ms",
    "pyzbar_median_ms",
)
COUNTS = ("frames", "wrong", "pyzbar_wrong")


@pytest.mark.slow
def test_bench_decode_in_quick_mode_reports_its_figures(tmp_path: Path) -> None:
    report: dict[str, Any] = run_quick("decode", tmp_path)

    for key in RATES:
        assert is_number(report.get(key)) and 0 <= report[key] <= 1, f"{key}={report.get(key)!r}"
    for key in TIMES:
        assert is_number(report.get(key)) and report[key] > 0, f"{key}={report.get(key)!r}"
    for key in COUNTS:
        assert isinstance(report.get(key), int), f"{key}={report.get(key)!r}"
    assert report["frames"] > 0
    assert report["p95_ms"] >= report["median_ms"]
    assert report["fps"] == pytest.approx(1000 / report["median_ms"], rel=0.01)
    # The frames are easy enough that any working decoder reads most of them.
    assert report["found_rate"] >= 0.75 and report["zxing_found_rate"] >= 0.75
    # A wrong text is worse than none: the terminal's decoders never return one.
    assert report["wrong"] == 0 and report["pyzbar_wrong"] == 0
