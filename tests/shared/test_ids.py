from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shared.errors import ClockSkewTooLarge, EventInvalid
from shared.ids import (
    COUNTER_MAX,
    HLC_TEXT_MAX_LENGTH,
    NODE_MAX_LENGTH,
    WALL_MS_MAX,
    Hlc,
    HybridLogicalClock,
    new_id,
    system_wall_ms,
)

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
T0 = 1_750_000_000_000  # mid-2025
UUID7_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

nodes = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=":", exclude_categories=["Z", "C"]),
    min_size=1,
    max_size=NODE_MAX_LENGTH,
)
hlcs = st.builds(
    Hlc,
    wall_ms=st.integers(0, WALL_MS_MAX),
    counter=st.integers(0, COUNTER_MAX),
    node=nodes,
)


@dataclass
class FakeClock:
    ms: int = T0
    calls: list[int] = field(default_factory=list)

    def __call__(self) -> int:
        self.calls.append(self.ms)
        return self.ms


# --- new_id ---------------------------------------------------------------------------------


def test_new_id_is_a_canonical_lowercase_uuid7() -> None:
    text = new_id()
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text
    )
    assert str(uuid.UUID(text)) == text
    assert uuid.UUID(text).version == 7


def test_ids_made_later_in_the_process_sort_after_earlier_ones() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_ids_made_from_several_threads_are_all_distinct() -> None:
    results: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        out.extend(new_id() for _ in range(1_000))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({i for out in results for i in out}) == 4_000
    assert all(out == sorted(out) for out in results)


def test_system_wall_ms_is_milliseconds_since_the_epoch() -> None:
    assert 1_600_000_000_000 < system_wall_ms() < WALL_MS_MAX


# --- Hlc ------------------------------------------------------------------------------------


def test_hlc_text_is_zero_padded_wall_counter_and_node() -> None:
    assert str(Hlc(1_750_000_000_123, 7, "T1")) == "001750000000123:000007:T1"


def test_hlc_parse_reads_back_the_canonical_text() -> None:
    assert Hlc.parse("001750000000123:000007:T1") == Hlc(1_750_000_000_123, 7, "T1")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "1750000000123:7:T1",
        "001750000000123:000007:",
        "001750000000123:000007",
        "001750000000123:000007:T1:x",
        "001750000000123:0000007:T1",
        "-01750000000123:000007:T1",
        "001750000000123:00000a:T1",
        " 001750000000123:000007:T1",
        "001750000000123:000007:T1\n",
        "001750000000123:000007:T 1",
        "００１750000000123:000007:T1",
        "001750000000123:000007:" + "n" * (NODE_MAX_LENGTH + 1),
        "001750000000123:000007:T\x00",
    ],
)
def test_hlc_parse_rejects_garbage_as_an_invalid_event(text: str) -> None:
    with pytest.raises(EventInvalid) as caught:
        Hlc.parse(text)
    assert caught.value.params == {"field": "hlc", "value": text}


@pytest.mark.parametrize("value", [None, 12, b"001750000000123:000007:T1"])
def test_hlc_parse_rejects_a_value_that_is_not_text_as_an_invalid_event(value: object) -> None:
    with pytest.raises(EventInvalid):
        Hlc.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("wall", "counter", "node"),
    [
        (-1, 0, "T1"),
        (WALL_MS_MAX + 1, 0, "T1"),
        (0, -1, "T1"),
        (0, COUNTER_MAX + 1, "T1"),
        (0, 0, ""),
        (0, 0, "a:b"),
        (0, 0, "a b"),
        (0, 0, "n" * (NODE_MAX_LENGTH + 1)),
        (True, 0, "T1"),
    ],
)
def test_hlc_refuses_fields_that_would_break_its_text_order(
    wall: int, counter: int, node: str
) -> None:
    with pytest.raises(ValueError):
        Hlc(wall, counter, node)


def test_the_longest_hlc_text_fits_the_events_column() -> None:
    longest = Hlc(WALL_MS_MAX, COUNTER_MAX, "n" * NODE_MAX_LENGTH)
    assert len(str(longest)) == HLC_TEXT_MAX_LENGTH


@given(a=hlcs, b=hlcs)
def test_hlc_text_order_equals_stamp_order(a: Hlc, b: Hlc) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert (str(a) == str(b)) == (a == b)


