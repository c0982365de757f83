"""How this desk likes to work: camera, decoder, language, sound, locking, snapshots,
backups.

Preferences belong to one terminal (the camera on this PC, the language its staff read)
and are never synced. They live in the terminal's own settings table under ``desk.``
keys, read and written whole. Bad stored values fall back to the default rather than
stop the desk from starting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import Engine

from desktop.store.settings_store import read_settings, write_settings
from shared.errors import ValidationError

PREFIX = "desk."
LANGUAGES = ("", "zh_CN", "en")  # "" follows the system locale
DECODERS = ("zxing", "pyzbar")
MAX_BACKUP_INTERVAL_HOURS = 7 * 24
MAX_BACKUP_KEEP = 100


@dataclass(frozen=True)
class DeskPreferences:
    camera_id: str = ""  # QCameraDevice.id() as text; "" picks the system default
    decoder: str = "zxing"
    language: str = ""
    sound: bool = True
    idle_lock_minutes: int = 10  # 0: never lock
    snapshots: bool = False  # keep a webcam snapshot of each check-in
    snapshot_retention_days: int = 30
    scan_gap_ms: int = 35  # keystrokes closer than this are a scanner, not a person
    backup_interval_hours: int = 24  # 0: no scheduled backups
    backup_keep: int = 7  # scheduled backups kept; older ones are deleted

    def validated(self) -> DeskPreferences:
        """Itself, or a ValidationError naming the first bad field."""
        if self.decoder not in DECODERS:
            raise ValidationError(field="decoder", value=self.decoder)
        if self.language not in LANGUAGES:
            raise ValidationError(field="language", value=self.language)
        if not 0 <= self.idle_lock_minutes <= 240:
            raise ValidationError(field="idle_lock_minutes", value=str(self.idle_lock_minutes))
        if not 1 <= self.snapshot_retention_days <= 365:
            raise ValidationError(
                field="snapshot_retention_days", value=str(self.snapshot_retention_days)
            )
        if not 5 <= self.scan_gap_ms <= 200:
            raise ValidationError(field="scan_gap_ms", value=str(self.scan_gap_ms))
        if not 0 <= self.backup_interval_hours <= MAX_BACKUP_INTERVAL_HOURS:
            raise ValidationError(
                field="backup_interval_hours", value=str(self.backup_interval_hours)
            )
        if not 1 <= self.backup_keep <= MAX_BACKUP_KEEP:
            raise ValidationError(field="backup_keep", value=str(self.backup_keep))
        return self


def load_preferences(engine: Engine) -> DeskPreferences:
    with engine.connect() as conn:
        stored = read_settings(conn)
    prefs = DeskPreferences()
    for f in fields(DeskPreferences):
        text = stored.get(PREFIX + f.name)
        if text is None:
            continue
        try:
            candidate = replace(prefs, **{f.name: _parse(text, getattr(prefs, f.name))})
            prefs = candidate.validated()
        except (ValidationError, ValueError):
            continue
    return prefs


def save_preferences(engine: Engine, prefs: DeskPreferences) -> None:
    prefs.validated()
    with engine.begin() as conn:
        write_settings(conn, {PREFIX + k: _text(v) for k, v in asdict(prefs).items()})


def _parse(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        return text == "1"
    if isinstance(default, int):
        return int(text)
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
