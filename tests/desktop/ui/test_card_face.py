"""What the member card shows comes from the terminal's services, read in a worker."""

from __future__ import annotations

from desktop.terminal import Terminal
from desktop.ui.card_dialog import CardDialog, card_face
from desktop.ui.context import DeskContext
from tests.conftest import BRANCH_NAME, BRANCH_TIMEZONE
from tests.desktop.services.peers import peer_event, receive


def rename_branch(terminal: Terminal, name: str, clock) -> None:
    """Head office renames the branch; the change arrives by sync."""
    branch_id = terminal.identity.branch_id
    payload = {"branch_id": branch_id, "name": name, "timezone": BRANCH_TIMEZONE}
    receive(terminal, peer_event("branch.configured", payload, clock.now(), branch_id=branch_id))


def test_the_terminal_names_its_branch(terminal: Terminal):
    assert terminal.branch_name() == BRANCH_NAME


def test_a_renamed_branch_is_on_the_next_card(qtbot, desk: DeskContext, terminal, clock):
    member_id = terminal.members.enroll(name="王小明")
    rename_branch(terminal, "测试店（新址）", clock)

    assert terminal.branch_name() == "测试店（新址）"
    assert card_face(terminal, member_id, "会员卡").branch_name == "测试店（新址）"
    dialog = CardDialog(desk, member_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.is_ready)
    assert dialog.face is not None and dialog.face.branch_name == "测试店（新址）"
