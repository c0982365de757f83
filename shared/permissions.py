"""Who may do what. Enforced in the terminal's services (and later at server ingest)."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import PermissionDenied
from shared.kinds import Role


class Action(StrEnum):
    CHECK_IN = "check_in"
    VIEW_MEMBER = "view_member"
    ENROLL_MEMBER = "enroll_member"
    EDIT_MEMBER = "edit_member"
    MANAGE_CARDS = "manage_cards"
    SELL = "sell"
    FREEZE = "freeze"
    UNDO_CHECKIN = "undo_checkin"
    ADJUST_BALANCE = "adjust_balance"
    CONFIGURE = "configure"
    MANAGE_BACKUPS = "manage_backups"  # a desk's backup schedule and how many it keeps


_DESK = frozenset({Role.FRONT_DESK, Role.CASHIER, Role.MANAGER, Role.ADMIN})
_CASH = frozenset({Role.CASHIER, Role.MANAGER, Role.ADMIN})
_MANAGE = frozenset({Role.MANAGER, Role.ADMIN})

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.CHECK_IN: _DESK,
    Action.VIEW_MEMBER: _DESK,
    Action.ENROLL_MEMBER: _DESK,
    Action.EDIT_MEMBER: _DESK,
    Action.MANAGE_CARDS: _DESK,
    Action.SELL: _CASH,
    Action.FREEZE: _MANAGE,
    Action.UNDO_CHECKIN: _MANAGE,
    Action.ADJUST_BALANCE: _MANAGE,
    Action.CONFIGURE: frozenset({Role.ADMIN}),
    Action.MANAGE_BACKUPS: _MANAGE,
}


def is_allowed(role: Role, action: Action) -> bool:
    return role in ALLOWED[action]


def require(role: Role, action: Action) -> None:
    if not is_allowed(role, action):
        raise PermissionDenied(action=str(action), role=str(role))
