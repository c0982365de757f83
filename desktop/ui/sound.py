"""The sounds that tell the desk what happened without looking at the screen."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QSoundEffect

from desktop.resources import resources_dir


class Cue(StrEnum):
    WELCOME = "welcome"
    DENIED = "denied"
    NOTICE = "notice"


class SoundBoard(QObject):
    def __init__(self, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.last_cue: Cue | None = None  # what was (or would have been) played
        self._effects: dict[Cue, QSoundEffect] = {}
        for cue in Cue:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(resources_dir() / "sounds" / f"{cue}.wav")))
            effect.setVolume(0.8)
            self._effects[cue] = effect

    def play(self, cue: Cue) -> None:
        self.last_cue = cue
        if self.enabled:
            self._effects[cue].play()
