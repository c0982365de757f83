"""The child process of the crash test: checks members in as fast as it can.

    python -m tests.e2e.checkin_burst DATA_DIR START_ISO PIN MEMBER_ID...

Cycles through the members, one check-in per transaction, and prints each check-in id
only after its transaction committed, so every printed line is a promise the desk was
given. It runs until it is killed. A refusal means the set-up was wrong: exit 3.
"""

from __future__ import annotations

import itertools
import sys
from datetime import datetime, timedelta
from pathlib import Path

from desktop.terminal import Terminal
from tests.memory_keyring import MemoryKeyring

# Long enough that a member's next turn comes after the double-scan window.
STEP = timedelta(minutes=2)


def main(argv: list[str]) -> int:
    data_dir, start, pin, *member_ids = argv
    at = datetime.fromisoformat(start)

    def now() -> datetime:
        return at

    # Check-ins by member id need no card key: a fresh in-memory keyring will do.
    terminal = Terminal.open(Path(data_dir), now=now, keyring_backend=MemoryKeyring())
    terminal.staff.login(pin)
    for member_id in itertools.cycle(member_ids):
        result = terminal.checkins.check_in_member(member_id)
        if result.checkin_id is None:
            sys.stderr.write(f"refused {member_id}: {result.decision.reason}\n")
            return 3
        sys.stdout.write(f"{result.checkin_id}\n")
        sys.stdout.flush()
        at += STEP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
