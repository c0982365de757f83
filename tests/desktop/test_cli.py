"""The ``memberdesk`` command, run in-process on temporary data directories.

The CLI opens its Terminal without a keyring backend: on a machine without an OS keyring
(CI) the card key goes to the fallback file inside the data directory.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.demo_data import DEMO_STAFF
from desktop.terminal import Terminal

DEMO_MEMBERS = 20


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory) -> Path:
    """A small demo directory made by the CLI itself, shared read-only by this module."""
    data_dir = tmp_path_factory.mktemp("cli") / "demo"
    assert run(data_dir, "demo-data", "--members", str(DEMO_MEMBERS), "--seed", "3") == 0
    return data_dir


@pytest.fixture
def demo_copy(cli_demo, tmp_path) -> Path:
    """A private copy of the CLI demo (its file keyring included), for tests that write."""
    return Path(shutil.copytree(cli_demo, tmp_path / "demo"))


@pytest.fixture
def member_with_plan(demo_copy) -> tuple[str, str]:
    """(mobile, QR payload) of a new member holding a month plan on the copied demo."""
    with Terminal.open(demo_copy) as terminal:
        terminal.staff.login("2222")
        member_id = terminal.members.enroll(name="新会员", mobile="13012345678")
        [month] = [p for p in terminal.plans.list() if p.name == "月卡"]
        terminal.sales.sell_plan(member_id, month.id)
        return "13012345678", terminal.members.card_payload(member_id)


def test_demo_data_writes_a_demo_and_prints_the_logins(tmp_path, capsys):
    assert run(tmp_path / "demo", "demo-data", "--members", "5", "--checkins-per-member", "1") == 0

    out = capsys.readouterr().out
    assert "5 members" in out
    for name, role, pin in DEMO_STAFF:
        assert name in out and role in out and pin in out


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--members", "0", "must be 1 or more"),
        ("--members", "100000000", "must be less than 100,000,000"),
        ("--members", "many", "invalid"),
        ("--seed", "-1", "must be 0 or more"),
        ("--checkins-per-member", "-3", "must be 0 or more"),
    ],
)
def test_demo_data_refuses_bad_numbers_and_writes_nothing(tmp_path, capsys, option, value, says):
    with pytest.raises(SystemExit) as exit_:
        run(tmp_path / "demo", "demo-data", option, value)

    assert exit_.value.code == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_demo_data_refuses_a_directory_that_holds_data(cli_demo, capsys):
    assert run(cli_demo, "demo-data", "--members", "5") == 2

    assert "already holds data" in capsys.readouterr().err


def test_demo_on_an_existing_demo_shows_it_without_making_another(cli_demo, capsys):
    assert run(cli_demo, "demo", "--headless") == 0

    out = capsys.readouterr().out
    assert "Making demo data" not in out
    assert re.search(rf"^\s+members\s+{DEMO_MEMBERS}$", out, re.MULTILINE)
    assert "Demo logins" in out


def test_info_counts_what_the_directory_holds(cli_demo, capsys):
    assert run(cli_demo, "info") == 0

    out = capsys.readouterr().out
    counts = {
        parts[0]: int(parts[1].replace(",", ""))
        for line in out.splitlines()
        if len(parts := line.split()) == 2 and parts[1].replace(",", "").isdigit()
    }
    assert counts["members"] == DEMO_MEMBERS
    assert counts["check-ins"] > 0
    assert counts["orders"] > 0
    assert counts["events"] > counts["members"]
    assert "D1000001" in out  # the first members are listed


def test_info_on_an_uninitialised_directory_exits_2(tmp_path, capsys):
    assert run(tmp_path / "nothing", "info") == 2

    assert "terminal.not_initialised" in capsys.readouterr().err


def test_search_prints_the_members_found(cli_demo, capsys):
    assert run(cli_demo, "search", "D1000001", "--pin", "1111") == 0

    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("D1000001  ")
    assert line.endswith("(number)")


def test_search_with_a_wrong_pin_exits_2(cli_demo, capsys):
    assert run(cli_demo, "search", "D1000001", "--pin", "0000") == 2

    assert "staff.pin_invalid" in capsys.readouterr().err


def test_checkin_by_mobile_exits_0_then_1_within_the_window(demo_copy, member_with_plan, capsys):
    mobile, _ = member_with_plan

    assert run(demo_copy, "checkin", mobile, "--pin", "1111") == 0
    assert capsys.readouterr().out.startswith("OK 新会员: days left 30")

    assert run(demo_copy, "checkin", mobile, "--pin", "1111") == 1
    assert capsys.readouterr().out.strip() == "REFUSED 新会员: already_checked_in"


def test_checkin_by_qr_payload_exits_0(demo_copy, member_with_plan, capsys):
    _, payload = member_with_plan

    assert run(demo_copy, "checkin", payload, "--pin", "1111") == 0
    assert capsys.readouterr().out.startswith("OK 新会员")


def test_checkin_of_an_unknown_code_exits_2(demo_copy, capsys):
    assert run(demo_copy, "checkin", "no-such-card", "--pin", "1111") == 2

    assert "scan.unknown" in capsys.readouterr().err


def test_init_sets_up_a_terminal_once(tmp_path, capsys):
    args = ("init", "--branch", "新店", "--admin-name", "店主", "--admin-pin", "8888")

    assert run(tmp_path / "new", *args) == 0
    assert "Terminal set up" in capsys.readouterr().out
    assert run(tmp_path / "new", *args) == 2
    assert "terminal.already_initialised" in capsys.readouterr().err
    assert run(tmp_path / "new", "search", "x", "--pin", "8888") == 0


def test_without_a_display_the_window_is_not_attempted(cli_demo, capsys, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)

    assert run(cli_demo, "demo") == 3

    captured = capsys.readouterr()
    assert "Demo logins" in captured.out  # the demo is still described
    assert "no display" in captured.err
