"""What each error code says to a person, in Chinese and English.

The core raises typed errors with a code and parameters and never builds text; this
catalog is the one place that turns them into words (the Qt screens will take their
text from Qt's translation files, which start from this wording).
"""

from __future__ import annotations

import locale
import os
from typing import Any

from shared.errors import MemberDeskError

MESSAGES: dict[str, dict[str, str]] = {
    "photo.unreadable": {"zh": "无法读取这张照片。", "en": "The photo cannot be read."},
    "photo.too_large": {"zh": "照片太大。", "en": "The photo is too large."},
    "blob.ref_invalid": {"zh": "照片引用无效。", "en": "Invalid photo reference."},
    "blob.missing": {
        "zh": "照片尚未同步到本机。",
        "en": "The photo is not on this terminal yet.",
    },
    "blob.corrupt": {"zh": "照片文件已损坏。", "en": "The stored photo is damaged."},
    "snapshot.checkin_id_invalid": {"zh": "签到编号无效。", "en": "Invalid check-in id."},
    "error.unexpected": {"zh": "出现意外错误。", "en": "Something unexpected went wrong."},
    "input.invalid": {"zh": "“{field}”的值无效。", "en": "The value for “{field}” is not valid."},
    "money.invalid": {"zh": "“{text}”不是金额。", "en": "“{text}” is not an amount of money."},
    "money.negative": {"zh": "金额不能为负：{text}", "en": "An amount cannot be negative: {text}"},
    "money.too_precise": {
        "zh": "金额最多精确到分：{text}",
        "en": "Amounts go down to the fen (0.01), not further: {text}",
    },
    "member.name_empty": {"zh": "请输入姓名。", "en": "Please enter a name."},
    "member.name_too_long": {
        "zh": "姓名太长（最多 {max_length} 个字）。",
        "en": "The name is too long (at most {max_length} characters).",
    },
    "member.mobile_invalid": {
        "zh": "“{text}”不是有效的手机号。",
        "en": "“{text}” is not a valid mobile number.",
    },
    "member.mobile_taken": {
        "zh": "手机号 {mobile} 已属于会员 {member_no}。",
        "en": "Mobile {mobile} already belongs to member {member_no}.",
    },
    "member.birthday_in_future": {
        "zh": "生日不能晚于今天（{birthday}）。",
        "en": "A birthday cannot be in the future ({birthday}).",
    },
    "member.gender_invalid": {"zh": "性别无效：{value}", "en": "Unknown gender: {value}"},
    "member.not_found": {"zh": "找不到该会员。", "en": "No such member."},
    "scan.empty": {"zh": "没有读到内容。", "en": "Nothing was scanned."},
    "scan.unknown": {
        "zh": "无法识别“{code}”：不是会员卡、卡号或手机号。",
        "en": "“{code}” is not a member card, card number or mobile number.",
    },
    "card.forged": {
        "zh": "这张会员卡无效（可能是伪造的）。",
        "en": "This member card is not valid.",
    },
    "card.revoked": {"zh": "这张会员卡已作废。", "en": "This member card has been revoked."},
    "card.not_found": {"zh": "该会员没有这张卡。", "en": "The member has no such card."},
    "card.number_taken": {
        "zh": "卡号 {number} 已属于会员 {member_no}。",
        "en": "Card number {number} already belongs to member {member_no}.",
    },
    "card.unsupported_version": {
        "zh": "这张卡来自更新版本的系统，请升级。",
        "en": "This card comes from a newer version of MemberDesk; please update.",
    },
    "plan.not_found": {"zh": "找不到该套餐。", "en": "No such plan."},
    "membership.not_found": {"zh": "找不到该会籍。", "en": "No such membership."},
    "freeze.too_short": {
        "zh": "停卡至少 {min_days} 天（本次 {days} 天）。",
        "en": "A freeze lasts at least {min_days} days (this one: {days}).",
    },
    "freeze.limit_exceeded": {
        "zh": "{year} 年停卡天数超限：已用 {used} 天，本次 {requested} 天，上限 {limit} 天。",
        "en": "Too many freeze days in {year}: {used} used, {requested} asked, {limit} allowed.",
    },
    "freeze.overlaps": {"zh": "与已有的停卡时间重叠。", "en": "It overlaps an existing freeze."},
    "freeze.not_allowed": {"zh": "该会籍不能停卡。", "en": "This membership cannot be frozen."},
    "freeze.invalid_range": {
        "zh": "停卡日期无效（{start} 至 {end}）。",
        "en": "The freeze dates are not valid ({start} to {end}).",
    },
    "checkin.not_found": {"zh": "找不到这条签到记录。", "en": "No such check-in."},
    "checkin.already_undone": {
        "zh": "这条签到已经撤销过了。",
        "en": "This check-in has already been undone.",
    },
    "checkin.undo_expired": {
        "zh": "签到超过 {minutes} 分钟后不能再撤销。",
        "en": "A check-in can only be undone within {minutes} minutes.",
    },
    "points.insufficient": {
        "zh": "积分不足：可用 {available}，需要 {requested}。",
        "en": "Not enough points: {available} available, {requested} needed.",
    },
    "event.invalid": {
        "zh": "收到的数据无效（{type}：{field}）。",
        "en": "Received data that is not valid ({type}: {field}).",
    },
    "clock.skew_too_large": {
        "zh": "对方设备的时钟偏差过大。",
        "en": "The other device's clock is too far ahead.",
    },
    "staff.permission_denied": {
        "zh": "您的角色无权执行此操作。",
        "en": "Your role may not do this.",
    },
    "staff.pin_invalid": {"zh": "PIN 不正确。", "en": "Wrong PIN."},
    "staff.pin_unacceptable": {"zh": "PIN 需为 4 至 8 位数字。", "en": "A PIN is 4 to 8 digits."},
    "staff.not_logged_in": {"zh": "请先登录。", "en": "Please log in first."},
    "terminal.not_initialised": {
        "zh": "此数据目录尚未设置（运行 memberdesk init 或 memberdesk demo）。",
        "en": "This data directory is not set up yet (run memberdesk init or memberdesk demo).",
    },
    "terminal.already_initialised": {
        "zh": "此数据目录已设置过：{data_dir}",
        "en": "This data directory is already set up: {data_dir}",
    },
    "store.schema_unknown": {
        "zh": "数据文件来自更新版本的 MemberDesk，请升级后再打开。",
        "en": "The data file comes from a newer MemberDesk; please update to open it.",
    },
    "backup.failed": {
        "zh": "备份失败：{reason}。已有的备份没有受影响。",
        "en": "The backup failed: {reason}. The backups already kept are untouched.",
    },
    "restore.file_missing": {"zh": "找不到备份文件：{path}", "en": "No such backup file: {path}"},
    "restore.not_a_database": {
        "zh": "{path} 不是数据库文件，未恢复。",
        "en": "{path} is not a database file; nothing was restored.",
    },
    "restore.not_memberdesk": {
        "zh": "{path} 不是 MemberDesk 的数据库，未恢复。",
        "en": "{path} is not a MemberDesk database; nothing was restored.",
    },
    "restore.file_damaged": {
        "zh": "备份文件已损坏（{path}），未恢复。",
        "en": "The backup file is damaged ({path}); nothing was restored.",
    },
    "restore.schema_unknown": {
        "zh": "该备份来自更新版本的 MemberDesk（数据版本 {revision}），请升级后再恢复。",
        "en": "This backup comes from a newer MemberDesk (schema {revision}); "
        "update MemberDesk to restore it.",
    },
    "restore.other_terminal": {
        "zh": "该备份属于另一台终端（{backup_terminal}），本机是 {this_terminal}，未恢复。"
        "若要用它替换本机（例如换新电脑），请加 --other-terminal，并确保原终端不再使用。",
        "en": "This backup belongs to another terminal ({backup_terminal}); this one is "
        "{this_terminal}. Nothing was restored. To make this PC that terminal (a replaced "
        "PC), add --other-terminal, and never run the old one again.",
    },
    "restore.database_in_use": {
        "zh": "数据库正在使用中（前台程序是否开着？），请先关闭 MemberDesk 再恢复。",
        "en": "The database is in use (is the desk open?); close MemberDesk, then restore.",
    },
}
LANGUAGES = ("zh", "en")


def error_text(error: MemberDeskError, language: str) -> str:
    """The message for ``error`` in ``language`` ("zh" or "en"); never raises."""
    texts = MESSAGES.get(error.code, MESSAGES["error.unexpected"])
    template = texts.get(language) or texts["en"]
    return template.format_map(_Params(error.params))


def system_language() -> str:
    """ "zh" on a Chinese system, else "en" (LC_ALL, LC_MESSAGES, LANG, then locale)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    current = locale.getlocale()[0] or ""
    return "zh" if current.lower().startswith("zh") else "en"


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"
