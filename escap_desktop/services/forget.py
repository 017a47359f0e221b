"""« Oublier ce poste »: remove this computer's keys and patient data, after confirmation.

For a professional who leaves a shared office PC, hands back a laptop, or wants a fresh start.
What goes, in this order:

1. the keys, from the OS keyring: the store key (``coffre-<store id>``), this device's sync
   keys (``device-keys:<slot>``) and the MSSanté mailbox's password (``mssante-smtp:…``).
   Keys first: once the store key is gone, whatever a disk may still hold of the deleted files
   is ciphertext nobody can open (scans too: their key is kept inside the store). If the
   keyring holds a key but refuses to let it go (locked, or not reachable from this session),
   nothing at all is removed and the professional is told why;
2. the files of the data folder that hold or protect patient data: the store and its WAL/SHM,
   its keyinfo file, the copies taken before migrations and restores (with the scans a restore
   set aside), the device key file, the encrypted consent scans and the pseudonymisation salt of
   the evaluation exports.

Kept: the public professional directory (``annuaire.db``, public data, long to import again),
the site's grid and document template folders (no patient data), the log files (they never hold
patient data) and any file the professional saved elsewhere (PDFs, exports, backups).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.errors

from escap_desktop.core.errors import (
    EscapError,
    KeyringUnavailableError,
    StoreError,
    ValidationError,
)
from escap_desktop.exports.salt import SALT_FILE_NAME
from escap_desktop.mail.credentials import mailbox_keyring_user
from escap_desktop.services import instance_lock
from escap_desktop.services.scans import SCANS_FOLDER
from escap_desktop.store import Store, mail_settings, open_store, store_exists, store_path
from escap_desktop.store.keys import (
    KEYRING_SERVICE,
    KeyInfo,
    KeyMode,
    KeyringLockedError,
    keyring_username,
    read_keyinfo,
)
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.identity_keys import keyring_username as device_keyring_username

CONFIRMATION = "OUBLIER CE POSTE"
CONFIRMATION_MESSAGE = (
    f"Pour confirmer, saisissez exactement « {CONFIRMATION} » : rien n'a été supprimé."
)
KEYRING_REFUSED_MESSAGE = (
    "Le trousseau du système refuse de retirer les clés de ce poste ({reason}) : rien n'a été "
    "supprimé. Déverrouillez le trousseau (ou ouvrez votre session habituelle), puis recommencez."
)
KEPT_NAMES = ("annuaire.db", "grilles", "modeles")


@dataclass(frozen=True, slots=True)
class StoreEntries:
    """The keyring entries only the store names, so they are read while it is open: the slot
    of this device's sync keys ("" sync never set up) and the MSSanté mailbox's password entry
    ("" no mailbox set up)."""

    device_key_slot: str = ""
    mailbox: str = ""

    def slots(self) -> list[tuple[str, str]]:
        """(label, keyring user) of each entry to remove."""
        found = []
        if self.device_key_slot:
            found.append(
                (
                    "clés de synchronisation de l'appareil",
                    device_keyring_username(self.device_key_slot),
                )
            )
        if self.mailbox:
            found.append(("mot de passe de la messagerie MSSanté", self.mailbox))
        return found


@dataclass(frozen=True, slots=True)
class ForgetPlan:
    """What « Oublier ce poste » would remove, to show before asking for the confirmation."""

    data_dir: Path
    files: tuple[Path, ...]
    keyring_entries: tuple[str, ...]
    kept: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What was removed; ``notes`` are French sentences about what was not (and why)."""

    removed_files: tuple[Path, ...]
    removed_keys: tuple[str, ...]
    kept: tuple[Path, ...]
    notes: tuple[str, ...]


def check_confirmation(text: str) -> None:
    """The typed confirmation, spaces and case aside; ValidationError otherwise."""
    if " ".join(text.split()).upper() != CONFIRMATION:
        raise ValidationError(CONFIRMATION_MESSAGE, field="confirmation")


def plan_forget(data_dir: Path | str, own: StoreEntries | None = None) -> ForgetPlan:
    """Lists the files and keyring entries that would go; removes nothing."""
    folder = Path(data_dir).absolute()
    entries = []
    info = _keyinfo(folder)
    if info is not None and info.mode is KeyMode.KEYRING:
        entries.append(f"{KEYRING_SERVICE} / {keyring_username(info.store_id)}")
    for _label, username in (own or StoreEntries()).slots():
        entries.append(f"{KEYRING_SERVICE} / {username}")
    return ForgetPlan(folder, tuple(_data_files(folder)), tuple(entries), tuple(_kept(folder)))


def forget_data_folder(
    data_dir: Path | str, confirmation: str, *, own: StoreEntries | None = None
) -> ForgetReport:
    """Removes this computer's keys, then its patient data files (see the module docstring).

    The store must be closed. ``own`` names the keyring entries read from the store while it
    was open (see :class:`ForgetService`); None says the store could not be read (a note then
    says those entries may remain).
    Raises ValidationError without the exact confirmation, and KeyringLockedError / StoreError
    when the keyring keeps a key: in both cases nothing is removed.
    """
    check_confirmation(confirmation)
    folder = Path(data_dir).absolute()
    # Not while a window (another process) has this folder open: it would write a new store.
    with instance_lock.exclusive_use(folder, "oublier ce poste"):
        return _forget_data_folder(folder, own)


