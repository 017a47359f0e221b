"""Changing how the store is protected: its passphrase, its key, keyring or passphrase mode.

A nurse whose laptop keyring is unreliable moves to a passphrase; a GP who chose a passphrase
moves to the keyring once it works; anyone who fears the passphrase (or the key) leaked changes
it. Every change re-encrypts the whole file with SQLCipher's ``PRAGMA rekey``
(:meth:`Store.change_key`), in an order that never leaves a store that opens with neither key:

1. the current secret is checked, and the new one, before anything is touched;
2. a keyed copy of the store is taken, then the file is re-encrypted and re-opened with the new
   key (every page's HMAC checked);
3. only then is the new key material written: the new key in the keyring under a new entry
   (``coffre-<new store id>``), then the keyinfo file, replaced in one step. The keyinfo file is
   the single switch: until it is replaced, the old key material is intact and, if the re-encryption
   had already been committed, opening the store puts the copy back (``store/opening.py``);
4. the old keyring entry and the copy are removed.

This device's sync keys follow the store: in passphrase mode they live in a file encrypted with
the store's passphrase, so a new passphrase re-encrypts that file, and a switch of mode moves
them between that file and the keyring.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import keyring.errors

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import new_id
from escap_desktop.core.errors import (
    EscapError,
    KeyringUnavailableError,
    StoreError,
    ValidationError,
)
from escap_desktop.services import instance_lock
from escap_desktop.store import Store, scan_files
from escap_desktop.store.keys import (
    KEYRING_SERVICE,
    MIN_PASSPHRASE_LENGTH,
    KdfParams,
    KeyInfo,
    KeyMode,
    KeyringLockedError,
    delete_from_untrusted_keyring,
    derive_key_from_passphrase,
    ensure_keyring_usable,
    key_check_value,
    key_matches,
    keyring_username,
    new_key,
    new_salt,
    read_keyinfo,
    save_key_in_keyring,
    write_keyinfo,
)
from escap_desktop.store.opening import open_with_untrusted_key
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.device import KEYRING as DEVICE_KEYRING
from escap_desktop.sync.device import PASSPHRASE as DEVICE_PASSPHRASE
from escap_desktop.sync.device import key_file_path
from escap_desktop.sync.identity_keys import KeyringDeviceKeys, PassphraseKeyFile

logger = logging.getLogger(__name__)

WRONG_CURRENT_MESSAGE = (
    "La phrase de passe actuelle est incorrecte : la protection du coffre n'a pas changé."
)
NEW_TOO_SHORT_MESSAGE = (
    f"La nouvelle phrase de passe doit contenir au moins {MIN_PASSPHRASE_LENGTH} caractères."
)
CONFIRMATION_DIFFERS_MESSAGE = "Les deux saisies de la nouvelle phrase de passe diffèrent."
SAME_PASSPHRASE_MESSAGE = "La nouvelle phrase de passe doit être différente de l'actuelle."
ALREADY_KEYRING_MESSAGE = "Le coffre de données est déjà protégé par le trousseau du système."
NOT_PASSPHRASE_MESSAGE = (
    "Le coffre de données est protégé par le trousseau du système, pas par une phrase de "
    "passe : choisissez d'abord une phrase de passe."
)
NO_KEYRING_MESSAGE = (
    "Aucun trousseau sécurisé du système n'est disponible sur ce poste : le coffre reste "
    "protégé par sa phrase de passe."
)
KEYRING_LOCKED_MESSAGE = (
    "Le trousseau du système est verrouillé : déverrouillez-le (ouverture de session ou "
    "gestionnaire de mots de passe), puis réessayez. Le coffre reste protégé par sa phrase "
    "de passe."
)
KEYINFO_GONE_MESSAGE = (
    "Le fichier de clé du coffre de données est introuvable : la protection ne peut pas être "
    "changée."
)
KEYINFO_NOT_WRITTEN_MESSAGE = (
    "Le fichier de clé du coffre de données n'a pas pu être enregistré : la protection n'a pas "
    "changé."
)


class ProtectionError(StoreError):
    """A change of protection that cannot be made as asked (wrong mode, keyring missing...)."""


class KeyringSwitchError(KeyringUnavailableError):
    """No usable keyring to move the store key into; the store keeps its passphrase."""


class CurrentPassphraseError(ValidationError):
    """The current passphrase typed to authorise the change is not the store's."""

    def __init__(self) -> None:
        super().__init__(WRONG_CURRENT_MESSAGE, field="current_passphrase")


