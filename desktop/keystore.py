"""Secrets of this terminal (the card key) in the OS keyring.

The card key signs member QR cards, so it must not sit in the SQLite file or a config
file that a backup copies around. The OS keyring (Secret Service, macOS Keychain,
Windows Credential Locker) is used when there is one. A bare Linux box without a
keyring daemon gets keyrings.alt's file backend inside the data directory instead, and
``is_system_keyring`` is False so the UI can say so (as Vorta does).
"""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring

from shared.card import new_card_key

SERVICE = "MemberDesk"


class KeyStore:
    def __init__(self, data_dir: Path, backend: KeyringBackend | None = None) -> None:
        self._backend, self.is_system_keyring = _choose_backend(data_dir, backend)

    def card_key(self, account: str) -> bytes:
        """The card key stored under ``account``, made and stored on first use."""
        stored = self._backend.get_password(SERVICE, account)
        if stored is not None:
            return base64.b64decode(stored)
        key = new_card_key()
        self._backend.set_password(SERVICE, account, base64.b64encode(key).decode())
        return key


def _choose_backend(data_dir: Path, given: KeyringBackend | None) -> tuple[KeyringBackend, bool]:
    if given is not None:
        return given, True
    system = keyring.get_keyring()
    if getattr(system, "priority", 0) >= 1 and not isinstance(system, PlaintextKeyring):
        return system, True
    fallback = PlaintextKeyring()
    fallback.file_path = str(data_dir / "keyring" / "keyring_pass.cfg")
    return fallback, False
