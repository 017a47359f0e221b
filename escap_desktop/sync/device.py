"""This store's device keys: created at sync set-up, kept in the keyring or a passphrase file.

The keyring comes first (as for the store key). Without a usable keyring the keys go to a file
beside the store, encrypted with a key derived from a passphrase (Argon2id): a professional
whose store is already in passphrase mode types that same passphrase, nothing new to remember.
The public halves are kept in the store (``sync_state``) so that the fingerprint and the
outbox never need the private keys.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from escap_desktop.core.errors import KeyringUnavailableError, SyncError
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.identity_keys import KeyringDeviceKeys, PassphraseKeyFile

KEYRING = "keyring"
PASSPHRASE = "passphrase"

PASSPHRASE_NEEDED_MESSAGE = (
    "Aucun trousseau de clés n'est disponible : saisissez la phrase de passe du coffre pour "
    "protéger (ou ouvrir) les clés de synchronisation de cet appareil."
)


class DevicePassphraseRequiredError(SyncError):
    """The device keys are in a passphrase file and no passphrase was given yet."""


def key_file_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.stem + ".cles-appareil.json")


class DeviceKeyVault:
    """Creates, saves and loads the device keys of one store.

    ``passphrase`` returns the passphrase the professional typed (None if none yet); it is
    asked for only when the keyring cannot be used.
    """

    def __init__(
        self,
        store_path: Path,
        key_slot: str,
        passphrase: Callable[[], str | None],
        key_file: PassphraseKeyFile | None = None,
    ) -> None:
        self._keyring = KeyringDeviceKeys(key_slot)
        self._file = key_file or PassphraseKeyFile(key_file_path(store_path))
        self._passphrase = passphrase
        self._cached: DeviceKeys | None = None

    def create(self) -> tuple[DeviceKeys, str]:
        """New keys, saved; returns them and where they went (``keyring`` or ``passphrase``)."""
        keys = DeviceKeys.generate()
        try:
            self._keyring.save(keys)
            storage = KEYRING
        except KeyringUnavailableError:
            self._file.save(keys, self._require_passphrase())
            storage = PASSPHRASE
        self._cached = keys
        return keys, storage

    def load(self, storage: str) -> DeviceKeys:
        if self._cached is not None:
            return self._cached
        if storage == KEYRING:
            keys = self._keyring.load()
            if keys is None:
                raise SyncError(
                    "Les clés de synchronisation de cet appareil ont disparu du trousseau : "
                    "refaites la configuration de la synchronisation."
                )
        else:
            keys = self._file.load(self._require_passphrase())
        self._cached = keys
        return keys

    def _require_passphrase(self) -> str:
        passphrase = self._passphrase()
        if not passphrase:
            raise DevicePassphraseRequiredError(PASSPHRASE_NEEDED_MESSAGE)
        return passphrase
