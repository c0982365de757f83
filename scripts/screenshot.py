"""Take the README's screenshot of the check-in screen, on the demo data.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot.py \
        --data-dir DEMO_DIR --language zh_CN --out docs/checkin-zh_CN.png

Opens the real app (no camera), logs in as the demo front desk, checks in a member
who holds a plan, and saves the window as it is painted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from sqlalchemy import select

from desktop.preferences import load_preferences, save_preferences
from desktop.terminal import Terminal
from desktop.ui.app import DeskApp
from shared.events.projectors import MEMBERS, MEMBERSHIPS


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--member-no", help="whom to check in (default: one with a time plan)")
    args = parser.parse_args()

    terminal = Terminal.open(args.data_dir)
    prefs = load_preferences(terminal.engine)
    save_preferences(
        terminal.engine, prefs.__class__(**{**prefs.__dict__, "language": args.language})
    )
    desk = DeskApp(terminal, sys.argv[:1], camera=True)
    desk.window.resize(1360, 820)
    desk.window.show()
    desk.window.login.pin.setText("1111")
    desk.window.login.submit()
    while desk.window.locked:
        wait(50)
    with terminal.engine.connect() as conn:
        stmt = select(MEMBERS.c.id).join(MEMBERSHIPS, MEMBERSHIPS.c.member_id == MEMBERS.c.id)
        if args.member_no:
            stmt = select(MEMBERS.c.id).where(MEMBERS.c.member_no == args.member_no)
        member_id = conn.execute(stmt.where(MEMBERSHIPS.c.kind == "time").limit(1)).scalar_one()
    desk.window.checkin.handle_code(terminal.members.card_payload(member_id))
    desk.window.checkin.refresh_recent()
    wait(1500)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    desk.window.grab().save(str(args.out))
    desk.close()
    terminal.close()
    print(args.out)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