def _forget_data_folder(folder: Path, own: StoreEntries | None) -> ForgetReport:
    notes: list[str] = []
    info = _keyinfo(folder)
    slots: list[tuple[str, str]] = []
    if own is not None:
        slots.extend(own.slots())
    elif store_path(folder).exists():
        notes.append(
            "Les clés de synchronisation et le mot de passe MSSanté éventuellement gardés dans "
            "le trousseau n'ont pas pu être retrouvés (coffre non ouvert) : supprimez les "
            "entrées « device-keys » et « mssante-smtp » du service « escap-desktop » dans le "
            "gestionnaire de mots de passe."
        )
    required = info is not None and info.mode is KeyMode.KEYRING
    if info is not None and info.mode is KeyMode.KEYRING:
        slots.append(("clé du coffre de données", keyring_username(info.store_id)))
    elif info is None and store_path(folder).exists():
        notes.append(
            "Le fichier de clé du coffre est absent ou illisible : la clé éventuellement gardée "
            "dans le trousseau n'a pas pu être retrouvée."
        )
    removed_keys = _remove_keyring_entries(slots, required=required, notes=notes)
    removed_files = []
    for path in _data_files(folder):
        if _remove(path, notes):
            removed_files.append(path)
    return ForgetReport(
        removed_files=tuple(removed_files),
        removed_keys=tuple(removed_keys),
        kept=tuple(_kept(folder)),
        notes=tuple(notes),
    )


def read_store_entries(data_dir: Path | str, passphrase: str | None = None) -> StoreEntries | None:
    """The keyring entries the store names, read if it opens; None if it does not.

    For forgetting a computer whose practice is not open (the command line): a store that no
    longer opens (lost passphrase, damaged file) must still be forgettable.
    """
    if not store_exists(data_dir):
        return StoreEntries()
    try:
        store = open_store(data_dir, passphrase)
    except EscapError:
        return None
    try:
        return ForgetService(store, Path(data_dir))._store_entries()
    except EscapError:
        return None
    finally:
        store.close()


class ForgetService:
    """« Oublier ce poste » for the open practice: reads what it needs, closes the store, forgets.

    After :meth:`forget` the practice's store is closed for good: the application must quit.
    """

    def __init__(self, store: Store, data_dir: Path) -> None:
        self._store = store
        self._data_dir = Path(data_dir)

    def plan(self) -> ForgetPlan:
        return plan_forget(self._data_dir, self._store_entries())

    def forget(self, confirmation: str) -> ForgetReport:
        check_confirmation(confirmation)  # before anything is closed
        own = self._store_entries()
        self._store.close()
        return forget_data_folder(self._data_dir, confirmation, own=own)

    def _store_entries(self) -> StoreEntries:
        with self._store.unit_of_work(None) as uow:
            state = SyncRepository(uow.session, uow.clock).peek_state()
            mailbox = mail_settings.read(uow.session)
        return StoreEntries(
            device_key_slot=state.key_slot if state is not None and state.device_id else "",
            mailbox=mailbox_keyring_user(mailbox.login, mailbox.host) if mailbox else "",
        )


# -- internals -------------------------------------------------------------------------------


def _keyinfo(folder: Path) -> KeyInfo | None:
    try:
        return read_keyinfo(store_path(folder))
    except StoreError:
        return None


def _remove_keyring_entries(
    slots: Iterable[tuple[str, str]], *, required: bool, notes: list[str]
) -> list[str]:
    """Deletes each entry; stops everything (raises) when the keyring keeps one of them.

    Without any usable keyring there is nothing to delete unless the store's key is known to be
    in one (``required``): then it is in another session's keyring and we must not go on.
    """
    slots = list(slots)
    if not slots:
        return []
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring) or (
        isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends
    ):
        if required:
            raise KeyringUnavailableError(KEYRING_REFUSED_MESSAGE.format(reason="indisponible"))
        notes.append("Aucun trousseau du système n'est disponible : aucune clé à y retirer.")
        return []
    removed = []
    for label, username in slots:
        try:
            present = backend.get_password(KEYRING_SERVICE, username) is not None
            if present:
                backend.delete_password(KEYRING_SERVICE, username)
        except keyring.errors.KeyringLocked:
            raise KeyringLockedError(
                KEYRING_REFUSED_MESSAGE.format(reason="trousseau verrouillé")
            ) from None
        except keyring.errors.PasswordDeleteError:
            present = False
        except keyring.errors.KeyringError:
            raise KeyringUnavailableError(
                KEYRING_REFUSED_MESSAGE.format(reason="trousseau indisponible")
            ) from None
        if present:
            removed.append(label)
    return removed


def _data_files(folder: Path) -> list[Path]:
    """The files and folders holding or protecting patient data, sorted."""
    if not folder.is_dir():
        return []
    stem = store_path(folder).stem  # "escap-desktop"
    found: set[Path] = set()
    # store, -wal, -shm, keyinfo, copies (and scans set aside by a restore), device keys
    found.update(folder.glob(f"{stem}.*"))
    found.update(folder.glob(".keys-*"))  # a device key file interrupted while being written
    for name in (SALT_FILE_NAME, SCANS_FOLDER):
        if (folder / name).exists():
            found.add(folder / name)
    return sorted(found)


def _kept(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.name.startswith(KEPT_NAMES))


def _remove(path: Path, notes: list[str]) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        notes.append(f"{path.name} n'a pas pu être supprimé ({error.strerror or error}).")
        return False
    return True
