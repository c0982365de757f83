"""A realistic, deterministic demo data set, written as events through the real apply path.

Members with Chinese names (Faker's zh_CN name lists, weighted as Faker weights them),
fictitious mobile numbers, plans of all three kinds, a year of orders and check-ins,
and staff of every role with known PINs. The same ``seed`` and ``today`` give the same
members, numbers, plans, orders and check-ins (ids included); only PIN salts differ.

Each member's history is a function of (seed, today, member number) alone: its own
random generator, its own block of ids, a mobile number unique by construction. So the
members can be written by several processes into files of their own and merged, and the
result is the same data set, row for row, as one process writes.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from faker.providers.person.zh_CN import Provider as ZhNames
from keyring.backend import KeyringBackend
from pydantic import BaseModel
from sqlalchemy import Engine, select

from desktop.config import TerminalConfig
from desktop.store.database import DB_FILENAME, open_database
from desktop.store.merge import merge_database
from desktop.store.settings_store import write_settings
from desktop.terminal import Terminal
from shared.events import LATEST_VERSION, EventEnvelope, apply_own_events
from shared.events.payloads import (
    BranchConfigured,
    CardIssued,
    CheckinRecorded,
    MemberEnrolled,
    PlanDefined,
    StaffEnrolled,
)
from shared.events.projectors import MEMBERS
from shared.kinds import CheckinMethod, Gender, PaymentMethod, PlanKind, Role
from shared.pin import hash_pin
from shared.rules.plan_sale import PlanTerms, plan_sale_order
from shared.rules.points import PointsPolicy, lot_expiry, points_for_purchase

DEMO_TIMEZONE = "Asia/Shanghai"
DEMO_STAFF: tuple[tuple[str, Role, str], ...] = (
    ("王店长", Role.MANAGER, "6666"),
    ("李收银", Role.CASHIER, "2222"),
    ("赵前台", Role.FRONT_DESK, "1111"),
    ("总部管理员", Role.ADMIN, "8888"),
)
DEMO_PLANS: tuple[tuple[str, PlanKind, int, int | None, int | None, int | None, int], ...] = (
    # name, kind, price_fen, duration_days, visits, stored_value_fen, freeze days a year
    ("月卡", PlanKind.TIME, 29_900, 30, None, None, 0),
    ("季卡", PlanKind.TIME, 79_900, 90, None, None, 14),
    ("年卡", PlanKind.TIME, 268_000, 365, None, None, 30),
    ("10次卡", PlanKind.VISITS, 50_000, 180, 10, None, 0),
    ("30次卡", PlanKind.VISITS, 129_000, 365, 30, None, 0),
    ("储值1000送100", PlanKind.STORED_VALUE, 100_000, None, None, 110_000, 0),
    ("储值3000送500", PlanKind.STORED_VALUE, 300_000, None, None, 350_000, 0),
)
# Real mobile prefixes of the three carriers; the 8 digits after them are random.
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "158", "186", "187", "189")
GENDERS = (Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED)
CHECKIN_METHODS = (CheckinMethod.QR, CheckinMethod.QR, CheckinMethod.MOBILE)
TAGS = ("瑜伽", "私教", "游泳", "团课", "减脂", "增肌", "学生", "企业客户")
BATCH = 100_000
MAX_MEMBERS = 10**8  # the mobile numbers' 8 free digits
MAX_WORKERS = 4
MEMBERS_PER_WORKER = 20_000  # fewer, and starting a process costs more than it saves
PARTS_DIR = ".demo-parts"
OwnEvent = tuple[EventEnvelope, BaseModel]  # an event and the payload model it was made from
_P = TypeVar("_P", bound=BaseModel)


@dataclass(frozen=True)
class DemoSummary:
    data_dir: Path
    branch_name: str
    members: int
    checkins: int
    orders: int
    staff: tuple[tuple[str, Role, str], ...]
    sample_mobiles: tuple[str, ...] = field(default=())


def generate_demo_data(
    data_dir: Path,
    *,
    members: int,
    seed: int = 1,
    checkins_per_member: int = 10,
    today: date | None = None,
    keyring_backend: KeyringBackend | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> DemoSummary:
    """Write a demo branch into an empty data directory and return what was made.

    The history runs up to and including ``today``; by default that is yesterday at the
    branch, so no demo visit lies later than the moment the desk opens.

    ``workers`` processes share the members (by default one per core, up to four, and
    only for a set large enough to pay for starting them); the data set is the same
    whatever their number. The database appears in ``data_dir`` only once it is
    complete: a run that fails or is killed leaves none behind.
    """
    if members < 0 or members >= MAX_MEMBERS:
        raise ValueError(f"members must be from 0 to {MAX_MEMBERS - 1:,}")
    if seed < 0:
        raise ValueError("seed must not be negative")
    target = data_dir / DB_FILENAME
    if target.exists():
        raise FileExistsError(f"{target} already exists; demo data needs an empty directory")
    zone = ZoneInfo(DEMO_TIMEZONE)
    day0 = today or datetime.now(zone).date() - timedelta(days=1)
    gen = _Generator(seed, day0, zone)
    parts = _member_ranges(members, workers or default_workers(members))
    parts_dir = data_dir / PARTS_DIR
    shutil.rmtree(parts_dir, ignore_errors=True)  # what a killed run left
    try:
        counts, mobiles = _write_parts(
            parts_dir, gen, parts, checkins_per_member, progress or (lambda _msg: None)
        )
        os.replace(parts_dir / "0" / DB_FILENAME, target)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    # Open once as a terminal so the card key exists and the clock starts past the demo.
    Terminal.open(data_dir, keyring_backend=keyring_backend).close()
    return DemoSummary(
        data_dir=data_dir,
        branch_name=gen.branch_name,
        members=members,
        checkins=counts["checkin.recorded"],
        orders=counts["order.placed"],
        staff=DEMO_STAFF,
        sample_mobiles=tuple(mobiles),
    )


def _write_parts(
    parts_dir: Path,
    gen: _Generator,
    parts: list[tuple[int, int]],
    checkins_per_member: int,
    say: Callable[[str], None],
) -> tuple[Counter[str], list[str]]:
    """Part 0 (the header and the first members) here, the others in worker processes,
    each into ``parts_dir/<k>/``; then the others merged into part 0."""
    # spawn: a fresh interpreter, safe beside Qt's and SQLite's threads (fork is not).
    pool = (
        ProcessPoolExecutor(len(parts) - 1, mp_context=multiprocessing.get_context("spawn"))
        if len(parts) > 1
        else None
    )
    engine = open_database(parts_dir / "0", bulk_load=True)
    try:
        others = [
            pool.submit(
                _write_part,
                parts_dir / str(k),
                gen.seed,
                gen.today,
                first,
                last,
                checkins_per_member,
            )
            for k, (first, last) in enumerate(parts[1:], start=1)
            if pool is not None
        ]
        with engine.begin() as conn:
            write_settings(
                conn,
                {
                    "terminal_id": gen.terminal_id,
                    "branch_id": gen.branch_id,
                    "terminal_code": "D1",
                    "next_member_no": str(parts[-1][1] + 1),
                }
                | TerminalConfig().to_settings(),
            )
        first, last = parts[0]
        own = itertools.chain(
            gen.header_events(), gen.member_events(first, last, checkins_per_member)
        )
        counts = _write_events(engine, own, say)
        for k, done in enumerate(others, start=1):
            say(f"waiting for part {k + 1} of {len(parts)}")
            counts.update(done.result())
            say(f"merging part {k + 1} of {len(parts)}")
            merge_database(engine, parts_dir / str(k) / DB_FILENAME)
        return counts, _sample_mobiles(engine)
    finally:
        engine.dispose()
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _write_part(
    part_dir: Path, seed: int, today: date, first: int, last: int, checkins_per_member: int
) -> Counter[str]:
    """In a worker process: members ``first`` to ``last`` into a database of their own."""
    gen = _Generator(seed, today, ZoneInfo(DEMO_TIMEZONE))
    engine = open_database(part_dir, bulk_load=True)
    try:
        return _write_events(engine, gen.member_events(first, last, checkins_per_member))
    finally:
        engine.dispose()


def _write_events(
    engine: Engine, events: Iterator[OwnEvent], say: Callable[[str], None] | None = None
) -> Counter[str]:
    """Apply the events in large transactions; how many check-ins and orders they made."""
    counts: Counter[str] = Counter({"checkin.recorded": 0, "order.placed": 0})
    # Millions of short-lived objects: the cyclic GC would rescan the growing heap
    # again and again for nothing (nothing here makes cycles).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for chunk in _chunks(events, BATCH):
            with engine.begin() as conn:
                apply_own_events(conn, chunk)
            counts.update(e.type for e, _ in chunk if e.type in _COUNTED)
            if say is not None:
                say(f"{counts['checkin.recorded']:,} check-ins, {counts['order.placed']:,} orders")
    finally:
        if was_enabled:
            gc.enable()
    return counts


def default_workers(members: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS, members // MEMBERS_PER_WORKER))


def _member_ranges(members: int, workers: int) -> list[tuple[int, int]]:
    """Member numbers 1..members in ``workers`` contiguous (first, last) ranges; the
    first range is the main process's (it also writes the header events)."""
    workers = max(1, min(workers, members))
    size, extra = divmod(members, workers)
    ranges = []
    first = 1
    for k in range(workers):
        last = first + size + (1 if k < extra else 0) - 1
        ranges.append((first, last))
        first = last + 1
    return ranges


