"""The projection writer's own shortcuts store exactly what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from shared.events.projection_writer import sqlite_utc_text
from shared.model import UtcDateTime

_DIALECT = sqlite.dialect()
_SQLALCHEMY = UtcDateTime().dialect_impl(_DIALECT).bind_processor(_DIALECT)
_ZONES = st.sampled_from(
    [
        UTC,
        ZoneInfo("UTC"),
        ZoneInfo("Asia/Shanghai"),
        ZoneInfo("America/New_York"),
        timezone(timedelta(hours=5, minutes=45)),
    ]
)


@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_ZONES
    )
)
def test_the_quick_utc_text_is_the_text_sqlalchemy_binds(moment: datetime) -> None:
    assert _SQLALCHEMY is not None

    assert sqlite_utc_text(moment) == _SQLALCHEMY(moment)


def test_the_quick_utc_text_keeps_none_and_refuses_a_naive_datetime() -> None:
    assert sqlite_utc_text(None) is None
    with pytest.raises(ValueError, match="naive"):
        sqlite_utc_text(datetime(2026, 3, 1, 8, 0))
