"""Typed errors with stable codes.

The core never builds user text. Each error carries a dotted ``code`` and ``params``;
screens (and the server's JSON answers) turn the code into words in the user's language.
``ERROR_CODES`` lists every code the core can raise so a test can prove each has text.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MemberDeskError(Exception):
    """Base class: ``code`` is stable across versions, ``params`` fill the message."""

    code: ClassVar[str] = "error.unexpected"

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = params
        detail = ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))
        super().__init__(f"{self.code}({detail})" if detail else self.code)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


class ValidationError(MemberDeskError):
    """Input a person typed or a peer sent is not acceptable."""

    code = "input.invalid"


class MoneyInvalid(ValidationError):
    code = "money.invalid"


class MoneyNegative(ValidationError):
    code = "money.negative"


class MoneyTooPrecise(ValidationError):
    code = "money.too_precise"


class NameEmpty(ValidationError):
    code = "member.name_empty"


class NameTooLong(ValidationError):
    code = "member.name_too_long"


class MobileInvalid(ValidationError):
    code = "member.mobile_invalid"


class MobileTaken(ValidationError):
    code = "member.mobile_taken"


class BirthdayInFuture(ValidationError):
    code = "member.birthday_in_future"


class GenderInvalid(ValidationError):
    code = "member.gender_invalid"


class CodeEmpty(ValidationError):
    code = "scan.empty"


class CodeUnknown(MemberDeskError):
    code = "scan.unknown"


class CardForged(MemberDeskError):
    code = "card.forged"


class CardRevoked(MemberDeskError):
    code = "card.revoked"


class CardNotFound(MemberDeskError):
    code = "card.not_found"


class CardUnsupportedVersion(MemberDeskError):
    code = "card.unsupported_version"


class CardNumberTaken(ValidationError):
    """Another member already holds a live (not revoked) card with this number.

    Params: ``number`` (the card number), ``member_no`` (the member number of its holder).
    """

    code = "card.number_taken"


class MemberNotFound(MemberDeskError):
    code = "member.not_found"


class PlanNotFound(MemberDeskError):
    code = "plan.not_found"


class MembershipNotFound(MemberDeskError):
    code = "membership.not_found"


class FreezeTooShort(ValidationError):
    code = "freeze.too_short"


class FreezeLimitExceeded(ValidationError):
    code = "freeze.limit_exceeded"


class FreezeOverlaps(ValidationError):
    code = "freeze.overlaps"


class FreezeNotAllowed(ValidationError):
    code = "freeze.not_allowed"


class FreezeInvalidRange(ValidationError):
    code = "freeze.invalid_range"


class CheckinNotFound(MemberDeskError):
    code = "checkin.not_found"


class CheckinAlreadyUndone(MemberDeskError):
    code = "checkin.already_undone"


class CheckinUndoExpired(MemberDeskError):
    """Too long after the check-in to take it back (see ``UNDO_WINDOW_MINUTES``)."""

    code = "checkin.undo_expired"


class PointsInsufficient(MemberDeskError):
    code = "points.insufficient"


class EventInvalid(MemberDeskError):
    """An event whose type, version or payload the catalog does not accept."""

    code = "event.invalid"


class ClockSkewTooLarge(MemberDeskError):
    """A peer's clock stamp is implausibly far ahead of ours."""

    code = "clock.skew_too_large"


class PermissionDenied(MemberDeskError):
    code = "staff.permission_denied"


class PinInvalid(MemberDeskError):
    code = "staff.pin_invalid"


class PinUnacceptable(ValidationError):
    code = "staff.pin_unacceptable"


class NotLoggedIn(MemberDeskError):
    code = "staff.not_logged_in"


class TerminalNotInitialised(MemberDeskError):
    """The data directory has no terminal identity yet (run set-up or demo-data)."""

    code = "terminal.not_initialised"


class SchemaUnknown(MemberDeskError):
    """The data file was written by a newer (or unknown) version of MemberDesk."""

    code = "store.schema_unknown"


class TerminalAlreadyInitialised(MemberDeskError):
    code = "terminal.already_initialised"


class PhotoUnreadable(MemberDeskError):
    """The chosen file (or the bytes given) is not an image Pillow can decode.

    Params: ``path`` (the file, when there is one).
    """

    code = "photo.unreadable"


class PhotoTooLarge(MemberDeskError):
    """The chosen image file is too big to be a member photo.

    Params: ``path``, ``max_bytes`` (file size limit) or ``max_pixels`` (decoded size limit).
    """

    code = "photo.too_large"


class BlobRefInvalid(ValidationError):
    """A blob reference is not a sha256 in 64 lowercase hex digits.

    Params: ``ref`` (shortened to 80 characters).
    """

    code = "blob.ref_invalid"


class BlobMissing(MemberDeskError):
    """No blob with this reference is stored on this terminal (yet). Params: ``ref``."""

    code = "blob.missing"


class BlobCorrupt(MemberDeskError):
    """The stored blob's bytes no longer hash to its reference. Params: ``ref``."""

    code = "blob.corrupt"


class SnapshotIdInvalid(ValidationError):
    """A check-in id given to the snapshot store is not a UUID.

    Params: ``checkin_id`` (shortened to 80 characters).
    """

    code = "snapshot.checkin_id_invalid"


class BackupFailed(MemberDeskError):
    """A backup could not be taken, or its copy failed the integrity check; the backups
    already kept are untouched. Params: ``reason`` (SQLite's or the OS's words), ``path``.
    """

    code = "backup.failed"


class RestoreFileMissing(MemberDeskError):
    """The file to restore from does not exist. Params: ``path``."""

    code = "restore.file_missing"


class RestoreNotADatabase(MemberDeskError):
    """The file to restore from is not a SQLite database. Params: ``path``."""

    code = "restore.not_a_database"


class RestoreNotMemberDesk(MemberDeskError):
    """The file is a SQLite database, but not one MemberDesk wrote. Params: ``path``."""

    code = "restore.not_memberdesk"


class RestoreFileDamaged(MemberDeskError):
    """The file to restore from fails SQLite's integrity check. Params: ``path``, ``reason``."""

    code = "restore.file_damaged"


class RestoreSchemaUnknown(SchemaUnknown):
    """The backup was written by a newer (or unknown) MemberDesk. Params: ``revision``, ``path``."""

    code = "restore.schema_unknown"


class DatabaseInUse(MemberDeskError):
    """The database is open in another program (the desk), so it cannot be replaced now.

    Params: ``path``.
    """

    code = "restore.database_in_use"


class RestoreOtherTerminal(MemberDeskError):
    """The backup is another terminal's: restoring it would give this PC that terminal's
    identity, and two terminals writing as one would mix their events for good.

    Params: ``path``, ``backup_terminal`` and ``this_terminal`` (their terminal codes).
    """

    code = "restore.other_terminal"


def all_error_classes() -> list[type[MemberDeskError]]:
    """Every concrete error class, for the catalog-completeness test."""
    seen: list[type[MemberDeskError]] = []
    stack: list[type[MemberDeskError]] = [MemberDeskError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


ERROR_CODES: frozenset[str] = frozenset(cls.code for cls in all_error_classes())