# Internals below.


class _Generator:
    """The demo's events: a header (the branch, its staff and plans) in id block 0, then
    member ``n``'s whole history in block ``n``, from a random generator of its own."""

    def __init__(self, seed: int, today: date, zone: ZoneInfo) -> None:
        self.seed = seed
        self.today = today
        self.zone = zone
        self.branch_name = "MemberDesk 演示店"
        # The import starts at the local midnight before ``today``.
        self._base_ms = _ms(datetime.combine(today - timedelta(days=1), time(0), zone))
        self._midnights: dict[date, datetime] = {}
        self._not_before: dict[date, datetime] = {}
        surnames = ZhNames.last_names
        self._surnames = list(surnames)
        self._surname_weights = list(itertools.accumulate(surnames.values()))
        self._given = list(ZhNames.first_names)
        self._points = PointsPolicy()
        self._start_block(0)
        self.terminal_id = self._id()
        self.branch_id = self._id()
        self.admin_id = self._id()
        self._hlc_suffix = f":{self.terminal_id}"
        self._staff_ids = [
            self.admin_id if role == Role.ADMIN else self._id() for _, role, _ in DEMO_STAFF
        ]
        self.plans = [
            PlanTerms(self._id(), name, kind, price, days, visits, value)
            for name, kind, price, days, visits, value, _ in DEMO_PLANS
        ]
        # Four round tables of a Feistel network: a permutation of 0..10**8 - 1 that
        # turns member numbers into mobile numbers that look random and never repeat.
        self._mobile_rounds = [
            [self.rng.randrange(10_000) for _ in range(10_000)] for _ in range(4)
        ]

    def header_events(self) -> Iterator[OwnEvent]:
        """The branch, its staff and plans: the rest of block 0, so they come first."""
        if self._block_ms != self._base_ms:
            raise RuntimeError("the header events come before any member's")
        at = datetime.combine(self.today - timedelta(days=400), time(8), self.zone).astimezone(UTC)
        yield self._model_event(
            "branch.configured",
            BranchConfigured(
                branch_id=self.branch_id, name=self.branch_name, timezone=DEMO_TIMEZONE
            ),
            at,
        )
        for index, ((name, role, pin), staff_id) in enumerate(
            zip(DEMO_STAFF, self._staff_ids, strict=True)
        ):
            payload = StaffEnrolled(
                staff_id=staff_id,
                branch_id=self.branch_id,
                name=name,
                role=role,
                pin_hash=hash_pin(pin),
            )
            yield self._model_event("staff.enrolled", payload, at + timedelta(seconds=index))
        for plan, (*_, freeze) in zip(self.plans, DEMO_PLANS, strict=True):
            yield self._model_event(
                "plan.defined",
                PlanDefined(
                    plan_id=plan.id,
                    name=plan.name,
                    kind=plan.kind,
                    price_fen=plan.price_fen,
                    duration_days=plan.duration_days,
                    visits=plan.visits,
                    stored_value_fen=plan.stored_value_fen,
                    freeze_max_days_per_year=freeze,
                    freeze_min_days=7 if freeze else 1,
                ),
                at + timedelta(minutes=1),
            )

    def member_events(self, first: int, last: int, checkins_per_member: int) -> Iterator[OwnEvent]:
        for n in range(first, last + 1):
            self._start_block(n)
            yield from self._member_history(n, checkins_per_member)

    def _start_block(self, n: int) -> None:
        self.rng = random.Random(self.seed * _SEEDS_PER_RUN + n)
        self._block_ms = ms = self._base_ms + n
        self._id_prefix = f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7"
        self._counter = 0
        self._not_before = {}

    def _member_history(self, n: int, checkins_per_member: int) -> Iterator[OwnEvent]:
        rng = self.rng
        enrolled_on = self.today - timedelta(days=rng.randrange(0, 365))
        enrolled_at = self._at(enrolled_on)
        member_id = self._id()
        member_no = f"D1{n:06d}"
        birthday = self.today - timedelta(days=rng.randrange(18 * 365, 65 * 365))
        # The stored payload is the dict; the model beside it is built from the same
        # values without validating them again (this loop makes millions of events).
        name = self._name()
        mobile = self._mobile(n)
        gender = rng.choice(GENDERS)
        tags = rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))
        consent = rng.random() < 0.6
        enrolled = {
            "member_id": member_id,
            "member_no": member_no,
            "name": name,
            "mobile": mobile,
            "gender": gender,
            "birthday": birthday.isoformat(),
            "tags": tags,
            "home_branch_id": self.branch_id,
            "marketing_consent": consent,
        }
        member = _trusted(
            MemberEnrolled,
            _ENROLLED_SET,
            {
                "name": name,
                "mobile": mobile,
                "gender": gender,
                "birthday": birthday,
                "tags": tags,
                "tier": "standard",
                "home_branch_id": self.branch_id,
                "referrer_id": None,
                "marketing_consent": consent,
                "photo_ref": None,
                "member_id": member_id,
                "member_no": member_no,
            },
        )
        yield self._event("member.enrolled", enrolled, enrolled_at, member)
        card = {
            "card_id": self._id(),
            "member_id": member_id,
            "kind": "qr",
            "number": member_no,
            "version": 1,
        }
        yield self._event(
            "card.issued", card, enrolled_at, _trusted(CardIssued, _CARD_SET, dict(card))
        )
        visit_days: list[tuple[date, str | None, bool]] = []  # day, membership, uses a visit
        if rng.random() < 0.15:
            plan = self.plans[rng.choice((5, 5, 6))]
            yield self._sale(member_id, plan, enrolled_on, birthday)
        wanted = (
            max(0, round(rng.expovariate(1 / checkins_per_member))) if checkins_per_member else 0
        )
        if rng.random() < 0.65:
            yield from self._time_plans(member_id, enrolled_on, birthday, wanted, visit_days)
        else:
            yield from self._visit_plans(member_id, enrolled_on, birthday, wanted, visit_days)
        for day, membership_id, uses_visit in sorted(visit_days):
            at = self._at(day)
            checkin = {
                "checkin_id": self._id(),
                "member_id": member_id,
                "membership_id": membership_id,
                "method": rng.choice(CHECKIN_METHODS),
                "visit_entry_id": self._id() if uses_visit else None,
            }
            model = _trusted(CheckinRecorded, _CHECKIN_SET, dict(checkin))
            yield self._event("checkin.recorded", checkin, at, model)

    def _time_plans(
        self,
        member_id: str,
        start: date,
        birthday: date,
        wanted: int,
        visit_days: list[tuple[date, str | None, bool]],
    ) -> Iterator[OwnEvent]:
        covered: list[tuple[date, date, str]] = []
        day = start
        while day <= self.today:
            plan = self.plans[self.rng.choice((0, 0, 0, 1, 1, 2))]
            sale = self._sale(member_id, plan, day, birthday)
            yield sale
            membership = sale[0].payload["memberships"][0]
            assert plan.duration_days is not None
            end = day + timedelta(days=plan.duration_days - 1)
            covered.append((day, min(end, self.today), membership["membership_id"]))
            if self.rng.random() > 0.75:  # a quarter of members let their plan lapse
                break
            day = end + timedelta(days=1)
        days = [(first, last, mid) for first, last, mid in covered]
        span = sum((last - first).days + 1 for first, last, _ in days)
        for offset in sorted(self.rng.sample(range(span), min(wanted, span))):
            for first, last, mid in days:
                length = (last - first).days + 1
                if offset < length:
                    visit_days.append((first + timedelta(days=offset), mid, False))
                    break
                offset -= length

    def _visit_plans(
        self,
        member_id: str,
        start: date,
        birthday: date,
        wanted: int,
        visit_days: list[tuple[date, str | None, bool]],
    ) -> Iterator[OwnEvent]:
        plan = self.plans[self.rng.choice((3, 3, 4))]
        sale = self._sale(member_id, plan, start, birthday)
        yield sale
        membership_id = sale[0].payload["memberships"][0]["membership_id"]
        assert plan.duration_days is not None and plan.visits is not None
        last = min(start + timedelta(days=plan.duration_days - 1), self.today)
        span = (last - start).days + 1
        count = min(wanted, span, plan.visits)
        for offset in sorted(self.rng.sample(range(span), count)):
            visit_days.append((start + timedelta(days=offset), membership_id, True))

    def _sale(self, member_id: str, plan: PlanTerms, day: date, birthday: date) -> OwnEvent:
        at = self._at(day)
        points = points_for_purchase(
            self._points, paid_fen=plan.price_fen, tier="standard", on=day, birthday=birthday
        )
        order = plan_sale_order(
            plan=plan,
            member_id=member_id,
            start=day,
            payment_method=PaymentMethod(
                self.rng.choice(("wechat", "wechat", "alipay", "cash", "bank_card"))
            ),
            points=points,
            points_expire_at=lot_expiry(self._points, at),
            new_id=self._id,
        )
        return self._model_event("order.placed", order, at)

    def _model_event(self, type_: str, payload: BaseModel, at: datetime) -> OwnEvent:
        return self._event(type_, payload.model_dump(mode="json"), at, payload)

    def _event(
        self, type_: str, payload: dict[str, Any], at: datetime, model: BaseModel
    ) -> OwnEvent:
        """The envelope (``payload`` is what the log stores) and the payload model."""
        event = EventEnvelope(
            id=self._id(),
            type=type_,
            v=LATEST_VERSION[type_],
            terminal_id=self.terminal_id,
            branch_id=self.branch_id,
            actor_id=self.admin_id,
            hlc=f"{self._block_ms:015d}:{self._counter:06d}{self._hlc_suffix}",
            occurred_at=at,
            payload=payload,
            seq=None,
        )
        return event, model

    def _id(self) -> str:
        """The next UUIDv7 of the current block, its random bits from the block's generator.

        A block is one millisecond of the import (block ``n`` is ``n`` ms after the local
        midnight before ``today``); the 12 bits after the version count the ids within it
        (RFC 9562's dedicated counter), so ids and HLC stamps follow the order the history
        is written in, and every index keyed by an id or a stamp grows at its end instead
        of splitting pages all over a 4 GB file. The business times are in ``occurred_at``.
        """
        self._counter += 1
        if self._counter > _MAX_COUNTER:
            raise RuntimeError("a demo member's history needs more ids than a block holds")
        # 48 bits of milliseconds and version 7 (the block's prefix), the 12-bit counter,
        # then variant 0b10 and 62 random bits. (%-formatting: a third quicker here.)
        tail = "%016x" % (self.rng.getrandbits(62) | _VARIANT)  # noqa: UP031
        return "%s%03x-%s-%s" % (self._id_prefix, self._counter, tail[:4], tail[4:])  # noqa: UP031

    def _at(self, day: date) -> datetime:
        """A time on ``day`` after the member's earlier events of that day (enrolment,
        then the sale, then the visit), so the story reads in order."""
        at = self._local(day)
        floor = self._not_before.get(day)
        if floor is not None and at <= floor:
            at = floor + timedelta(minutes=1)
        self._not_before[day] = at
        return at

    def _local(self, day: date) -> datetime:
        """A plausible time of day at the desk: 07:00 to 21:59 local, as UTC."""
        midnight = self._midnights.get(day)
        if midnight is None:
            local = datetime.combine(day, time(0), self.zone)
            midnight = self._midnights[day] = local.astimezone(UTC)
        # Whole minutes after local midnight; no DST change falls between 07:00 and 22:00.
        return midnight + _MINUTES[self.rng.randrange(7 * 60, 22 * 60)]

    def _name(self) -> str:
        surname = self.rng.choices(self._surnames, cum_weights=self._surname_weights)[0]
        return surname + self.rng.choice(self._given)

    def _mobile(self, n: int) -> str:
        """A carrier prefix and 8 digits that no other member number maps to."""
        left, right = divmod(n, 10_000)
        for table in self._mobile_rounds:
            left, right = right, (left + table[right]) % 10_000
        return f"{self.rng.choice(MOBILE_PREFIXES)}{left:04d}{right:04d}"


