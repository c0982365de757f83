"""The terminal's settings as stored in its data directory."""

from __future__ import annotations

import pytest

from desktop.config import TerminalConfig, TerminalIdentity, identity_from_settings
from shared.errors import TerminalNotInitialised


def test_a_config_survives_the_trip_through_settings():
    config = TerminalConfig(
        region="HK", currency="HKD", checkin_window_minutes=5, ending_soon_days=14
    )

    assert TerminalConfig.from_settings(config.to_settings()) == config


def test_missing_settings_fall_back_to_the_defaults():
    assert TerminalConfig.from_settings({}) == TerminalConfig()
    assert TerminalConfig.from_settings({"checkin_window_minutes": "0"}) == TerminalConfig(
        checkin_window_minutes=0
    )


def test_the_identity_is_read_from_the_settings():
    settings = {"terminal_id": "t", "branch_id": "b", "terminal_code": "T9", "region": "CN"}

    assert identity_from_settings(settings) == TerminalIdentity("t", "b", "T9")


def test_settings_without_an_identity_mean_an_uninitialised_terminal():
    with pytest.raises(TerminalNotInitialised):
        identity_from_settings({"terminal_id": "t", "branch_id": "b"})
