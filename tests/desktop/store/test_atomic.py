"""Atomic file writes: a reader sees the old file or the whole new one, never a part."""

from __future__ import annotations

import pytest

from desktop.store.atomic import write_atomic, write_bytes_atomic


class WriterCrashed(Exception):
    pass


def test_write_bytes_atomic_creates_and_replaces(tmp_path):
    path = tmp_path / "file.bin"

    write_bytes_atomic(path, b"first")
    write_bytes_atomic(path, b"second")

    assert path.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_a_writer_that_fails_half_way_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"old and whole")

    def half_then_crash(handle):
        handle.write(b"new but only ha")
        raise WriterCrashed

    with pytest.raises(WriterCrashed):
        write_atomic(path, half_then_crash)

    assert path.read_bytes() == b"old and whole"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_a_writer_that_fails_on_a_new_file_leaves_nothing(tmp_path):
    def crash(handle):
        handle.write(b"partial")
        raise WriterCrashed

    with pytest.raises(WriterCrashed):
        write_atomic(tmp_path / "new.bin", crash)

    assert list(tmp_path.iterdir()) == []


def test_a_target_that_is_a_directory_is_left_alone(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()

    with pytest.raises(OSError):
        write_bytes_atomic(target, b"data")

    assert target.is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