def _sample_mobiles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(MEMBERS.c.mobile).order_by(MEMBERS.c.member_no).limit(3)
        ).scalars()
        return [m for m in rows if m]


def _ms(at: datetime) -> int:
    return (at - _EPOCH) // _MS


def _trusted(model: type[_P], fields_set: frozenset[str], values: dict[str, Any]) -> _P:
    """A payload model from values generated here, already of its field types and in its
    field order: what ``model_construct`` makes, without validating them or its own
    per-field work (it is slower than validating; this loop makes millions)."""
    made = model.__new__(model)
    _setattr(made, "__dict__", values)
    _setattr(made, "__pydantic_fields_set__", set(fields_set))
    _setattr(made, "__pydantic_extra__", None)
    _setattr(made, "__pydantic_private__", None)
    return made


_setattr = object.__setattr__
# The keys of the stored payload: the fields a validated model would count as set.
_ENROLLED_SET = frozenset(
    (
        "member_id",
        "member_no",
        "name",
        "mobile",
        "gender",
        "birthday",
        "tags",
        "home_branch_id",
        "marketing_consent",
    )
)
_CARD_SET = frozenset(CardIssued.model_fields)
_CHECKIN_SET = frozenset(CheckinRecorded.model_fields)
_VARIANT = 0b10 << 62
_MAX_COUNTER = 0xFFF
# One generator seed per block: member n of seed s seeds s * _SEEDS_PER_RUN + n.
_SEEDS_PER_RUN = 1 << 32
_COUNTED = frozenset(("checkin.recorded", "order.placed"))
_MINUTES = tuple(timedelta(minutes=m) for m in range(24 * 60))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _chunks(items: Iterator[OwnEvent], size: int) -> Iterator[list[OwnEvent]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk
