"""Who may do what at the desk."""

from __future__ import annotations

import pytest

from shared.errors import PermissionDenied
from shared.kinds import Role
from shared.permissions import ALLOWED, Action, is_allowed, require


def test_front_desk_may_check_in_and_look_after_members() -> None:
    for action in [
        Action.CHECK_IN,
        Action.VIEW_MEMBER,
        Action.ENROLL_MEMBER,
        Action.EDIT_MEMBER,
        Action.MANAGE_CARDS,
    ]:
        assert is_allowed(Role.FRONT_DESK, action), action


@pytest.mark.parametrize(
    "action",
    [Action.UNDO_CHECKIN, Action.FREEZE, Action.SELL, Action.ADJUST_BALANCE, Action.CONFIGURE],
)
def test_front_desk_may_not_undo_a_checkin_freeze_sell_adjust_or_configure(
    action: Action,
) -> None:
    assert not is_allowed(Role.FRONT_DESK, action)


def test_a_cashier_may_sell_but_not_freeze_or_undo_a_checkin() -> None:
    assert is_allowed(Role.CASHIER, Action.SELL)
    assert is_allowed(Role.CASHIER, Action.CHECK_IN)
    assert not is_allowed(Role.CASHIER, Action.FREEZE)
    assert not is_allowed(Role.CASHIER, Action.UNDO_CHECKIN)


@pytest.mark.parametrize(
    "action",
    [Action.CHECK_IN, Action.SELL, Action.UNDO_CHECKIN, Action.FREEZE, Action.ADJUST_BALANCE],
)
def test_a_manager_may_undo_a_checkin_freeze_and_adjust(action: Action) -> None:
    assert is_allowed(Role.MANAGER, action)
    require(Role.MANAGER, action)


def test_only_an_admin_may_configure() -> None:
    assert [r for r in Role if is_allowed(r, Action.CONFIGURE)] == [Role.ADMIN]


def test_an_admin_may_do_everything() -> None:
    assert all(is_allowed(Role.ADMIN, action) for action in Action)


def test_every_action_has_its_roles() -> None:
    assert set(ALLOWED) == set(Action)
    assert all(roles for roles in ALLOWED.values())


def test_each_role_may_do_at_least_what_the_role_below_it_may() -> None:
    ladder = [Role.FRONT_DESK, Role.CASHIER, Role.MANAGER, Role.ADMIN]
    for lower, higher in zip(ladder, ladder[1:], strict=False):
        for action in Action:
            if is_allowed(lower, action):
                assert is_allowed(higher, action), (higher, action)


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.FRONT_DESK, Action.UNDO_CHECKIN),
        (Role.FRONT_DESK, Action.FREEZE),
        (Role.CASHIER, Action.ADJUST_BALANCE),
        (Role.MANAGER, Action.CONFIGURE),
    ],
)
def test_require_refuses_with_the_action_and_role_as_params(role: Role, action: Action) -> None:
    with pytest.raises(PermissionDenied) as caught:
        require(role, action)

    assert caught.value.code == "staff.permission_denied"
    assert caught.value.params == {"action": action.value, "role": role.value}
    assert caught.value.to_dict() == {
        "code": "staff.permission_denied",
        "params": {"action": action.value, "role": role.value},
    }


def test_require_returns_quietly_when_allowed() -> None:
    assert require(Role.FRONT_DESK, Action.CHECK_IN) is None
