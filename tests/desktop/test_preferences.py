"""Desk preferences: stored per terminal, validated, and never in the way of a start."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.preferences import DeskPreferences, load_preferences, save_preferences
from desktop.store.settings_store import read_settings, write_settings
from shared.errors import PermissionDenied, ValidationError
from shared.kinds import Role


def test_a_new_terminal_has_the_defaults(terminal):
    assert load_preferences(terminal.engine) == DeskPreferences()


def test_saved_preferences_come_back(terminal):
    prefs = replace(
        DeskPreferences(), language="en", sound=False, idle_lock_minutes=3, snapshots=True
    )

    save_preferences(terminal.engine, prefs)

    assert load_preferences(terminal.engine) == prefs


@pytest.mark.parametrize(
    "change",
    [
        {"decoder": "tesseract"},
        {"language": "fr"},
        {"idle_lock_minutes": -1},
        {"snapshot_retention_days": 0},
        {"scan_gap_ms": 1000},
        {"backup_interval_hours": -1},
        {"backup_interval_hours": 7 * 24 + 1},
        {"backup_keep": 0},
        {"backup_keep": 101},
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(terminal, change):
    with pytest.raises(ValidationError) as caught:
        save_preferences(terminal.engine, replace(DeskPreferences(), **change))

    assert caught.value.params["field"] == next(iter(change))
    assert load_preferences(terminal.engine) == DeskPreferences()


def test_a_damaged_stored_value_falls_back_to_its_default(terminal):
    with terminal.engine.begin() as conn:
        write_settings(conn, {"desk.idle_lock_minutes": "soon", "desk.sound": "0"})

    prefs = load_preferences(terminal.engine)

    assert prefs.idle_lock_minutes == DeskPreferences().idle_lock_minutes
    assert prefs.sound is False


def test_a_desk_backs_up_daily_and_keeps_a_week_unless_told_otherwise(terminal):
    prefs = load_preferences(terminal.engine)
    assert (prefs.backup_interval_hours, prefs.backup_keep) == (24, 7)

    save_preferences(terminal.engine, replace(prefs, backup_interval_hours=0, backup_keep=30))

    again = load_preferences(terminal.engine)
    assert (again.backup_interval_hours, again.backup_keep) == (0, 30)
    with terminal.engine.connect() as conn:
        stored = read_settings(conn)
    assert (stored["desk.backup_interval_hours"], stored["desk.backup_keep"]) == ("0", "30")


def test_a_front_desk_login_cannot_change_the_backup_schedule(terminal, login_as):
    login_as(Role.FRONT_DESK)
    before = load_preferences(terminal.engine)

    with pytest.raises(PermissionDenied):
        terminal.save_preferences(replace(before, backup_interval_hours=0))
    with pytest.raises(PermissionDenied):
        terminal.save_preferences(replace(before, backup_keep=1, sound=False))

    assert load_preferences(terminal.engine) == before


def test_a_front_desk_login_changes_its_own_desk_preferences(terminal, login_as):
    login_as(Role.FRONT_DESK)
    before = load_preferences(terminal.engine)

    terminal.save_preferences(replace(before, sound=False, idle_lock_minutes=5))

    assert load_preferences(terminal.engine) == replace(before, sound=False, idle_lock_minutes=5)


def test_a_manager_changes_the_backup_schedule(terminal, login_as):
    login_as(Role.MANAGER)
    before = load_preferences(terminal.engine)

    terminal.save_preferences(replace(before, backup_interval_hours=6, backup_keep=14))

    stored = load_preferences(terminal.engine)
    assert (stored.backup_interval_hours, stored.backup_keep) == (6, 14)
