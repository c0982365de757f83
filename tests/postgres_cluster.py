"""Where the test suite finds PostgreSQL, and how it starts a cluster as root.

pytest-postgresql starts a throwaway cluster with ``pg_ctl``. PostgreSQL refuses to run
as root, and CI runs as root, so then the tests use ``pg_ctl_as_postgres.sh``, which
runs the real ``pg_ctl`` as Debian's ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path

import pytest

PG_CTL_PATTERNS = (
    "/usr/lib/postgresql/*/bin/pg_ctl",  # Debian, Ubuntu
    "/usr/pgsql-*/bin/pg_ctl",  # RHEL, Fedora (PGDG)
    "/usr/local/pgsql/bin/pg_ctl",  # built from source
    "/opt/homebrew/opt/postgresql@*/bin/pg_ctl",  # macOS
    "/usr/local/opt/postgresql@*/bin/pg_ctl",
)
AS_POSTGRES = Path(__file__).with_name("pg_ctl_as_postgres.sh")


def find_pg_ctl() -> str | None:
    """The pg_ctl of the newest PostgreSQL installed, or None."""

    def major(path: str) -> int:
        found = re.findall(r"(\d+)", path)
        return int(found[0]) if found else 0

    candidates = [p for pattern in PG_CTL_PATTERNS for p in glob.glob(pattern)]
    if not candidates and (on_path := shutil.which("pg_ctl")):
        candidates = [on_path]
    return max(candidates, key=major) if candidates else None


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def pg_ctl_for_tests() -> str:
    """The executable to give pytest-postgresql."""
    real = find_pg_ctl()
    if real is None:
        return "pg_ctl-not-found"
    if is_root():
        os.environ["MEMBERDESK_REAL_PG_CTL"] = real
        return str(AS_POSTGRES)
    return real


def require_postgresql() -> None:
    """Fail (never skip) with the reason when a cluster cannot be started here."""
    if find_pg_ctl() is None:
        pytest.fail(
            "PostgreSQL server binaries not found: no pg_ctl matched "
            f"{', '.join(PG_CTL_PATTERNS)} or PATH. Install the PostgreSQL server "
            "(apt-get install postgresql; the README's test command does)."
        )
    if is_root() and shutil.which("runuser") is None:
        pytest.fail("running as root needs runuser to start PostgreSQL as 'postgres'")