@dataclass(frozen=True, slots=True)
class ProtectionStep:
    """Progress of a change, for a progress bar (``percent``) and a line of text."""

    percent: int
    text: str


@dataclass(frozen=True, slots=True)
class ProtectionChange:
    """How the store is protected after a change; ``notes`` are French sentences to show."""

    mode: KeyMode
    notes: tuple[str, ...] = ()

    @property
    def uses_passphrase(self) -> bool:
        return self.mode is KeyMode.PASSPHRASE


ProtectionSteps = Generator[ProtectionStep, None, ProtectionChange]


def check_new_passphrase(new: str, confirmation: str | None = None) -> None:
    """The rule for a new store passphrase (and its second typing, when given)."""
    if len(unicodedata.normalize("NFC", new).strip()) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(NEW_TOO_SHORT_MESSAGE, field="new_passphrase")
    if confirmation is not None and confirmation != new:
        raise ValidationError(CONFIRMATION_DIFFERS_MESSAGE, field="confirmation")


def run_to_end(steps: ProtectionSteps) -> ProtectionChange:
    """Drives a change without showing its progress (scripts, tests)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def default_kdf() -> KdfParams:
    return KdfParams(salt=new_salt())


class StoreProtectionService:
    """Changes the protection of the open store; the store stays open and usable afterwards.

    ``on_passphrase_changed`` hears the store's new passphrase (the sync service needs it to
    open the device key file). ``kdf`` gives the Argon2id parameters of a new passphrase (a
    fresh salt each time; tests pass cheaper limits).
    """

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        *,
        on_passphrase_changed: Callable[[str], None] | None = None,
        kdf: Callable[[], KdfParams] = default_kdf,
    ) -> None:
        self._store = store
        self._actor_id = actor_id
        self._on_passphrase_changed = on_passphrase_changed
        self._kdf = kdf

    def mode(self) -> KeyMode:
        return self._info().mode

    def uses_passphrase(self) -> bool:
        """Whether a passphrase protects the store now (else the OS keyring holds its key)."""
        return self.mode() is KeyMode.PASSPHRASE

    def is_current_passphrase(self, text: str) -> bool:
        """Whether ``text`` is the store's passphrase now (the idle lock's check after a change).

        Costs one Argon2id derivation, like opening the store: a guess is no cheaper here.
        """
        info = self._info()
        try:
            self._check_current(info, text)
        except EscapError:
            return False
        return True

    def change_passphrase(self, current: str, new: str) -> ProtectionSteps:
        """Passphrase mode: a new passphrase (and salt), after the current one is checked."""
        info = self._info()
        if info.mode is not KeyMode.PASSPHRASE:
            raise ProtectionError(NOT_PASSPHRASE_MESSAGE)
        check_new_passphrase(new)
        self._check_current(info, current)
        if unicodedata.normalize("NFC", new) == unicodedata.normalize("NFC", current):
            raise ValidationError(SAME_PASSPHRASE_MESSAGE, field="new_passphrase")
        device_keys = self._device_keys_in_file(current)
        key, new_info = self._passphrase_key(info.store_id, new)
        yield from self._change(info, key, new_info)
        notes = self._device_keys_to_file(device_keys, new)
        return self._done(new_info, new, notes)

    def use_passphrase(self, new: str, *, leftover: bool = False) -> ProtectionSteps:
        """Keyring mode to passphrase mode: the key leaves the keyring.

        ``leftover``: the keys sit in a keyring that may not keep them (an earlier version
        accepted it, see ``store.trusted_keyring``); they are moved out of it the same way.
        """
        info = self._info()
        if info.mode is KeyMode.PASSPHRASE:
            raise ProtectionError(
                "Le coffre de données est déjà protégé par une phrase de passe : changez-la plutôt."
            )
        check_new_passphrase(new)
        key, new_info = self._passphrase_key(new_id(), new)
        yield from self._change(info, key, new_info)
        notes = list(self._forget_store_key_in_keyring(info, leftover=leftover))
        notes += self._device_keys_keyring_to_file(new, leftover=leftover)
        return self._done(new_info, new, notes)

    def use_keyring(self, current: str) -> ProtectionSteps:
        """Passphrase mode to keyring mode, after the current passphrase is checked."""
        info = self._info()
        if info.mode is KeyMode.KEYRING:
            raise ProtectionError(ALREADY_KEYRING_MESSAGE)
        self._check_current(info, current)
        _require_keyring()
        device_keys = self._device_keys_in_file(current)
        key = new_key()
        new_info = KeyInfo(new_id(), KeyMode.KEYRING, key_check_value(key))
        yield from self._change(info, key, new_info)
        notes = self._device_keys_file_to_keyring(device_keys)
        return self._done(new_info, None, notes)

    def rekey(self, current: str | None = None) -> ProtectionSteps:
        """A fresh random key in the same mode (a new salt for the same passphrase)."""
        info = self._info()
        if info.mode is KeyMode.KEYRING:
            _require_keyring()
            key = new_key()
            new_info = KeyInfo(new_id(), KeyMode.KEYRING, key_check_value(key))
        else:
            self._check_current(info, current or "")
            key, new_info = self._passphrase_key(info.store_id, current or "")
        yield from self._change(info, key, new_info)
        notes = self._forget_store_key_in_keyring(info) if info.mode is KeyMode.KEYRING else ()
        return self._done(new_info, None, notes)

    # -- the change itself -----------------------------------------------------------------

    def _change(
        self, old: KeyInfo, key: bytes, new: KeyInfo
    ) -> Generator[ProtectionStep, None, None]:
        # The only point where the change may still be cancelled: nothing is touched yet.
        yield ProtectionStep(10, "Rechiffrement du coffre de données…")
        path = self._store.path
        keyring_entry = new.store_id if new.mode is KeyMode.KEYRING else None

        def record_new_key() -> None:
            if keyring_entry is not None:
                try:
                    save_key_in_keyring(keyring_entry, key)
                except KeyringLockedError:
                    raise KeyringSwitchError(KEYRING_LOCKED_MESSAGE) from None
                except KeyringUnavailableError:
                    raise KeyringSwitchError(NO_KEYRING_MESSAGE) from None
            try:
                write_keyinfo(path, new)
                written = read_keyinfo(path)
                if written is None or written.mode is not new.mode or not key_matches(key, written):
                    raise StoreError(KEYINFO_NOT_WRITTEN_MESSAGE)
            except BaseException:
                with contextlib.suppress(OSError):
                    write_keyinfo(path, old)
                if keyring_entry is not None:
                    _delete_keyring_entry(keyring_username(keyring_entry))
                raise

        # A store of the first versions derived its scans' key from the store key: keep that
        # key in the store before the store key goes, or its scans would no longer open.
        # Not while a window (another process) has the store open with the old key.
        with instance_lock.exclusive_use(path.parent, "changer la protection du coffre"):
            scan_files.scan_key(self._store)
            try:
                self._store.change_key(key, record_new_key)
            except OSError as error:
                raise StoreError(KEYINFO_NOT_WRITTEN_MESSAGE) from error

    def _done(
        self, info: KeyInfo, passphrase: str | None, notes: list[str] | tuple[str, ...]
    ) -> ProtectionChange:
        if passphrase is not None and self._on_passphrase_changed is not None:
            self._on_passphrase_changed(passphrase)
        return ProtectionChange(info.mode, tuple(notes))

    # -- keys and secrets ------------------------------------------------------------------

    def _info(self) -> KeyInfo:
        info = read_keyinfo(self._store.path)
        if info is None:
            raise StoreError(KEYINFO_GONE_MESSAGE)
        return info

    def _check_current(self, info: KeyInfo, current: str) -> None:
        if info.kdf is None:
            raise ProtectionError(NOT_PASSPHRASE_MESSAGE)
        key = derive_key_from_passphrase(
            current, info.kdf.salt, opslimit=info.kdf.opslimit, memlimit=info.kdf.memlimit
        )
        if not key_matches(key, info):
            raise CurrentPassphraseError()

    def _passphrase_key(self, store_id: str, passphrase: str) -> tuple[bytes, KeyInfo]:
        kdf = self._kdf()
        key = derive_key_from_passphrase(
            passphrase, kdf.salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
        )
        return key, KeyInfo(store_id, KeyMode.PASSPHRASE, key_check_value(key), kdf)

    def _forget_store_key_in_keyring(
        self, old: KeyInfo, *, leftover: bool = False
    ) -> tuple[str, ...]:
        username = keyring_username(old.store_id)
        gone = (
            delete_from_untrusted_keyring(username) if leftover else _delete_keyring_entry(username)
        )
        if gone:
            return ()
        return (
            "L'ancienne clé du coffre n'a pas pu être retirée du trousseau du système "
            f"(entrée « {keyring_username(old.store_id)} ») : elle n'ouvre plus le coffre, "
            "vous pouvez la supprimer dans le gestionnaire de mots de passe.",
        )

    # -- this device's sync keys -----------------------------------------------------------

    def _device_state(self) -> tuple[str, str] | None:
        """(keyring slot, storage) of this device's sync keys; None before sync was set up."""
        with self._store.unit_of_work(None) as uow:
            state = SyncRepository(uow.session, uow.clock).peek_state()
            if state is None or not state.device_id:
                return None
            return state.key_slot, state.key_storage

    def _set_device_storage(self, storage: str) -> None:
        with self._store.unit_of_work(self._actor_id()) as uow:
            SyncRepository(uow.session, uow.clock).state().key_storage = storage

    def _device_keys_in_file(self, passphrase: str) -> DeviceKeys | None:
        """The sync keys kept in the passphrase file, read before anything changes."""
        state = self._device_state()
        key_file = PassphraseKeyFile(key_file_path(self._store.path))
        if state is None or state[1] != DEVICE_PASSPHRASE or not key_file.exists():
            return None
        try:
            return key_file.load(passphrase)
        except EscapError:
            return None  # not the store's passphrase: the file is left as it is

    def _device_keys_to_file(self, keys: DeviceKeys | None, passphrase: str) -> list[str]:
        if keys is None:
            return []
        try:
            PassphraseKeyFile(key_file_path(self._store.path)).save(keys, passphrase)
        except (EscapError, OSError):
            return [
                "Les clés de synchronisation de cet appareil restent protégées par l'ancienne "
                "phrase de passe : refaites la configuration de la synchronisation."
            ]
        return []

    def _device_keys_keyring_to_file(self, passphrase: str, *, leftover: bool = False) -> list[str]:
        state = self._device_state()
        if state is None or state[1] != DEVICE_KEYRING:
            return []
        slot = state[0]
        try:
            keys = KeyringDeviceKeys(slot, leftover=leftover).load()
            if keys is None:
                return []
            PassphraseKeyFile(key_file_path(self._store.path)).save(keys, passphrase)
            self._set_device_storage(DEVICE_PASSPHRASE)
        except (EscapError, OSError):
            return [
                "Les clés de synchronisation de cet appareil sont restées dans le trousseau du "
                "système, qui n'a pas pu les rendre."
            ]
        with contextlib.suppress(EscapError):
            KeyringDeviceKeys(slot, leftover=leftover).delete()
        return []

    def _device_keys_file_to_keyring(self, keys: DeviceKeys | None) -> list[str]:
        state = self._device_state()
        if state is None or state[1] != DEVICE_PASSPHRASE:
            return []
        if keys is None:
            return [
                "Les clés de synchronisation de cet appareil n'ont pas pu être lues avec la "
                "phrase de passe du coffre : refaites la configuration de la synchronisation."
            ]
        try:
            KeyringDeviceKeys(state[0]).save(keys)
            self._set_device_storage(DEVICE_KEYRING)
        except EscapError:
            return [
                "Les clés de synchronisation de cet appareil restent dans leur fichier protégé "
                "par l'ancienne phrase de passe."
            ]
        key_file_path(self._store.path).unlink(missing_ok=True)
        return []


