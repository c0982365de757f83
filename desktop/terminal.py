"""Terminal: the application facade, usable without any GUI.

    terminal = Terminal.open(data_dir)
    terminal.staff.login("1234")
    result = terminal.checkins.check_in_code(scanned_text)

Screens, the CLI, benchmarks and tests all drive the terminal through this object and
its parts (``members``, ``memberships``, ``checkins``, ``history``, ``sales``, ``plans``,
``staff``), each a service from ``desktop/services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from keyring.backend import KeyringBackend
from sqlalchemy import Connection, Engine, func, select

from desktop.config import TerminalConfig, TerminalIdentity, identity_from_settings
from desktop.keystore import KeyStore
from desktop.preferences import DeskPreferences, load_preferences, save_preferences
from desktop.services.checkin import CheckinService
from desktop.services.context import ServiceContext
from desktop.services.history import HistoryService
from desktop.services.members import MembersService
from desktop.services.memberships import MembershipsService
from desktop.services.plans import PlansService
from desktop.services.recorder import Recorder
from desktop.services.sales import SalesService
from desktop.services.search import MemberHit, search_members
from desktop.services.staff import StaffService, new_staff_payload
from desktop.store.database import open_database
from desktop.store.settings_store import read_settings, write_settings
from shared.errors import TerminalAlreadyInitialised, ValidationError
from shared.events.payloads import BranchConfigured, is_time_zone
from shared.events.projectors import BRANCHES
from shared.ids import Hlc, HybridLogicalClock, new_id
from shared.kinds import Role
from shared.model import Event
from shared.permissions import Action

Clock = Callable[[], datetime]


class Terminal:
    def __init__(
        self, data_dir: Path, engine: Engine, ctx: ServiceContext, *, is_system_keyring: bool
    ) -> None:
        self.data_dir = data_dir
        self.is_system_keyring = is_system_keyring
        self.engine = engine
        self._ctx = ctx
        self.members = MembersService(ctx)
        self.memberships = MembershipsService(ctx)
        self.checkins = CheckinService(ctx)
        self.history = HistoryService(ctx)
        self.sales = SalesService(ctx)
        self.plans = PlansService(ctx)
        self.staff = StaffService(ctx)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        now: Clock | None = None,
        keyring_backend: KeyringBackend | None = None,
    ) -> Terminal:
        """Open an initialised data directory (migrating its database first)."""
        clock_now = now or _utc_now
        engine = open_database(data_dir)
        with engine.connect() as conn:
            settings = read_settings(conn)
            identity = identity_from_settings(settings)
            last = _last_hlc(conn)
            zone = _branch_zone(conn, identity.branch_id)
        hlc = HybridLogicalClock(
            identity.terminal_id, wall_ms=lambda: int(clock_now().timestamp() * 1000), last=last
        )
        keys = KeyStore(data_dir, keyring_backend)
        ctx = ServiceContext(
            engine=engine,
            identity=identity,
            config=TerminalConfig.from_settings(settings),
            recorder=Recorder(engine, identity, hlc, clock_now),
            card_key=keys.card_key(f"card-key/{identity.branch_id}"),
            now=clock_now,
            branch_tz=zone,
        )
        return cls(data_dir, engine, ctx, is_system_keyring=keys.is_system_keyring)

    @classmethod
    def initialise(
        cls,
        data_dir: Path,
        *,
        branch_name: str,
        timezone: str,
        admin_name: str,
        admin_pin: str,
        terminal_code: str = "T1",
        config: TerminalConfig | None = None,
        now: Clock | None = None,
        keyring_backend: KeyringBackend | None = None,
    ) -> Terminal:
        """Make a stand-alone terminal: its branch and first administrator.

        (Enrolling with head office replaces this once the sync server exists.)
        """
        clock_now = now or _utc_now
        identity = TerminalIdentity(
            terminal_id=new_id(), branch_id=new_id(), terminal_code=terminal_code
        )
        # Everything is checked before the directory is touched: a bad PIN or time zone
        # leaves it as it was.
        if not is_time_zone(timezone):
            raise ValidationError(field="timezone", value=timezone)
        branch = BranchConfigured(branch_id=identity.branch_id, name=branch_name, timezone=timezone)
        admin = new_staff_payload(
            identity.branch_id, name=admin_name, role=Role.ADMIN, pin=admin_pin
        )
        engine = open_database(data_dir)
        with engine.begin() as conn:
            if "terminal_id" in read_settings(conn):
                raise TerminalAlreadyInitialised(data_dir=str(data_dir))
            write_settings(
                conn,
                {
                    "terminal_id": identity.terminal_id,
                    "branch_id": identity.branch_id,
                    "terminal_code": identity.terminal_code,
                }
                | (config or TerminalConfig()).to_settings(),
            )
        engine.dispose()
        terminal = cls.open(data_dir, now=clock_now, keyring_backend=keyring_backend)
        with terminal._ctx.recorder.transaction() as tx:
            tx.record("branch.configured", branch, actor_id=admin.staff_id)
            tx.record("staff.enrolled", admin, actor_id=admin.staff_id)
        terminal._ctx.branch_tz = ZoneInfo(timezone)
        return terminal

    @property
    def identity(self) -> TerminalIdentity:
        return self._ctx.identity

    @property
    def config(self) -> TerminalConfig:
        return self._ctx.config

    def set_checkin_window(self, minutes: int) -> None:
        """How long a second check-in is refused (0: never); administrators only."""
        self._ctx.actor(Action.CONFIGURE)
        if not 0 <= minutes <= 24 * 60:
            raise ValidationError(field="checkin_window_minutes", value=str(minutes))
        config = replace(self._ctx.config, checkin_window_minutes=minutes)
        with self.engine.begin() as conn:
            write_settings(conn, config.to_settings())
        self._ctx.config = config

    def save_preferences(self, prefs: DeskPreferences) -> None:
        """Store this desk's preferences. Anyone logged in may change the camera, sound
        or language; the backup schedule and how many backups are kept take a manager."""
        current = load_preferences(self.engine)
        if (prefs.backup_interval_hours, prefs.backup_keep) != (
            current.backup_interval_hours,
            current.backup_keep,
        ):
            self._ctx.actor(Action.MANAGE_BACKUPS)
        save_preferences(self.engine, prefs)

    @property
    def branch_tz(self) -> ZoneInfo:
        return self._ctx.branch_tz

    def branch_name(self) -> str:
        """This terminal's branch as head office named it ("" before it is known).

        Read from the database each time (a sync may rename the branch): call it off the
        GUI thread.
        """
        with self.engine.connect() as conn:
            name = conn.execute(
                select(BRANCHES.c.name).where(BRANCHES.c.id == self._ctx.identity.branch_id)
            ).scalar_one_or_none()
        return name or ""

    @property
    def recorder(self) -> Recorder:
        return self._ctx.recorder

    def search(self, query: str, limit: int = 20) -> list[MemberHit]:
        with self.engine.connect() as conn:
            return search_members(conn, query, limit)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Internals below.


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _last_hlc(conn: Connection) -> Hlc | None:
    text = conn.execute(select(func.max(Event.hlc))).scalar_one_or_none()
    return Hlc.parse(text) if text else None


def _branch_zone(conn: Connection, branch_id: str) -> ZoneInfo:
    name = conn.execute(
        select(BRANCHES.c.timezone).where(BRANCHES.c.id == branch_id)
    ).scalar_one_or_none()
    return ZoneInfo(name or "UTC")