@given(stamp=hlcs)
def test_hlc_text_round_trips_through_parse(stamp: Hlc) -> None:
    assert Hlc.parse(str(stamp)) == stamp


# --- HybridLogicalClock ---------------------------------------------------------------------


def test_first_stamp_uses_the_physical_clock_with_counter_zero() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    assert clock.last is None
    assert clock.now() == Hlc(T0, 0, "T1")
    assert clock.last == Hlc(T0, 0, "T1")


def test_stamps_in_the_same_millisecond_count_up() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    assert [clock.now().counter for _ in range(3)] == [0, 1, 2]


def test_a_new_millisecond_resets_the_counter() -> None:
    fake = FakeClock(T0)
    clock = HybridLogicalClock("T1", fake)
    clock.now()
    clock.now()
    fake.ms += 1
    assert clock.now() == Hlc(T0 + 1, 0, "T1")


def test_stamps_keep_increasing_when_the_physical_clock_jumps_back_hours() -> None:
    fake = FakeClock(T0)
    clock = HybridLogicalClock("T1", fake)
    before = clock.now()
    fake.ms -= 3 * HOUR_MS
    after = [clock.now() for _ in range(3)]
    assert before < after[0] < after[1] < after[2]
    assert all(stamp.wall_ms == T0 for stamp in after)


def test_a_clock_resumed_from_a_stored_stamp_continues_after_it() -> None:
    stored = Hlc(T0 + HOUR_MS, 41, "T1")
    clock = HybridLogicalClock("T1", FakeClock(T0), last=stored)
    assert clock.now() == Hlc(T0 + HOUR_MS, 42, "T1")


def test_after_observing_a_peer_a_day_ahead_local_stamps_sort_after_the_peers() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    clock.now()
    remote = Hlc(T0 + DAY_MS, 5, "T2")
    merged = clock.observe(remote)
    assert merged == Hlc(T0 + DAY_MS, 6, "T1")
    assert clock.last == merged
    assert remote < merged < clock.now()


def test_observing_an_older_remote_stamp_still_advances_the_clock() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    first = clock.now()
    assert clock.observe(Hlc(T0 - DAY_MS, 9, "T2")) == Hlc(T0, 1, "T1")
    assert clock.last is not None and clock.last > first


def test_observing_with_equal_walls_takes_the_larger_counter_plus_one() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0), last=Hlc(T0, 3, "T1"))
    assert clock.observe(Hlc(T0, 10, "T2")) == Hlc(T0, 11, "T1")
    assert clock.observe(Hlc(T0, 2, "T2")) == Hlc(T0, 12, "T1")


def test_observing_when_the_physical_clock_is_newest_resets_the_counter() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0), last=Hlc(T0 - 5, 3, "T1"))
    assert clock.observe(Hlc(T0 - 1, 10, "T2")) == Hlc(T0, 0, "T1")


def test_a_fresh_clock_observing_a_stamp_sorts_after_it() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    remote = Hlc(T0, 7, "ZZ")
    assert clock.observe(remote) == Hlc(T0, 8, "T1")


def test_counter_overflow_moves_to_the_next_millisecond() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0), last=Hlc(T0, COUNTER_MAX, "T1"))
    assert clock.now() == Hlc(T0 + 1, 0, "T1")


def test_observing_a_stamp_with_a_full_counter_moves_to_the_next_millisecond() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    remote = Hlc(T0 + 10, COUNTER_MAX, "T2")
    merged = clock.observe(remote)
    assert merged == Hlc(T0 + 11, 0, "T1")
    assert merged > remote


def test_a_physical_clock_before_1970_is_clamped_to_zero() -> None:
    clock = HybridLogicalClock("T1", FakeClock(-5))
    assert clock.now() == Hlc(0, 0, "T1")


def test_a_skew_limit_refuses_a_peer_too_far_ahead_without_moving_the_clock() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0), max_skew_ms=HOUR_MS)
    first = clock.now()
    with pytest.raises(ClockSkewTooLarge) as caught:
        clock.observe(Hlc(T0 + DAY_MS, 0, "T2"))
    assert caught.value.params["skew_ms"] == DAY_MS
    assert clock.last == first
    assert clock.observe(Hlc(T0 + HOUR_MS, 0, "T2")) == Hlc(T0 + HOUR_MS, 1, "T1")


def test_the_clock_refuses_a_node_that_cannot_appear_in_a_stamp() -> None:
    with pytest.raises(ValueError):
        HybridLogicalClock("T:1")
    with pytest.raises(ValueError):
        HybridLogicalClock("T1", max_skew_ms=-1)


