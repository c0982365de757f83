"""An in-memory keyring for tests: handed to the Terminal explicitly, never installed.

Tests pass an instance as ``keyring_backend=`` so no test reads or writes the OS keyring.
Two instances built on the same dict see the same secrets, which is how a copied data
directory keeps working with the card key of the directory it was copied from.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

Entries = dict[tuple[str, str], str]


class MemoryKeyring(KeyringBackend):
    priority = 1
    # KeyringBackend's metaclass registers every concrete subclass as a candidate for
    # keyring.get_keyring(); not viable keeps this one out of that choice, so code that
    # asks for the system keyring (the CLI) never picks up the test double.
    viable = False

    def __init__(self, entries: Entries | None = None) -> None:
        super().__init__()
        self.entries: Entries = {} if entries is None else entries

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None
