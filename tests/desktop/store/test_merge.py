"""merge_database: disjoint parts of one data set become one file; a clash changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from desktop.demo_data import _write_part
from desktop.store.database import DB_FILENAME, open_database
from desktop.store.merge import merge_database
from tests.desktop.test_demo_data import table_digests

TODAY = date(2026, 3, 2)


def part(root: Path, name: str, first: int, last: int) -> Path:
    _write_part(root / name, 3, TODAY, first, last, 4)
    return root / name / DB_FILENAME


def test_two_parts_merged_hold_what_one_file_of_both_holds(tmp_path: Path) -> None:
    first = part(tmp_path, "first", 1, 6)
    second = part(tmp_path, "second", 7, 12)
    whole = part(tmp_path, "whole", 1, 12)
    engine = open_database(first.parent)

    merge_database(engine, second)

    engine.dispose()
    assert table_digests(first) == table_digests(whole)


def test_a_row_already_there_is_an_error_and_nothing_is_merged(tmp_path: Path) -> None:
    first = part(tmp_path, "first", 1, 6)
    second = part(tmp_path, "second", 7, 12)
    engine = open_database(first.parent)
    merge_database(engine, second)
    before = table_digests(first)

    with pytest.raises(sqlite3.IntegrityError):
        merge_database(engine, second)

    assert table_digests(first) == before
    # Detached again: the same connection merges the next part.
    third = part(tmp_path, "third", 13, 14)
    merge_database(engine, third)
    engine.dispose()
    assert table_digests(first)["members"][0] == 14
