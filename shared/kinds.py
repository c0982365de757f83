"""Closed sets of values that both the terminal and the server store (string enums)."""

from __future__ import annotations

from enum import StrEnum


class PlanKind(StrEnum):
    TIME = "time"  # valid between two dates
    VISITS = "visits"  # 次卡: a number of visits, optionally with an end date
    STORED_VALUE = "stored_value"  # 储值: money paid in advance, spent at the counter


class Account(StrEnum):
    """The three balances a member holds; each is the sum of its ledger entries."""

    POINTS = "points"
    VISITS = "visits"
    STORED_VALUE = "stored_value"


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    CASHIER = "cashier"
    MANAGER = "manager"
    ADMIN = "admin"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNDISCLOSED = "undisclosed"


class PaymentMethod(StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK_CARD = "bank_card"
    STORED_VALUE = "stored_value"


class CheckinMethod(StrEnum):
    QR = "qr"
    CARD = "card"  # a plain card number from a key fob or an imported 1D barcode
    MOBILE = "mobile"
    SEARCH = "search"