def _require_keyring() -> None:
    try:
        ensure_keyring_usable()
    except KeyringLockedError:
        raise KeyringSwitchError(KEYRING_LOCKED_MESSAGE) from None
    except KeyringUnavailableError:
        raise KeyringSwitchError(NO_KEYRING_MESSAGE) from None


def _delete_keyring_entry(username: str) -> bool:
    """Best effort; True when the entry is gone (or never was)."""
    try:
        keyring.get_keyring().delete_password(KEYRING_SERVICE, username)
    except keyring.errors.PasswordDeleteError:
        return True
    except keyring.errors.KeyringError:
        return False
    return True


def leave_untrusted_keyring(
    data_dir: Path | str, passphrase: str, *, clock: Clock | None = None
) -> Store:
    """Opens a store whose key an earlier version left in a keyring that keeps it readable,
    re-encrypts it under ``passphrase`` (the same crash-safe change as any protection change)
    and deletes the key, and the device's keys once moved to their passphrase file, from that
    keyring. The store stays open, in passphrase mode."""
    check_new_passphrase(passphrase)
    store = open_with_untrusted_key(data_dir, clock=clock)
    try:
        change = run_to_end(
            StoreProtectionService(store, lambda: None).use_passphrase(passphrase, leftover=True)
        )
    except BaseException:
        store.close()
        raise
    for note in change.notes:
        logger.warning("Sortie du trousseau non chiffré : %s", note)
    return store
