from desktop.scan.debounce import SightingDebouncer


def test_a_code_kept_in_view_counts_once():
    d = SightingDebouncer(quiet_s=2.0)

    seen = [d.accept("A", t / 10) for t in range(0, 100)]  # 10 s, every 100 ms

    assert seen.count(True) == 1


def test_a_code_counts_again_after_being_out_of_view():
    d = SightingDebouncer(quiet_s=2.0)

    assert d.accept("A", 0.0)
    assert not d.accept("A", 1.0)
    assert d.accept("A", 3.5)


def test_codes_are_independent():
    d = SightingDebouncer()

    assert d.accept("A", 0.0)
    assert d.accept("B", 0.1)
    assert not d.accept("A", 0.2)


def test_many_codes_do_not_grow_memory_without_bound():
    d = SightingDebouncer(quiet_s=1.0)
    for i in range(1000):
        d.accept(str(i), float(i))

    assert len(d._last_seen) <= 66
