"""What every service is given: the store, the recorder, settings and who is logged in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from desktop.config import TerminalConfig, TerminalIdentity
from desktop.services.recorder import Recorder
from shared.errors import NotLoggedIn
from shared.kinds import Role
from shared.permissions import Action, require


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    name: str
    role: Role


@dataclass
class ServiceContext:
    engine: Engine
    identity: TerminalIdentity
    config: TerminalConfig
    recorder: Recorder
    card_key: bytes
    now: Callable[[], datetime]
    branch_tz: ZoneInfo
    staff: StaffSession | None = field(default=None)

    def actor(self, action: Action) -> StaffSession:
        """The logged-in staff member, if allowed to do ``action``; raises otherwise."""
        if self.staff is None:
            raise NotLoggedIn()
        require(self.staff.role, action)
        return self.staff
