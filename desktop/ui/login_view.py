"""The lock screen: staff log in with their PIN (checked offline, on a worker thread).

Shown at start and whenever the desk locks (idle, or Ctrl+L). Picking one's name is
optional; it makes the check faster (one slow hash instead of one per person). A wrong
PIN says so and clears the field; scans arriving while locked are told to wait here,
never typed into the PIN field.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.context import StaffSession
from desktop.services.staff import StaffView
from desktop.ui.context import DeskContext
from shared.kinds import Role


class LoginView(QWidget):
    logged_in = Signal(object)  # StaffSession

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        title = QLabel("MemberDesk", self)
        title.setStyleSheet("font-size: 40px; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel(self.tr("Enter your PIN to start"), self)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setStyleSheet("font-size: 22px;")
        self.who = QComboBox(self)
        self.who.setObjectName("who")
        self.who.addItem(self.tr("Anyone"), None)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setStyleSheet("font-size: 30px; padding: 6px;")
        self.pin.setMaxLength(12)
        self.button = QPushButton(self.tr("Log in"), self)
        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828; font-size: 20px;")

        box = QVBoxLayout()
        for widget in (title, self.prompt, self.who, self.pin, self.button, self.message):
            box.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(box)
        holder.setMaximumWidth(420)
        outer.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self._busy = False

    def reset(self, message: str = "") -> None:
        self.pin.clear()
        self.message.setText(message)
        self.pin.setFocus()
        self._ctx.lanes.reads.run(self._ctx.terminal.staff.list, self._fill_staff)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def submit(self) -> None:
        pin = self.pin.text()
        if self._busy or not pin:
            return
        self._busy = True
        self.button.setEnabled(False)
        staff_id = self.who.currentData()
        self._ctx.lanes.reads.run(
            lambda: self._ctx.terminal.staff.login(pin, staff_id), self._done, self._failed
        )

    # Internals below.

    def _done(self, session: StaffSession) -> None:
        self._busy = False
        self.button.setEnabled(True)
        self.pin.clear()
        self.message.clear()
        self.logged_in.emit(session)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.button.setEnabled(True)
        self.pin.clear()
        self.pin.setFocus()
        self.message.setText(self._ctx.error_message(exc))

    def _fill_staff(self, staff: list[StaffView]) -> None:
        current = self.who.currentData()
        self.who.clear()
        self.who.addItem(self.tr("Anyone"), None)
        for person in staff:
            self.who.addItem(f"{person.name} ({role_text(person.role)})", person.id)
        index = self.who.findData(current)
        self.who.setCurrentIndex(max(0, index))


def role_text(role: Role) -> str:
    return {
        Role.FRONT_DESK: QCoreApplication.translate("Roles", "Front desk"),
        Role.CASHIER: QCoreApplication.translate("Roles", "Cashier"),
        Role.MANAGER: QCoreApplication.translate("Roles", "Manager"),
        Role.ADMIN: QCoreApplication.translate("Roles", "Administrator"),
    }[role]
