"""Write a file atomically: readers see the old file or the whole new one, never a part.

The bytes go to a temporary file in the target's directory, are flushed to disk, and the
temporary file is renamed over the target (``os.replace``). On any failure the temporary
file is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Create or replace ``path`` with what ``write`` writes to the file object it is given.

    The parent directory must exist. Exceptions from ``write`` or the file system propagate.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(path.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Create or replace ``path`` with ``data``, atomically."""

    def write(handle: BinaryIO) -> None:
        handle.write(data)

    write_atomic(path, write)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX only; Windows cannot open a directory)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
