"""Content-addressed blobs: named by their sha256, stored once, never outside the store."""

from __future__ import annotations

import hashlib

import pytest

from desktop.store.blobs import BlobStore, blob_ref, check_ref
from shared.errors import BlobCorrupt, BlobMissing, BlobRefInvalid, ValidationError
from shared.kinds import Role

PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes are bytes"
REF = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def store(tmp_path):
    return BlobStore.in_data_dir(tmp_path)


def test_put_returns_the_sha256_and_stores_the_bytes_under_a_two_digit_shard(store, tmp_path):
    ref = store.put(PHOTO)

    assert ref == REF == blob_ref(PHOTO)
    assert store.path(ref) == tmp_path / "blobs" / REF[:2] / REF
    assert store.path(ref).read_bytes() == PHOTO
    assert store.has(ref)
    assert store.get(ref) == PHOTO


def test_putting_the_same_bytes_twice_changes_nothing(store):
    first = store.put(PHOTO)
    mtime = store.path(first).stat().st_mtime_ns

    assert store.put(PHOTO) == first
    assert store.path(first).stat().st_mtime_ns == mtime
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [first]


def test_an_empty_blob_is_a_blob(store):
    ref = store.put(b"")

    assert ref == hashlib.sha256(b"").hexdigest()
    assert store.get(ref) == b""


def test_a_missing_blob_is_a_typed_error(store):
    assert not store.has(REF)
    with pytest.raises(BlobMissing) as raised:
        store.get(REF)
    assert raised.value.code == "blob.missing"
    assert raised.value.params == {"ref": REF}


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "../" * 20 + "etc/passwd",
        REF.upper(),
        REF[:63],
        REF + "0",
        REF[:62] + "/x",
        "/" + REF[1:],
        REF[:63] + "\n",
        "g" * 64,
    ],
)
def test_a_bad_reference_is_refused_before_it_becomes_a_path(store, bad):
    for use in (store.path, store.has, store.get, check_ref):
        with pytest.raises(BlobRefInvalid) as raised:
            use(bad)
        assert isinstance(raised.value, ValidationError)
        assert raised.value.code == "blob.ref_invalid"


def test_a_reference_that_is_not_text_is_refused(store):
    with pytest.raises(BlobRefInvalid):
        store.get(12345)


def test_a_damaged_blob_is_reported_not_returned(store):
    ref = store.put(PHOTO)
    store.path(ref).write_bytes(PHOTO[:-1] + b"!")

    with pytest.raises(BlobCorrupt) as raised:
        store.get(ref)
    assert raised.value.code == "blob.corrupt"


def test_putting_the_bytes_again_repairs_a_damaged_blob(store):
    ref = store.put(PHOTO)
    store.path(ref).write_bytes(b"truncated")

    store.put(PHOTO)

    assert store.get(ref) == PHOTO


def test_a_failed_put_leaves_no_partial_file(store):
    store.root.mkdir()
    (store.root / REF[:2]).write_bytes(b"a file where the shard directory should be")

    with pytest.raises(OSError):
        store.put(PHOTO)

    assert not store.has(REF)
    assert sorted(p.name for p in store.root.iterdir()) == [REF[:2]]


def test_an_enrolment_photo_travels_as_a_reference(terminal, login_as):
    login_as(Role.CASHIER)
    blobs = BlobStore.in_data_dir(terminal.data_dir)
    ref = blobs.put(PHOTO)

    member_id = terminal.members.enroll(name="张三", photo_ref=ref)

    assert terminal.members.profile(member_id).photo_ref == ref
    assert blobs.get(terminal.members.profile(member_id).photo_ref) == PHOTO
