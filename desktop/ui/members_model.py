"""The member table: the whole member base, without ever holding it in memory.

Browsing: ``rowCount`` is the number of enrolled members; rows are read in pages of
``page_size`` on demand (when the view asks ``data()`` for a row nobody has loaded),
on the reads lane, keyset-paged over the ``member_no`` index
(``terminal.members.list_page``). The first key of every page is found once, by one
scan of that index in a worker (``list_page_keys``; no ``OFFSET`` scans: those cost
more the deeper the page). A small LRU cache keeps the pages last painted, so
memory stays flat however far the desk scrolls. A row still loading shows a
placeholder; ``dataChanged`` follows when its page arrives.

Searching: with search text the table shows ``terminal.search(text, limit=200)``
instead (name, pinyin and initials, last four mobile digits, member and card numbers).
A newer search always wins over an older one still running.

Any ``member_changed`` refreshes the table: the same rows stay on screen (re-read in
the background) when the count did not change, otherwise the model is reset.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any, Final, TypeVar

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from desktop.services.members import MemberRow, PageKey
from desktop.ui.context import DeskContext

__all__ = [
    "MEMBER_ID_ROLE",
    "MOBILE_ROLE",
    "PAGE_SIZE",
    "SEARCH_LIMIT",
    "Column",
    "MemberRow",
    "MembersTableModel",
    "mask_mobile",
]

PAGE_SIZE: Final = 200
CACHE_PAGES: Final = 8  # 1,600 rows: several screens either way of the one shown
SEARCH_LIMIT: Final = 200
_MAX_WANTED: Final = 4  # pages asked for but not started: only the latest few matter
_MAX_IN_FLIGHT: Final = 1  # leaves the other reads thread to search and the detail view
_REFRESH_DELAY_MS: Final = 150  # coalesces a burst of member_changed into one refresh

MEMBER_ID_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1  # the member's id (str) or None
MOBILE_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2  # the full mobile number


class Column(IntEnum):
    MEMBER_NO = 0
    NAME = 1
    MOBILE = 2
    TIER = 3
    POINTS = 4
    ENROLLED = 5


def mask_mobile(mobile: str | None) -> str:
    """``13812345678`` -> ``138****5678``: enough for the desk to confirm, not to copy."""
    if not mobile:
        return ""
    if len(mobile) < 8:
        return mobile
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


# The model.

_Index = QModelIndex | QPersistentModelIndex
_T = TypeVar("_T")


class MembersTableModel(QAbstractTableModel):
    """All members by member number, or the hits of a search; see the module docstring."""

    ready = Signal()  # the member count (and page keys) are known: browsing can start
    search_finished = Signal(int)  # hits shown for the current search text
    failed = Signal(str)  # a read failed; the text is for a person

    def __init__(
        self,
        ctx: DeskContext,
        *,
        page_size: int = PAGE_SIZE,
        cache_pages: int = CACHE_PAGES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1 or cache_pages < 2:
            raise ValueError("page_size must be >= 1 and cache_pages >= 2")
        self._ctx = ctx
        self._page_size = page_size
        self._cache_pages = cache_pages
        self._generation = 0  # bumped whenever page keys change: older pages are dropped
        self._keys_seq = 0  # only the newest refresh's page keys are taken
        self._pump_scheduled = False
        self._count = 0
        self._keys: list[PageKey] = []
        self._pages: OrderedDict[int, list[MemberRow]] = OrderedDict()
        self._stale: set[int] = set()  # cached pages to re-read (shown meanwhile)
        self._failed: set[int] = set()  # not retried until the next refresh
        self._wanted: list[int] = []  # most recent last
        self._in_flight: set[int] = set()
        self._search_text = ""
        self._search_seq = 0
        self._search_shown_seq = 0
        self._hits: list[MemberRow] | None = None  # None: browsing
        self._loaded = False
        self._live = True
        self._missed_change = False
        self.pages_fetched = 0  # pages read from the database since creation (tests, stats)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(_REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        ctx.signals.member_changed.connect(self._member_changed)

    # Public API.

    @property
    def is_searching(self) -> bool:
        return self._hits is not None

    @property
    def is_loaded(self) -> bool:
        """True once the first count arrived (and in search mode, always)."""
        return self._loaded

    @property
    def member_count(self) -> int:
        """All enrolled members (whatever the current search shows)."""
        return self._count

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    @property
    def search_text(self) -> str:
        return self._search_text

    @property
    def search_pending(self) -> bool:
        """The hits of the current search text are not shown yet."""
        return bool(self._search_text) and self._search_shown_seq != self._search_seq

    @property
    def refresh_scheduled(self) -> bool:
        """A member change was seen and its refresh will start shortly."""
        return self._refresh_timer.isActive()

    def set_live(self, live: bool) -> None:
        """Whether ``member_changed`` refreshes at once; a screen not shown says False, and
        the changes it missed are read when it says True again."""
        self._live = live
        if live and self._missed_change:
            self._missed_change = False
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Re-read the count and page keys, then the pages on screen; re-run the search."""
        self._refresh_timer.stop()
        self._keys_seq += 1
        seq, members, size = self._keys_seq, self._ctx.terminal.members, self._page_size
        self._ctx.lanes.reads.run(
            lambda: members.list_page_keys(size),
            self._guard(lambda result: self._keys_loaded(seq, *result)),
            self._guard(self._read_failed),
        )
        if self._search_text:
            self._start_search()

    def set_search(self, text: str) -> None:
        """Show the hits of ``text`` (trimmed); empty text goes back to browsing."""
        text = text.strip()
        if text == self._search_text:
            return
        self._search_text = text
        self._search_seq += 1  # whatever is running now is stale
        if not text:
            if self._hits is not None:
                self.beginResetModel()
                self._hits = None
                self.endResetModel()
            return
        self._start_search()

    def member_id(self, row: int) -> str | None:
        """The id of the member shown on ``row``, None while its page is loading."""
        found = self._row(row, request=False)
        return found.member_id if found is not None else None

    def row_of(self, member_id: str) -> int | None:
        """The row of a member among those already loaded (search hits or cached pages)."""
        rows: Iterable[tuple[int, MemberRow]]
        if self._hits is not None:
            rows = enumerate(self._hits)
        else:
            rows = (
                (page * self._page_size + i, r)
                for page, members in self._pages.items()
                for i, r in enumerate(members)
            )
        return next((n for n, r in rows if r.member_id == member_id), None)

    # QAbstractTableModel.

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        if parent.isValid():
            return 0
        return len(self._hits) if self._hits is not None else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            Column.MEMBER_NO: self.tr("Member no."),
            Column.NAME: self.tr("Name"),
            Column.MOBILE: self.tr("Mobile"),
            Column.TIER: self.tr("Tier"),
            Column.POINTS: self.tr("Points"),
            Column.ENROLLED: self.tr("Enrolled"),
        }
        return titles.get(Column(section)) if 0 <= section < len(Column) else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == Column.POINTS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, MEMBER_ID_ROLE, MOBILE_ROLE):
            return None
        row = self._row(index.row(), request=True)
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == Column.NAME:
                return self.tr("Loading…")
            return None
        if role == MEMBER_ID_ROLE:
            return row.member_id
        if role == MOBILE_ROLE:
            return row.mobile
        return self._display(row, column)

    # Internals below.

    def _display(self, row: MemberRow, column: Column) -> str:
        locale: QLocale = self._ctx.locale
        if column == Column.MEMBER_NO:
            return row.member_no
        if column == Column.NAME:
            return row.name
        if column == Column.MOBILE:
            return mask_mobile(row.mobile)
        if column == Column.TIER:
            return tier_text(row.tier)
        if column == Column.POINTS:
            return locale.toString(row.points)
        if row.enrolled_on is None:
            return ""
        return locale.toString(
            QDate(row.enrolled_on.year, row.enrolled_on.month, row.enrolled_on.day),
            QLocale.FormatType.ShortFormat,
        )

    def _row(self, n: int, *, request: bool) -> MemberRow | None:
        if n < 0:
            return None
        if self._hits is not None:
            return self._hits[n] if n < len(self._hits) else None
        if n >= self._count:
            return None
        page, offset = divmod(n, self._page_size)
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
            if request and page in self._stale:
                self._request(page)
            return rows[offset] if offset < len(rows) else None
        if request:
            self._request(page)
        return None

    def _request(self, page: int) -> None:
        if page in self._in_flight or page in self._failed or page >= len(self._keys):
            return
        if page in self._wanted:
            if self._wanted[-1] == page:
                return
            self._wanted.remove(page)
        self._wanted.append(page)
        del self._wanted[:-_MAX_WANTED]  # scrolled past: nobody is looking at those now
        if not self._pump_scheduled:
            # Once the view's paint has asked for all its rows, start the newest of them.
            self._pump_scheduled = True
            QTimer.singleShot(0, self._guard_noarg(self._pump))

    def _pump(self) -> None:
        self._pump_scheduled = False
        while self._wanted and len(self._in_flight) < _MAX_IN_FLIGHT:
            page = self._wanted.pop()
            if page >= len(self._keys) or (page in self._pages and page not in self._stale):
                continue
            self._fetch(page)

    def _fetch(self, page: int) -> None:
        generation = self._generation
        key = self._keys[page]
        members, size = self._ctx.terminal.members, self._page_size
        self._in_flight.add(page)
        self._ctx.lanes.reads.run(
            lambda: members.list_page(key, size),
            self._guard(lambda rows: self._page_loaded(generation, page, rows)),
            self._guard(lambda exc: self._page_failed(generation, page, exc)),
        )

    def _page_loaded(self, generation: int, page: int, rows: list[MemberRow]) -> None:
        self._in_flight.discard(page)
        self.pages_fetched += 1
        if generation == self._generation:
            self._pages[page] = rows
            self._pages.move_to_end(page)
            self._stale.discard(page)
            while len(self._pages) > self._cache_pages:
                evicted, _ = self._pages.popitem(last=False)
                self._stale.discard(evicted)
            if self._hits is None:
                first = page * self._page_size
                last = min(first + self._page_size, self._count) - 1
                if last >= first:
                    self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
        self._pump()

    def _page_failed(self, generation: int, page: int, exc: Exception) -> None:
        self._in_flight.discard(page)
        if generation == self._generation:
            self._failed.add(page)
            self.failed.emit(self._ctx.error_message(exc))
        self._pump()

    def _keys_loaded(self, seq: int, count: int, keys: list[PageKey]) -> None:
        if seq != self._keys_seq:
            return  # a newer refresh is on its way
        self._generation += 1
        self._keys = keys
        self._failed.clear()
        self._wanted.clear()
        first_load = not self._loaded
        self._loaded = True
        if count == self._count and not first_load:
            # Same size: keep showing the cached rows while they are read again.
            self._stale = set(self._pages)
            if self._hits is None and count:
                self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(Column) - 1))
        else:
            browsing = self._hits is None
            if browsing:
                self.beginResetModel()
            self._count = count
            self._pages.clear()
            self._stale.clear()
            if browsing:
                self.endResetModel()
        self.ready.emit()

    def _start_search(self) -> None:
        self._search_seq += 1
        seq, text = self._search_seq, self._search_text
        terminal = self._ctx.terminal

        def search() -> list[MemberRow]:
            hits = terminal.search(text, limit=SEARCH_LIMIT)
            return terminal.members.list_rows([h.member_id for h in hits])

        self._ctx.lanes.reads.run(
            search,
            self._guard(lambda rows: self._search_done(seq, rows)),
            self._guard(lambda exc: self._search_failed(seq, exc)),
        )

    def _search_done(self, seq: int, rows: list[MemberRow]) -> None:
        if seq != self._search_seq or not self._search_text:
            return  # typed on since: a newer search is running
        self._search_shown_seq = seq
        self.beginResetModel()
        self._hits = rows
        self.endResetModel()
        self.search_finished.emit(len(rows))

    def _search_failed(self, seq: int, exc: Exception) -> None:
        if seq == self._search_seq:
            self.failed.emit(self._ctx.error_message(exc))

    def _read_failed(self, exc: Exception) -> None:
        self.failed.emit(self._ctx.error_message(exc))

    def _member_changed(self, _member_id: str) -> None:
        if self._live:
            self._refresh_timer.start()
        else:
            self._missed_change = True

    def _guard(self, fn: Callable[[_T], object]) -> Callable[[_T], None]:
        """``fn`` for a worker's answer, skipped if this model was deleted meanwhile."""

        def call(value: _T) -> None:
            if shiboken6.isValid(self):
                fn(value)

        return call

    def _guard_noarg(self, fn: Callable[[], object]) -> Callable[[], None]:
        def call() -> None:
            if shiboken6.isValid(self):
                fn()

        return call


def tier_text(tier: str) -> str:
    """A tier's name for people; unknown tiers (configured at head office) as stored."""
    names = {
        "standard": QCoreApplication.translate("MemberTier", "Standard"),
        "silver": QCoreApplication.translate("MemberTier", "Silver"),
        "gold": QCoreApplication.translate("MemberTier", "Gold"),
        "platinum": QCoreApplication.translate("MemberTier", "Platinum"),
        "diamond": QCoreApplication.translate("MemberTier", "Diamond"),
    }
    return names.get(tier, tier)
