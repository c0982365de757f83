"""The terminal's identity and settings, as read from its data directory."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.errors import TerminalNotInitialised


@dataclass(frozen=True)
class TerminalIdentity:
    terminal_id: str
    branch_id: str
    terminal_code: str  # short prefix of the member numbers this terminal hands out


@dataclass(frozen=True)
class TerminalConfig:
    region: str = "CN"  # how mobile numbers are read
    currency: str = "CNY"
    checkin_window_minutes: int = 60  # a second check-in within this is refused
    ending_soon_days: int = 7

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> TerminalConfig:
        config = cls()
        if "region" in settings:
            config = replace(config, region=settings["region"])
        if "currency" in settings:
            config = replace(config, currency=settings["currency"])
        if "checkin_window_minutes" in settings:
            config = replace(config, checkin_window_minutes=int(settings["checkin_window_minutes"]))
        if "ending_soon_days" in settings:
            config = replace(config, ending_soon_days=int(settings["ending_soon_days"]))
        return config

    def to_settings(self) -> dict[str, str]:
        return {
            "region": self.region,
            "currency": self.currency,
            "checkin_window_minutes": str(self.checkin_window_minutes),
            "ending_soon_days": str(self.ending_soon_days),
        }


def identity_from_settings(settings: dict[str, str]) -> TerminalIdentity:
    try:
        return TerminalIdentity(
            terminal_id=settings["terminal_id"],
            branch_id=settings["branch_id"],
            terminal_code=settings["terminal_code"],
        )
    except KeyError:
        raise TerminalNotInitialised() from None
