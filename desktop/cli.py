"""The ``memberdesk`` command: the terminal app and its headless jobs.

memberdesk                           open the front desk on the terminal's data directory
memberdesk demo                      make (once) a demo data directory and open the desk on it
memberdesk demo --headless           make (once) and describe the demo, without a window
memberdesk demo-data --members N     write a demo data set into an empty directory
memberdesk init --branch NAME ...    set up a stand-alone terminal
memberdesk info                      what a data directory holds
memberdesk search QUERY --pin PIN    find members as the desk would
memberdesk checkin CODE --pin PIN    check in a scanned/typed code
memberdesk backup [--keep N]         back the database up now; print the backup's path
memberdesk backups                   list the backups, newest first
memberdesk restore FILE              replace the database with a backup (desk closed)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import platformdirs
from sqlalchemy import func, select

from desktop.demo_data import DEMO_STAFF, MAX_MEMBERS, DemoSummary, generate_demo_data
from desktop.error_text import error_text, system_language
from desktop.services.member_state import not_undone
from desktop.store.backups import (
    BackupKind,
    backups_folder,
    list_backups,
    restore_backup,
    take_backup,
)
from desktop.store.database import DB_FILENAME
from desktop.store.migrations_runner import HEAD_REVISION
from desktop.terminal import Terminal
from shared.errors import MemberDeskError, TerminalNotInitialised
from shared.events.projectors import CHECKINS, MEMBERS, ORDERS
from shared.model import Event

APP_NAME = "MemberDesk"
DEMO_MEMBERS = 2_000


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.handler(args)
        return result
    except MemberDeskError as exc:
        print(f"memberdesk: {error_text(exc, system_language())} [{exc.code}]", file=sys.stderr)
        return 2


# Internals below.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="memberdesk", description="MemberDesk front desk")
    parser.add_argument("--data-dir", type=Path, help="data directory (default: per user)")
    parser.add_argument("--demo", action="store_true", help="use the demo data directory")
    parser.set_defaults(handler=_cmd_gui)
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="make (once) a demo data directory and open the desk")
    demo.add_argument("--headless", action="store_true", help="describe it; open no window")
    demo.set_defaults(handler=_cmd_demo)

    data = sub.add_parser("demo-data", help="write a demo data set into an empty directory")
    data.add_argument("--members", type=_member_count, default=DEMO_MEMBERS)
    data.add_argument("--seed", type=_not_negative, default=1)
    data.add_argument("--checkins-per-member", type=_not_negative, default=10)
    data.set_defaults(handler=_cmd_demo_data)

    init = sub.add_parser("init", help="set up a stand-alone terminal")
    init.add_argument("--branch", required=True, help="branch name")
    init.add_argument("--timezone", default="Asia/Shanghai")
    init.add_argument("--admin-name", required=True)
    init.add_argument("--admin-pin", required=True)
    init.set_defaults(handler=_cmd_init)

    info = sub.add_parser("info", help="what a data directory holds")
    info.set_defaults(handler=_cmd_info)

    search = sub.add_parser("search", help="find members")
    search.add_argument("query")
    search.add_argument("--pin", required=True, help="staff PIN")
    search.set_defaults(handler=_cmd_search)

    checkin = sub.add_parser("checkin", help="check in a scanned or typed code")
    checkin.add_argument("code")
    checkin.add_argument("--pin", required=True, help="staff PIN")
    checkin.set_defaults(handler=_cmd_checkin)

    backup = sub.add_parser("backup", help="back the database up now and print the path")
    backup.add_argument("--keep", type=_positive, help="then keep only the newest N manual backups")
    backup.set_defaults(handler=_cmd_backup)

    backups = sub.add_parser("backups", help="list the backups, newest first")
    backups.set_defaults(handler=_cmd_backups)

    restore = sub.add_parser(
        "restore", help="replace the database with a backup (close the desk first)"
    )
    restore.add_argument("file", type=Path, help="the backup file")
    restore.add_argument(
        "--other-terminal",
        action="store_true",
        help="restore another terminal's backup: this PC becomes that terminal "
        "(a replaced PC; never run the old one again)",
    )
    restore.set_defaults(handler=_cmd_restore)
    return parser


def _member_count(text: str) -> int:
    value = _positive(text)
    if value >= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"must be less than {MAX_MEMBERS:,}")
    return value


def _not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _data_dir(args: argparse.Namespace, default: Path) -> Path:
    if args.data_dir:
        return Path(args.data_dir)
    return default_data_dir() / "demo" if args.demo else default


def _cmd_demo(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir() / "demo")
    if not (data_dir / DB_FILENAME).exists():
        print(f"Making demo data ({DEMO_MEMBERS:,} members) in {data_dir} ...")
        _print_summary(generate_demo_data(data_dir, members=DEMO_MEMBERS, seed=1))
    _print_info(data_dir)
    _print_logins()
    if args.headless:
        return 0
    return _open_window(data_dir)


def _cmd_gui(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir())
    if not (data_dir / DB_FILENAME).exists():
        print(
            f"memberdesk: {data_dir} holds no terminal yet. Try the demo (memberdesk demo)"
            " or set one up (memberdesk init --branch NAME --admin-name NAME --admin-pin PIN).",
            file=sys.stderr,
        )
        return 2
    return _open_window(data_dir)


def _open_window(data_dir: Path) -> int:
    if not has_display():
        print(
            "memberdesk: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are"
            " unset). Run it on the desk's screen, or try the headless commands: info,"
            " search, checkin.",
            file=sys.stderr,
        )
        return 3
    from desktop.ui.app import run_gui  # Qt only when a window is wanted

    return run_gui(data_dir)


def has_display() -> bool:
    """Whether Qt can show a window here (an explicit QT_QPA_PLATFORM counts)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _cmd_demo_data(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir() / "demo")
    if (data_dir / DB_FILENAME).exists():
        print(
            f"memberdesk: {data_dir} already holds data; choose an empty --data-dir",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    summary = generate_demo_data(
        data_dir,
        members=args.members,
        seed=args.seed,
        checkins_per_member=args.checkins_per_member,
        progress=lambda msg: print(f"  {msg}", flush=True),
    )
    _print_summary(summary)
    print(f"Took {time.perf_counter() - started:.1f} s")
    _print_logins()
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir())
    with Terminal.initialise(
        data_dir,
        branch_name=args.branch,
        timezone=args.timezone,
        admin_name=args.admin_name,
        admin_pin=args.admin_pin,
    ):
        print(f"Terminal set up in {data_dir}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    _print_info(_data_dir(args, default_data_dir()))
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    with Terminal.open(_data_dir(args, default_data_dir())) as terminal:
        terminal.staff.login(args.pin)
        for hit in terminal.search(args.query):
            print(f"{hit.member_no}  {hit.name}  {hit.mobile or '-'}  ({hit.match})")
    return 0


def _cmd_checkin(args: argparse.Namespace) -> int:
    with Terminal.open(_data_dir(args, default_data_dir())) as terminal:
        terminal.staff.login(args.pin)
        result = terminal.checkins.check_in_code(args.code)
        name = terminal.members.profile(result.member_id).name
        decision = result.decision
        if decision.allowed:
            notices = ", ".join(sorted(decision.notices)) or "-"
            print(
                f"OK {name}: days left {decision.days_left}, visits left "
                f"{decision.visits_left_after}, notices {notices}"
            )
            return 0
        print(f"REFUSED {name}: {decision.reason}")
        return 1


def _cmd_backup(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir())
    database = data_dir / DB_FILENAME
    if not database.is_file():
        raise TerminalNotInitialised(data_dir=str(data_dir))
    info = take_backup(database, BackupKind.MANUAL, keep=args.keep)
    print(info.path)
    return 0


def _cmd_backups(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir())
    folder = backups_folder(data_dir / DB_FILENAME)
    found = list_backups(folder)
    if not found:
        print(f"No backups in {folder}")
        return 0
    print(f"Backups in {folder} (newest first, local time):")
    for info in found:
        taken = info.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"  {taken}  {info.kind:13s} schema {info.revision:6s} "
            f"{_size_text(info.size_bytes):>9s}  {info.path.name}"
        )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args, default_data_dir())
    result = restore_backup(args.file, data_dir / DB_FILENAME, other_terminal=args.other_terminal)
    print(f"Restored {args.file} into {data_dir} (schema {result.revision}).")
    if result.safety is not None:
        print(f"The database it replaced was kept as {result.safety.path}")
    if result.revision != HEAD_REVISION:
        print("It will be brought up to the current schema when MemberDesk next opens it.")
    return 0


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _print_info(data_dir: Path) -> None:
    with Terminal.open(data_dir) as terminal, terminal.engine.connect() as conn:
        counts = {
            "members": conn.execute(select(func.count()).select_from(MEMBERS)).scalar_one(),
            "check-ins": conn.execute(
                select(func.count()).select_from(CHECKINS).where(not_undone())
            ).scalar_one(),
            "orders": conn.execute(select(func.count()).select_from(ORDERS)).scalar_one(),
            "events": conn.execute(select(func.count()).select_from(Event)).scalar_one(),
        }
        print(f"Data directory: {data_dir}")
        print(f"Terminal {terminal.identity.terminal_id}, branch time zone {terminal.branch_tz}")
        for label, n in counts.items():
            print(f"  {label:10s} {n:>12,}")
        sample = conn.execute(
            select(MEMBERS.c.member_no, MEMBERS.c.name, MEMBERS.c.name_pinyin, MEMBERS.c.mobile)
            .order_by(MEMBERS.c.member_no)
            .limit(5)
        ).all()
        print("First members:")
        for row in sample:
            print(f"  {row.member_no}  {row.name} ({row.name_pinyin})  {row.mobile}")
        if not terminal.is_system_keyring:
            print("Note: no OS keyring here; the card key is kept in the data directory.")


def _print_summary(summary: DemoSummary) -> None:
    print(
        f"Demo branch '{summary.branch_name}': {summary.members:,} members, "
        f"{summary.checkins:,} check-ins, {summary.orders:,} orders in {summary.data_dir}"
    )


def _print_logins() -> None:
    print("Demo logins (PIN):")
    for name, role, pin in DEMO_STAFF:
        print(f"  {name:6s} {role:11s} {pin}")
