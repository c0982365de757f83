"""Content-addressed blob files (member photos): a blob's name is the sha256 of its bytes.

Layout: ``<data_dir>/blobs/ab/abcdef...`` where ``ab`` are the first two hex digits of the
64-digit reference. Events carry only the reference; the bytes travel separately. A
reference is checked before it becomes a path, so no reference can name a file outside
the store.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from desktop.store.atomic import write_bytes_atomic
from shared.errors import BlobCorrupt, BlobMissing, BlobRefInvalid

__all__ = ["BlobStore", "blob_ref", "check_ref"]

_REF_RE = re.compile(r"[0-9a-f]{64}")


def blob_ref(data: bytes) -> str:
    """The reference of ``data``: its sha256 in lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def check_ref(ref: str) -> str:
    """``ref`` itself when it is 64 lowercase hex digits, else ``BlobRefInvalid``."""
    if not isinstance(ref, str) or _REF_RE.fullmatch(ref) is None:
        raise BlobRefInvalid(ref=str(ref)[:80])
    return ref


class BlobStore:
    """Blobs under one directory, sharded by the first two hex digits of their reference."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> BlobStore:
        """The terminal's blob store, ``<data_dir>/blobs``."""
        return cls(data_dir / "blobs")

    def path(self, ref: str) -> Path:
        """Where the blob ``ref`` is (or would be) stored."""
        check_ref(ref)
        return self.root / ref[:2] / ref

    def has(self, ref: str) -> bool:
        return self.path(ref).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its reference; storing the same bytes again is a no-op.

        A damaged copy already on disk is replaced by the good bytes.
        """
        ref = blob_ref(data)
        target = self.path(ref)
        if self._holds(target, data):
            return ref
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
        return ref

    def get(self, ref: str) -> bytes:
        """The bytes of blob ``ref``: ``BlobMissing`` if absent, ``BlobCorrupt`` if damaged."""
        try:
            data = self.path(ref).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(ref=ref) from None
        if blob_ref(data) != ref:
            raise BlobCorrupt(ref=ref)
        return data

    @staticmethod
    def _holds(target: Path, data: bytes) -> bool:
        try:
            return target.stat().st_size == len(data) and target.read_bytes() == data
        except FileNotFoundError:
            return False
