"""Tables only a terminal has: its own identity and counters. Not synced."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.model import Base


class TerminalSetting(Base):
    """Key/value settings of this terminal (its id, branch, last HLC, counters)."""

    __tablename__ = "terminal_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
