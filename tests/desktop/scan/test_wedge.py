"""The wedge buffer tells scanner bursts from typing by timing alone."""

from __future__ import annotations

from desktop.scan.wedge import Released, Scanned, WedgeBuffer, strip_controls


def feed(buffer: WedgeBuffer[str], text: str, start: float, gap: float) -> list[object]:
    out: list[object] = []
    for i, ch in enumerate(text):
        out += buffer.key(ch, ch, start + i * gap)
    return out


def test_a_fast_burst_ending_in_enter_is_one_scan_and_nothing_is_released():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35)

    assert feed(buffer, "MD1:ABC", 0, 8) == []
    actions, consumed = buffer.enter(7 * 8)

    assert actions == [Scanned("MD1:ABC")]
    assert consumed
    assert not buffer.holding


def test_slow_typing_is_released_key_by_key_in_order():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35)

    out = feed(buffer, "abc", 0, 150)

    assert out == [Released(("a",)), Released(("b",))]
    assert buffer.expire() == [Released(("c",))]


def test_enter_after_slow_typing_releases_the_keys_and_is_not_consumed():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35)
    feed(buffer, "12", 0, 10)

    actions, consumed = buffer.enter(500)

    assert actions == [Released(("1", "2"))]
    assert not consumed


def test_a_short_fast_burst_is_typing_not_a_scan():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35, min_length=4)
    feed(buffer, "ab", 0, 5)

    actions, consumed = buffer.enter(10)

    assert actions == [Released(("a", "b"))]
    assert not consumed


def test_a_long_burst_without_a_suffix_counts_as_a_scan_when_it_stops():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35, min_length_no_suffix=8)
    feed(buffer, "1234567890", 0, 6)

    assert buffer.expire() == [Scanned("1234567890")]


def test_a_burst_after_typing_starts_fresh():
    buffer: WedgeBuffer[str] = WedgeBuffer(gap_ms=35)
    assert feed(buffer, "x", 0, 0) == []

    out = feed(buffer, "CARD0001", 400, 5)
    actions, consumed = buffer.enter(400 + 8 * 5)

    assert out == [Released(("x",))]
    assert actions == [Scanned("CARD0001")] and consumed


def test_a_non_printable_key_releases_what_was_held():
    buffer: WedgeBuffer[str] = WedgeBuffer()
    feed(buffer, "ab", 0, 5)

    assert buffer.other_key() == [Released(("a", "b"))]
    assert buffer.other_key() == []


def test_control_characters_are_stripped_from_scans():
    assert strip_controls("\x1dMD1:AB\tC\r\n") == "MD1:ABC"
