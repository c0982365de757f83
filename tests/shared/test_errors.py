"""Typed errors: a stable dotted code each, and params instead of user text."""

from __future__ import annotations

import inspect
import json
import re

import pytest

import shared.errors as errors_module
from shared.errors import (
    ERROR_CODES,
    CardNumberTaken,
    EventInvalid,
    MemberDeskError,
    NameTooLong,
    ValidationError,
    all_error_classes,
)

DOTTED = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")


def test_all_error_classes_lists_every_error_class_of_the_module_once() -> None:
    defined = {
        obj
        for obj in vars(errors_module).values()
        if inspect.isclass(obj) and issubclass(obj, MemberDeskError)
    }
    listed = all_error_classes()

    assert set(listed) == defined
    assert len(listed) == len(set(listed))


def test_every_error_class_has_a_unique_code() -> None:
    classes = all_error_classes()
    codes = [cls.code for cls in classes]

    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert frozenset(codes) == ERROR_CODES


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_dotted_code(cls: type[MemberDeskError]) -> None:
    assert DOTTED.fullmatch(cls.code), f"{cls.__name__}.code = {cls.code!r} is not dotted"


def test_validation_errors_are_member_desk_errors() -> None:
    assert issubclass(ValidationError, MemberDeskError)
    assert issubclass(NameTooLong, ValidationError)
    assert issubclass(EventInvalid, MemberDeskError)


def test_a_taken_card_number_is_a_validation_error_naming_number_and_holder() -> None:
    err = CardNumberTaken(number="OLD-1", member_no="T1000001")

    assert isinstance(err, ValidationError)
    assert err.to_dict() == {
        "code": "card.number_taken",
        "params": {"number": "OLD-1", "member_no": "T1000001"},
    }


def test_an_error_keeps_its_params_and_turns_into_a_dict() -> None:
    err = NameTooLong(length=51, max_length=50)

    assert err.params == {"length": 51, "max_length": 50}
    assert err.to_dict() == {
        "code": "member.name_too_long",
        "params": {"length": 51, "max_length": 50},
    }
    assert json.loads(json.dumps(err.to_dict())) == err.to_dict()


def test_an_error_without_params_has_an_empty_params_dict() -> None:
    err = EventInvalid()

    assert err.params == {}
    assert err.to_dict() == {"code": "event.invalid", "params": {}}
    assert str(err) == "event.invalid"


def test_the_message_names_the_code_and_the_params_in_order_for_logs() -> None:
    err = EventInvalid(type="x.y", field="payload", reason="missing")

    assert str(err) == "event.invalid(field='payload', reason='missing', type='x.y')"


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_can_be_raised_with_params_and_caught_as_a_member_desk_error(
    cls: type[MemberDeskError],
) -> None:
    with pytest.raises(MemberDeskError) as caught:
        raise cls(detail="x")

    assert caught.value.to_dict() == {"code": cls.code, "params": {"detail": "x"}}
