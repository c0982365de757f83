"""The big answer after a scan: readable from two metres, green or red at a glance.

Photo, name, member number, the plan and what is left of it, points and stored value,
the welcome or the reason for a refusal, and notices (plan ending soon, birthday, last
visit on a punch card). ``painted`` is emitted once the new outcome is on screen, which
is what the scan-to-result benchmark waits for.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.ui.context import DeskContext
from desktop.ui.outcome import ScanOutcome
from desktop.ui.photo_widget import PhotoWidget
from shared.kinds import PlanKind
from shared.rules.checkin import CheckinDecision, Denial, Notice

GREEN = "#1b8a3a"
NEUTRAL = "#546e7a"
RED = "#c62828"
AMBER = "#b26a00"


class ResultPanel(QFrame):
    painted = Signal()

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._paint_pending = False
        self.outcome: ScanOutcome | None = None
        self.setObjectName("resultPanel")

        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("detail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)

        self.photo = PhotoWidget(ctx, size=260, parent=self)
        self.name = QLabel(self)
        self.name.setObjectName("memberName")
        self.number = QLabel(self)
        self.number.setObjectName("memberNumber")
        self.plan = QLabel(self)
        self.plan.setObjectName("planLine")
        self.plan.setWordWrap(True)
        self.balances = QLabel(self)
        self.balances.setObjectName("balances")
        self.notices = QLabel(self)
        self.notices.setObjectName("notices")
        self.notices.setWordWrap(True)

        facts = QVBoxLayout()
        for label in (self.name, self.number, self.plan, self.balances, self.notices):
            facts.addWidget(label)
        facts.addStretch(1)
        member = QHBoxLayout()
        member.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        member.addSpacing(24)
        member.addLayout(facts, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.detail)
        layout.addSpacing(12)
        layout.addLayout(member, 1)
        self.setStyleSheet(
            "#banner { font-size: 40px; font-weight: bold; color: white; padding: 14px;"
            " border-radius: 10px; }"
            "#detail { font-size: 22px; }"
            "#memberName { font-size: 52px; font-weight: bold; }"
            "#memberNumber { font-size: 22px; color: #555; }"
            "#planLine { font-size: 30px; }"
            "#balances { font-size: 24px; }"
            f"#notices {{ font-size: 24px; font-weight: bold; color: {AMBER}; }}"
        )
        self.show_idle()

    def show_idle(self) -> None:
        self.outcome = None
        self._set_banner(self.tr("Ready: show a member card or search"), NEUTRAL)
        self.detail.setText("")
        self._clear_member()

    def show_message(self, text: str, colour: str = RED) -> None:
        """News that is not about a member: a refusal (red) or a confirmation."""
        self.outcome = None
        self._set_banner(text, colour)
        self.detail.setText("")
        self._clear_member()

    def show_outcome(self, outcome: ScanOutcome) -> None:
        self.outcome = outcome
        if outcome.result is None or outcome.status is None:
            error = outcome.error
            self._set_banner(self._ctx.error_message(error) if error else "", RED)
            self.detail.setText(outcome.code[:64])
            self._clear_member()
            return
        decision = outcome.result.decision
        profile = outcome.status.profile
        if decision.allowed:
            self._set_banner(self.tr("Welcome, {name}!").format(name=profile.name), GREEN)
            self.detail.setText("")
        else:
            assert decision.reason is not None
            self._set_banner(self.denial_text(decision.reason), RED)
            self.detail.setText(self._denial_detail(outcome, decision.reason))
        self.photo.show_member(profile.photo_ref, profile.name)
        self.name.setText(profile.name)
        tier = tier_text(profile.tier)
        self.number.setText(" · ".join(p for p in (profile.member_no, tier) if p))
        self.plan.setText(self._plan_text(outcome))
        balances = outcome.status.balances
        self.balances.setText(
            self.tr("Points {points} · Stored value {money}").format(
                points=self._ctx.locale.toString(balances.points),
                money=self._ctx.money(balances.stored_value_fen),
            )
        )
        self.notices.setText("   ".join(self.notice_text(n, outcome) for n in _ordered(decision)))

    def denial_text(self, reason: Denial) -> str:
        return {
            Denial.NO_PLAN: self.tr("No valid plan"),
            Denial.EXPIRED: self.tr("Plan expired"),
            Denial.NOT_STARTED: self.tr("Plan not started yet"),
            Denial.FROZEN: self.tr("Plan is frozen"),
            Denial.NO_VISITS_LEFT: self.tr("No visits left"),
            Denial.CARD_REVOKED: self.tr("Card revoked: a newer card was issued"),
            Denial.ALREADY_CHECKED_IN: self.tr("Already checked in"),
        }[reason]

    def notice_text(self, notice: Notice, outcome: ScanOutcome) -> str:
        if notice is Notice.PLAN_ENDING_SOON:
            days = outcome.result.decision.days_left if outcome.result else None
            return self.tr("⚠ Plan ends in %n day(s)", "", days or 0)
        if notice is Notice.BIRTHDAY_TODAY:
            return self.tr("🎂 Birthday today")
        return self.tr("⚠ Last visit on this card")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self._paint_pending:
            self._paint_pending = False
            self.painted.emit()

    # Internals below.

    def _set_banner(self, text: str, colour: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {colour};")
        self.banner.setProperty("tone", colour)
        self._paint_pending = True
        self.update()

    def _clear_member(self) -> None:
        self.photo.show_member(None, "")
        for label in (self.name, self.number, self.plan, self.balances, self.notices):
            label.setText("")

    def _plan_text(self, outcome: ScanOutcome) -> str:
        view = outcome.membership
        if view is None or outcome.result is None:
            return ""
        decision = outcome.result.decision
        if view.state.kind is PlanKind.VISITS:
            left = decision.visits_left_after if decision.allowed else view.state.visits_left
            text = self.tr("{plan} · %n visit(s) left", "", left or 0).format(plan=view.plan_name)
        elif decision.days_left is not None:
            text = self.tr("{plan} · %n day(s) left", "", decision.days_left).format(
                plan=view.plan_name
            )
        else:
            text = view.plan_name
        end = outcome.plan_end
        if end is not None:
            text += " " + self.tr("(until {date})").format(date=self._date(end))
        return text

    def _denial_detail(self, outcome: ScanOutcome, reason: Denial) -> str:
        end = outcome.plan_end
        if reason is Denial.EXPIRED and end is not None:
            return self.tr("Ended on {date}").format(date=self._date(end))
        if reason is Denial.NOT_STARTED and outcome.membership is not None:
            start = outcome.membership.state.start_date
            return self.tr("Starts on {date}").format(date=self._date(start))
        if reason is Denial.ALREADY_CHECKED_IN and outcome.status is not None:
            last = outcome.status.last_checkin_at
            if last is not None:
                return self.tr("Checked in at {time}").format(time=self._ctx.time_text(last))
        if reason is Denial.CARD_REVOKED:
            return self.tr("Ask the member for the new card, or search by name")
        return ""

    def _date(self, day: date) -> str:
        return self._ctx.date_text(day)


def tier_text(tier: str) -> str:
    """The tier's name for people; tiers head office invents later show as they are."""
    names = {
        "standard": QCoreApplication.translate("Tiers", "Standard"),
        "silver": QCoreApplication.translate("Tiers", "Silver"),
        "gold": QCoreApplication.translate("Tiers", "Gold"),
        "platinum": QCoreApplication.translate("Tiers", "Platinum"),
        "diamond": QCoreApplication.translate("Tiers", "Diamond"),
    }
    return names.get(tier, tier)


def _ordered(decision: CheckinDecision) -> list[Notice]:
    notices = decision.notices
    return [
        n
        for n in (Notice.BIRTHDAY_TODAY, Notice.LAST_VISIT, Notice.PLAN_ENDING_SOON)
        if n in notices
    ]