def test_the_default_physical_clock_is_the_system_clock() -> None:
    clock = HybridLogicalClock("T1")
    before = system_wall_ms()
    stamp = clock.now()
    assert before <= stamp.wall_ms <= system_wall_ms()
    assert clock.node == "T1"


def test_stamps_from_many_threads_are_all_distinct() -> None:
    clock = HybridLogicalClock("T1", FakeClock(T0))
    results: list[list[Hlc]] = [[] for _ in range(8)]

    def work(out: list[Hlc]) -> None:
        for i in range(2_000):
            out.append(clock.now() if i % 3 else clock.observe(Hlc(T0, i, "T2")))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [stamp for out in results for stamp in out]
    assert len(set(every)) == len(every)
    assert all(out == sorted(out) for out in results)


# --- properties -----------------------------------------------------------------------------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(-2 * DAY_MS, 2 * DAY_MS)),
        st.tuples(st.just("now"), st.just(0)),
        st.tuples(st.just("observe"), st.integers(-2 * DAY_MS, 2 * DAY_MS)),
        st.tuples(st.just("observe_full"), st.integers(-5, 5)),
    ),
    max_size=60,
)


@given(steps=steps, remote_counter=st.integers(0, COUNTER_MAX))
def test_every_stamp_is_greater_than_the_last_and_than_every_observed_remote(
    steps: list[tuple[str, int]], remote_counter: int
) -> None:
    fake = FakeClock(T0)
    clock = HybridLogicalClock("T1", fake)
    issued: list[Hlc] = []
    max_remote: Hlc | None = None
    for action, amount in steps:
        if action == "tick":
            fake.ms = max(0, fake.ms + amount)
            continue
        if action == "now":
            stamp = clock.now()
        else:
            counter = COUNTER_MAX if action == "observe_full" else remote_counter
            remote = Hlc(max(0, fake.ms + amount), counter, "T2")
            max_remote = remote if max_remote is None else max(max_remote, remote)
            stamp = clock.observe(remote)
        if issued:
            assert stamp > issued[-1]
            assert str(stamp) > str(issued[-1])
        if max_remote is not None:
            assert stamp > max_remote
        assert clock.last == stamp
        issued.append(stamp)


class ClockMachine(RuleBasedStateMachine):
    """Two terminals exchanging stamps while their physical clocks wander."""

    @initialize()
    def start(self) -> None:
        self.clock_a = FakeClock(T0)
        self.clock_b = FakeClock(T0 + DAY_MS)  # a peer a day ahead
        self.a = HybridLogicalClock("A", self.clock_a)
        self.b = HybridLogicalClock("B", self.clock_b)
        self.issued: dict[str, list[Hlc]] = {"A": [], "B": []}
        self.observed: dict[str, Hlc | None] = {"A": None, "B": None}

    def _record(self, name: str, stamp: Hlc) -> None:
        previous = self.issued[name]
        if previous:
            assert stamp > previous[-1]
            assert str(stamp) > str(previous[-1])
        seen = self.observed[name]
        if seen is not None:
            assert stamp > seen
        previous.append(stamp)

    @rule(delta=st.integers(-3 * HOUR_MS, 3 * HOUR_MS), which=st.sampled_from("AB"))
    def physical_clock_moves(self, delta: int, which: str) -> None:
        fake = self.clock_a if which == "A" else self.clock_b
        fake.ms = max(0, fake.ms + delta)

    @rule(which=st.sampled_from("AB"))
    def local_event(self, which: str) -> None:
        clock = self.a if which == "A" else self.b
        self._record(which, clock.now())

    @rule(which=st.sampled_from("AB"))
    def receive_from_peer(self, which: str) -> None:
        other = "B" if which == "A" else "A"
        if not self.issued[other]:
            return
        remote = self.issued[other][-1]
        clock = self.a if which == "A" else self.b
        seen = self.observed[which]
        self.observed[which] = remote if seen is None else max(seen, remote)
        self._record(which, clock.observe(remote))

    @invariant()
    def text_order_matches_stamp_order(self) -> None:
        for stamps in self.issued.values():
            texts = [str(stamp) for stamp in stamps]
            assert texts == sorted(texts)


TestTwoTerminalsExchangingStampsStayStrictlyOrdered = ClockMachine.TestCase
