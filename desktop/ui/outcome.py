"""One scan's outcome as the check-in screen shows it, gathered on a worker thread.

A scan is one write (the check-in, or a refusal that writes nothing) and one read (the
member's plans and balances after it). Both run in the worker; the screen gets a
finished ``ScanOutcome`` and only paints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.services.checkin import CheckinResult
from desktop.services.member_state import MembershipView
from desktop.services.members import MemberStatus
from desktop.terminal import Terminal
from shared.errors import MemberDeskError
from shared.kinds import CheckinMethod, PlanKind
from shared.rules.checkin import effective_end_date


@dataclass(frozen=True)
class ScanOutcome:
    code: str  # what was scanned or typed ("" when a member was picked from a list)
    result: CheckinResult | None  # None when the code could not be used at all
    status: MemberStatus | None
    error: MemberDeskError | None = None

    @property
    def allowed(self) -> bool:
        return self.result is not None and self.result.decision.allowed

    @property
    def membership(self) -> MembershipView | None:
        """The plan the decision is about (the one used, or the one refused); for a
        refusal about no plan in particular (a second scan, a revoked card), the plan
        that runs longest, so the desk still sees what the member holds."""
        if self.result is None or self.status is None:
            return None
        wanted = self.result.decision.membership_id
        if wanted is not None:
            return next((m for m in self.status.memberships if m.state.id == wanted), None)
        admitting = [
            m for m in self.status.memberships if m.state.kind is not PlanKind.STORED_VALUE
        ]
        return max(admitting, key=_runs_until, default=None)

    @property
    def plan_end(self) -> date | None:
        m = self.membership
        return None if m is None else effective_end_date(m.state)


def _runs_until(m: MembershipView) -> date:
    end = effective_end_date(m.state)
    return date.max if end is None else end


def check_in_code(terminal: Terminal, code: str) -> ScanOutcome:
    """Check in a scanned/typed code; any refusal or unusable code becomes an outcome."""
    try:
        result = terminal.checkins.check_in_code(code)
    except MemberDeskError as exc:
        return ScanOutcome(code, None, None, exc)
    return ScanOutcome(code, result, terminal.members.status(result.member_id))


def check_in_member(
    terminal: Terminal, member_id: str, method: CheckinMethod = CheckinMethod.SEARCH
) -> ScanOutcome:
    try:
        result = terminal.checkins.check_in_member(member_id, method)
    except MemberDeskError as exc:
        return ScanOutcome("", None, None, exc)
    return ScanOutcome("", result, terminal.members.status(result.member_id))
