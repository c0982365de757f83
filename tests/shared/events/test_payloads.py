"""Payload schemas refuse what a peer or an old terminal must not send."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.errors import EventInvalid
from shared.events import CATALOG, event_type
from shared.events.payloads import (
    MEMBER_FIELDS,
    BranchConfigured,
    CardIssued,
    CheckinRecorded,
    CheckinUndone,
    LedgerIn,
    LedgerPosted,
    MemberEnrolled,
    MembershipFrozen,
    MembershipIn,
    MemberUpdated,
    OrderLineIn,
    OrderPlaced,
    PaymentIn,
    PlanDefined,
    StaffEnrolled,
)


def line(**kw: Any) -> dict[str, Any]:
    return {
        "line_id": "l1",
        "kind": "product",
        "quantity": 1,
        "unit_price_fen": 300,
        "amount_fen": 300,
        **kw,
    }


def plan(**kw: Any) -> dict[str, Any]:
    return {"plan_id": "p1", "name": "年卡", "kind": "time", "price_fen": 298000, **kw}


def ledger(**kw: Any) -> dict[str, Any]:
    return {"entry_id": "e1", "account": "points", "amount": 10, "reason": "purchase", **kw}


def refuses(model: type[BaseModel], data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [tuple(err["loc"]) for err in caught.value.errors()]


# Sanity: the good inputs the refusals below are made from are accepted.


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (PlanDefined, plan()),
        (OrderLineIn, line()),
        (PaymentIn, {"payment_id": "x", "method": "wechat", "amount_fen": 0}),
        (OrderPlaced, {"order_id": "o", "total_fen": 300, "lines": [line()]}),
        (LedgerIn, ledger(expires_at="2027-01-01T00:00:00+08:00")),
        (BranchConfigured, {"branch_id": "b", "name": "店", "timezone": "Asia/Shanghai"}),
        (StaffEnrolled, {"staff_id": "s", "branch_id": "b", "name": "n", "role": "cashier",
                         "pin_hash": "h"}),
        (CheckinRecorded, {"checkin_id": "c", "member_id": "m", "method": "qr"}),
        (CheckinUndone, {"checkin_id": "c", "member_id": "m"}),
        (CheckinUndone, {"checkin_id": "c", "member_id": "m", "membership_id": "s",
                         "visit_entry_id": "e", "reason": "扫错人"}),
        (MemberEnrolled, {"member_id": "m", "member_no": "1", "name": "张三"}),
    ],
)  # fmt: skip
def test_the_good_inputs_are_accepted(model: type[BaseModel], data: dict[str, Any]) -> None:
    model.model_validate(data)


# Money.


@pytest.mark.parametrize(
    ("model", "data", "loc"),
    [
        (PlanDefined, plan(price_fen=-1), ("price_fen",)),
        (PlanDefined, plan(kind="stored_value", stored_value_fen=-100), ("stored_value_fen",)),
        (OrderLineIn, line(unit_price_fen=-300), ("unit_price_fen",)),
        (OrderLineIn, line(amount_fen=-300), ("amount_fen",)),
        (PaymentIn, {"payment_id": "x", "method": "cash", "amount_fen": -1}, ("amount_fen",)),
        (OrderPlaced, {"order_id": "o", "total_fen": -1, "lines": [line()]}, ("total_fen",)),
    ],
)
def test_a_negative_amount_of_fen_is_refused(
    model: type[BaseModel], data: dict[str, Any], loc: tuple[str, ...]
) -> None:
    assert refuses(model, data) == [loc]


def test_an_amount_of_fen_given_as_a_fraction_is_refused() -> None:
    assert refuses(PaymentIn, {"payment_id": "x", "method": "cash", "amount_fen": 1.5}) == [
        ("amount_fen",)
    ]


def test_an_order_needs_at_least_one_line() -> None:
    assert refuses(OrderPlaced, {"order_id": "o", "total_fen": 0, "lines": []}) == [("lines",)]


def test_an_order_line_needs_a_positive_quantity() -> None:
    assert refuses(OrderLineIn, line(quantity=0)) == [("quantity",)]


# Closed sets.


@pytest.mark.parametrize(
    ("model", "data", "loc"),
    [
        (PlanDefined, plan(kind="yearly"), ("kind",)),
        (
            StaffEnrolled,
            {"staff_id": "s", "branch_id": "b", "name": "n", "role": "janitor", "pin_hash": "h"},
            ("role",),
        ),
        (CheckinRecorded, {"checkin_id": "c", "member_id": "m", "method": "face"}, ("method",)),
        (LedgerIn, ledger(account="coins"), ("account",)),
        (MemberEnrolled, {"member_id": "m", "member_no": "1", "name": "n", "gender": "x"},
         ("gender",)),
        (PaymentIn, {"payment_id": "x", "method": "bitcoin", "amount_fen": 1}, ("method",)),
        (OrderLineIn, line(kind="gift"), ("kind",)),
        (CardIssued, {"card_id": "c", "member_id": "m", "kind": "nfc", "number": "1",
                      "version": 0}, ("kind",)),
        (MembershipIn, {"membership_id": "ms", "plan_id": "p", "kind": "forever",
                        "start_date": "2026-01-01"}, ("kind",)),
    ],
)  # fmt: skip
def test_a_value_outside_its_closed_set_is_refused(
    model: type[BaseModel], data: dict[str, Any], loc: tuple[str, ...]
) -> None:
    assert refuses(model, data) == [loc]


def test_a_field_the_schema_does_not_know_is_refused() -> None:
    data = {"checkin_id": "c", "member_id": "m", "method": "qr", "temperature": 36.6}
    assert refuses(CheckinRecorded, data) == [("temperature",)]


def test_an_id_longer_than_a_uuid_is_refused() -> None:
    data = {"checkin_id": "c" * 37, "member_id": "m", "method": "qr"}
    assert refuses(CheckinRecorded, data) == [("checkin_id",)]


def test_payloads_are_frozen() -> None:
    payload = CheckinRecorded(checkin_id="c", member_id="m", method="qr")
    with pytest.raises(ValidationError):
        payload.member_id = "other"  # type: ignore[misc]


# member.updated


@pytest.mark.parametrize("field", ["shoe_size", "member_no", "id", "field_clocks", "name_pinyin"])
def test_member_updated_refuses_a_field_that_is_not_a_member_field(field: str) -> None:
    assert refuses(MemberUpdated, {"member_id": "m", "changes": {field: "x"}}) == [("changes",)]


def test_member_updated_refuses_empty_changes() -> None:
    assert refuses(MemberUpdated, {"member_id": "m", "changes": {}}) == [("changes",)]


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": None},
        {"name": "名" * 101},
        {"gender": "other"},
        {"birthday": "1990-02-30"},
        {"birthday": "yesterday"},
        {"tags": "vip"},
        {"marketing_consent": "perhaps"},
        {"mobile": "1" * 33},
        {"home_branch_id": "b" * 37},
    ],
)
def test_member_updated_checks_each_value_with_the_fields_own_rules(
    changes: dict[str, Any],
) -> None:
    (field,) = changes
    assert refuses(MemberUpdated, {"member_id": "m", "changes": changes}) == [("changes", field)]


def test_member_updated_normalises_a_birthday_to_iso_text() -> None:
    from_date = MemberUpdated(member_id="m", changes={"birthday": date(1990, 5, 1)})
    from_text = MemberUpdated.model_validate(
        {"member_id": "m", "changes": {"birthday": "1990-05-01"}}
    )

    assert from_date.changes == {"birthday": "1990-05-01"}
    assert from_text.changes == {"birthday": "1990-05-01"}


def test_member_updated_normalises_enums_to_their_values_and_keeps_only_the_changed_keys() -> None:
    from shared.kinds import Gender

    updated = MemberUpdated(
        member_id="m", changes={"gender": Gender.FEMALE, "mobile": None, "tags": ("vip",)}
    )

    assert updated.changes == {"gender": "female", "mobile": None, "tags": ["vip"]}
    assert type(updated.changes["gender"]) is str


def test_member_updated_changes_survive_a_json_round_trip_unchanged() -> None:
    updated = MemberUpdated(
        member_id="m", changes={"name": "张三", "birthday": date(2000, 2, 29), "tags": []}
    )
    again = MemberUpdated.model_validate_json(updated.model_dump_json())

    assert again == updated


def test_member_fields_are_the_registers_of_a_member() -> None:
    assert MEMBER_FIELDS == {
        "name",
        "mobile",
        "gender",
        "birthday",
        "tags",
        "tier",
        "home_branch_id",
        "referrer_id",
        "marketing_consent",
        "photo_ref",
    }


# branch.configured


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "", "asia/shanghai", "Asia/Shanghai ", "../etc", "/etc/passwd"]
)
def test_branch_configured_refuses_an_unknown_time_zone(zone: str) -> None:
    data = {"branch_id": "b", "name": "店", "timezone": zone}
    assert refuses(BranchConfigured, data) == [("timezone",)]


@pytest.mark.parametrize("zone", ["Asia", "America/Argentina"])
def test_branch_configured_refuses_a_time_zone_region_without_a_city(zone: str) -> None:
    # These name directories of the zone database: ZoneInfo raises IsADirectoryError.
    data = {"branch_id": "b", "name": "店", "timezone": zone}
    assert refuses(BranchConfigured, data) == [("timezone",)]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/Argentina/Buenos_Aires"])
def test_branch_configured_accepts_a_known_time_zone(zone: str) -> None:
    assert BranchConfigured(branch_id="b", name="店", timezone=zone).timezone == zone


def test_branch_configured_needs_a_name() -> None:
    data = {"branch_id": "b", "name": "", "timezone": "UTC"}
    assert refuses(BranchConfigured, data) == [("name",)]


# Ledger


def test_ledger_entry_refuses_an_expiry_without_a_time_zone() -> None:
    assert refuses(LedgerIn, ledger(expires_at="2027-01-01T00:00:00")) == [("expires_at",)]
    with pytest.raises(ValidationError):
        LedgerIn.model_validate(ledger(expires_at=datetime(2027, 1, 1)))


def test_ledger_entry_keeps_an_aware_expiry() -> None:
    entry = LedgerIn.model_validate(ledger(expires_at=datetime(2027, 1, 1, tzinfo=UTC)))
    assert entry.expires_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_ledger_entry_may_take_away() -> None:
    assert LedgerIn.model_validate(ledger(amount=-300)).amount == -300


def test_ledger_posted_checks_its_entry() -> None:
    data = {"member_id": "m", "entry": ledger(account="coins")}
    assert refuses(LedgerPosted, data) == [("entry", "account")]


def test_a_reason_longer_than_the_column_is_refused() -> None:
    assert refuses(LedgerIn, ledger(reason="r" * 21)) == [("reason",)]


# Plans and freezes.


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (plan(duration_days=0), ("duration_days",)),
        (plan(kind="visits", visits=0), ("visits",)),
        (plan(freeze_min_days=0), ("freeze_min_days",)),
        (plan(freeze_max_days_per_year=-1), ("freeze_max_days_per_year",)),
    ],
)
def test_plan_defined_refuses_counts_below_their_minimum(
    data: dict[str, Any], loc: tuple[str, ...]
) -> None:
    assert refuses(PlanDefined, data) == [loc]


def test_membership_frozen_needs_real_dates() -> None:
    data = {
        "freeze_id": "f",
        "membership_id": "ms",
        "member_id": "m",
        "start_date": "2026-02-30",
        "end_date": "2026-03-01",
    }
    assert refuses(MembershipFrozen, data) == [("start_date",)]


# Through the catalog.


def test_every_catalog_entry_has_a_payload_model_and_a_projector() -> None:
    for (name, v), entry in CATALOG.items():
        assert (entry.name, entry.v) == (name, v)
        assert issubclass(entry.payload, BaseModel)
        assert callable(entry.project)


def test_the_catalog_turns_a_bad_payload_into_event_invalid_with_its_field() -> None:
    with pytest.raises(EventInvalid) as caught:
        event_type("ledger.posted", 1).parse({"member_id": "m", "entry": ledger(amount="lots")})

    assert caught.value.params == {
        "type": "ledger.posted",
        "field": "entry.amount",
        "reason": "int_parsing",
    }


def test_the_catalog_parses_a_good_payload_into_its_model() -> None:
    parsed = event_type("checkin.recorded", 1).parse(
        {"checkin_id": "c", "member_id": "m", "method": "qr"}
    )
    assert parsed == CheckinRecorded(checkin_id="c", member_id="m", method="qr")


def test_a_checkin_using_a_visit_must_name_its_membership():
    from pydantic import ValidationError as PydanticValidationError

    from shared.events.payloads import CheckinRecorded
    from shared.ids import new_id

    with pytest.raises(PydanticValidationError):
        CheckinRecorded(
            checkin_id=new_id(), member_id=new_id(), method="qr", visit_entry_id=new_id()
        )


def test_an_undo_giving_a_visit_back_must_name_its_membership() -> None:
    assert refuses(CheckinUndone, {"checkin_id": "c", "member_id": "m", "visit_entry_id": "e"})


def test_an_undo_reason_longer_than_the_column_is_refused() -> None:
    data = {"checkin_id": "c", "member_id": "m", "reason": "错" * 201}
    assert refuses(CheckinUndone, data) == [("reason",)]
    CheckinUndone.model_validate({**data, "reason": "错" * 200})
