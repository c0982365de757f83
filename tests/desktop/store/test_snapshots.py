"""Check-in snapshots: one directory per day, found without an index, purged by whole days."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from desktop.store.snapshots import SnapshotStore, check_checkin_id
from shared.errors import PhotoUnreadable, SnapshotIdInvalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI)


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="JPEG")
    return out.getvalue()


def checkin_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.in_data_dir(tmp_path)


def test_a_snapshot_is_kept_under_its_day_and_found_again(store, tmp_path):
    cid = checkin_id()

    path = store.save(cid, jpeg(), NOW)

    assert path == tmp_path / "snapshots" / "2026-06-30" / f"{cid}.jpg"
    assert path.read_bytes() == jpeg()
    assert store.find(cid, on=date(2026, 6, 30)) == path
    assert store.find(cid) == path
    with Image.open(path) as image:
        assert image.size == (32, 24)


def test_the_day_is_the_time_given_not_utc(store):
    cid = checkin_id()
    just_after_midnight = datetime(2026, 7, 1, 0, 30, tzinfo=SHANGHAI)  # 30 June in UTC

    path = store.save(cid, jpeg(), just_after_midnight)

    assert path.parent.name == "2026-07-01"


def test_find_tolerates_a_day_off_and_falls_back_to_scanning(store):
    cid = checkin_id()
    path = store.save(cid, jpeg(), NOW)

    assert store.find(cid, on=date(2026, 7, 1)) == path  # the caller's day in another zone
    assert store.find(cid, on=date(2026, 1, 1)) == path  # a wrong day: every day is tried


def test_an_unknown_checkin_has_no_snapshot(store):
    assert store.find(checkin_id()) is None
    store.save(checkin_id(), jpeg(), NOW)
    assert store.find(checkin_id(), on=NOW.date()) is None


def test_saving_again_replaces_the_snapshot(store):
    cid = checkin_id()
    store.save(cid, jpeg("red"), NOW)

    path = store.save(cid, jpeg("blue"), NOW)

    assert path.read_bytes() == jpeg("blue")


@pytest.mark.parametrize(
    "bad",
    ["", "../../etc/passwd", "A" * 32, str(uuid.uuid4()).upper(), "x" + str(uuid.uuid4()), "1/2"],
)
def test_a_checkin_id_that_is_not_a_uuid_is_refused(store, bad):
    with pytest.raises(SnapshotIdInvalid) as raised:
        store.save(bad, jpeg(), NOW)
    assert raised.value.code == "snapshot.checkin_id_invalid"
    with pytest.raises(SnapshotIdInvalid):
        store.find(bad)
    assert not store.root.exists()


def test_a_uuid_without_dashes_is_a_checkin_id():
    assert check_checkin_id(uuid.uuid4().hex)


def test_only_jpeg_bytes_are_kept(store):
    with pytest.raises(PhotoUnreadable):
        store.save(checkin_id(), b"GIF89a...", NOW)


def test_a_naive_time_is_refused(store):
    with pytest.raises(ValueError):
        store.save(checkin_id(), jpeg(), datetime(2026, 6, 30, 10, 0))


def test_purge_deletes_whole_expired_days_and_keeps_recent_ones(store):
    days_ago = {offset: NOW - timedelta(days=offset) for offset in (0, 1, 29, 30, 31, 45, 400)}
    kept_ids: list[str] = []
    for offset, at in days_ago.items():
        for _ in range(2):
            cid = checkin_id()
            store.save(cid, jpeg(), at)
            if offset <= 30:
                kept_ids.append(cid)

    removed = store.purge(older_than_days=30, now=NOW)

    assert removed == 6  # two each from 31, 45 and 400 days ago
    left = sorted(p.name for p in store.root.iterdir())
    assert left == ["2026-05-31", "2026-06-01", "2026-06-29", "2026-06-30"]
    assert all(store.find(cid) is not None for cid in kept_ids)
    assert store.purge(older_than_days=30, now=NOW) == 0


def test_purge_leaves_what_is_not_a_day_directory_alone(store):
    store.save(checkin_id(), jpeg(), NOW - timedelta(days=90))
    stray_dir = store.root / "notes"
    stray_dir.mkdir()
    (store.root / "2020-01-01").write_bytes(b"a file, not a day directory")
    (store.root / "2020-13-45").mkdir()

    assert store.purge(older_than_days=7, now=NOW) == 1

    assert sorted(p.name for p in store.root.iterdir()) == ["2020-01-01", "2020-13-45", "notes"]


def test_purge_with_zero_days_keeps_only_today(store):
    today = store.save(checkin_id(), jpeg(), NOW)
    store.save(checkin_id(), jpeg(), NOW - timedelta(days=1))

    assert store.purge(older_than_days=0, now=NOW) == 1
    assert [p.parent.name for p in store.root.rglob("*.jpg")] == [today.parent.name]


def test_purge_of_an_empty_store_removes_nothing(store):
    assert store.purge(older_than_days=30, now=NOW) == 0
    with pytest.raises(ValueError):
        store.purge(older_than_days=-1, now=NOW)


def test_purge_uses_the_day_of_now_in_its_own_zone(store):
    store.save(checkin_id(), jpeg(), datetime(2026, 6, 29, 12, 0, tzinfo=SHANGHAI))
    late_utc = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)  # already 1 July in Shanghai

    assert store.purge(older_than_days=1, now=late_utc) == 0
    assert store.purge(older_than_days=1, now=late_utc.astimezone(SHANGHAI)) == 1
