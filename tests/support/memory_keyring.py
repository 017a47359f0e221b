"""An in-memory keyring backend: a real ``keyring`` backend, isolated per test."""

from __future__ import annotations

from keyring.backend import KeyringBackend

from escap_desktop.store.trusted_keyring import trust_backend


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._secrets.pop((service, username), None)


# The tests' stand-in for an OS keyring: in memory, gone with the test, so it may be trusted.
trust_backend(MemoryKeyring)
