"""Opening the store of a data folder, choosing between keyring and passphrase.

This is what the application calls at start-up. A new store goes in keyring mode unless the
caller passes a passphrase (it does so after a KeyringUnavailableError); an existing store is
opened in the mode its keyinfo file records.
"""

from __future__ import annotations

from pathlib import Path

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import new_id
from escap_desktop.core.errors import (
    KeyringUnavailableError,
    PassphraseRequiredError,
    StoreError,
    WrongPassphraseError,
)
from escap_desktop.store.engine import DAMAGED_MESSAGE, WRONG_KEY_MESSAGE
from escap_desktop.store.keys import (
    INSECURE_KEY_MESSAGE,
    KEY_MISMATCH_MESSAGE,
    KEY_MISSING_MESSAGE,
    PASSPHRASE_REQUIRED_MESSAGE,
    InsecureKeyringError,
    KdfParams,
    KeyInfo,
    KeyMode,
    KeyringLockedError,
    check_passphrase_strength,
    derive_key_from_passphrase,
    ensure_keyring_usable,
    key_check_value,
    key_matches,
    load_key_from_keyring,
    load_key_from_untrusted_keyring,
    new_key,
    new_salt,
    read_keyinfo,
    save_key_in_keyring,
    write_keyinfo,
)
from escap_desktop.store.local_store import (
    Store,
    discard_key_change_backup,
    recover_interrupted_key_change,
)

STORE_FILENAME = "escap-desktop.db"
KEYRING_GONE_MESSAGE = (
    "Le trousseau du système, qui garde la clé de ce coffre de données, n'est pas disponible : "
    "ouvrez ESCAP Desktop dans votre session habituelle de l'ordinateur."
)
MISSING_KEYINFO_MESSAGE = (
    "Le fichier de clé du coffre de données ({name}) est introuvable : "
    "le coffre ne peut pas être ouvert."
)


def store_path(data_dir: Path | str) -> Path:
    return Path(data_dir).absolute() / STORE_FILENAME


def store_exists(data_dir: Path | str) -> bool:
    path = store_path(data_dir)
    return path.is_file() and path.stat().st_size > 0


def store_key_mode(data_dir: Path | str) -> KeyMode | None:
    """How the existing store is protected (to ask a passphrase up front), None if no store."""
    if not store_exists(data_dir):
        return None
    info = read_keyinfo(store_path(data_dir))
    return None if info is None else info.mode


def open_store(
    data_dir: Path | str, passphrase: str | None = None, *, clock: Clock | None = None
) -> Store:
    """Open the data folder's store, creating it (and its key) when there is none yet.

    ``clock`` is the practice's clock (the computer's when None): see ``Store.clock``.

    Raises KeyringUnavailableError (ask for a passphrase and call again with it),
    KeyringLockedError, PassphraseRequiredError, WrongPassphraseError, ValidationError (a new
    passphrase too short) or StoreError.
    """
    path = store_path(data_dir)
    if store_exists(data_dir):
        return _open_existing(path, passphrase, clock)
    return _create(path, passphrase, clock)


def open_with_untrusted_key(data_dir: Path | str, *, clock: Clock | None = None) -> Store:
    """The keyring-mode store whose key sits in a keyring that may not keep it, opened with
    that key only to re-encrypt it at once (``services.store_protection``)."""
    path = store_path(data_dir)
    info = read_keyinfo(path)
    if info is None or info.mode is not KeyMode.KEYRING:
        raise StoreError("Ce coffre de données n'est pas protégé par le trousseau du système.")
    leftover = load_key_from_untrusted_keyring(info.store_id)
    if leftover is None or not key_matches(leftover[0], info):
        raise StoreError(KEY_MISSING_MESSAGE)
    return Store.open(path, leftover[0], clock)


def _create(path: Path, passphrase: str | None, clock: Clock | None) -> Store:
    if passphrase is None:
        ensure_keyring_usable()
    else:
        check_passphrase_strength(passphrase)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    store_id = new_id()
    if passphrase is None:
        key = new_key()
        save_key_in_keyring(store_id, key)
        info = KeyInfo(store_id, KeyMode.KEYRING, key_check_value(key))
    else:
        kdf = KdfParams(salt=new_salt())
        key = derive_key_from_passphrase(
            passphrase, kdf.salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
        )
        info = KeyInfo(store_id, KeyMode.PASSPHRASE, key_check_value(key), kdf)
    write_keyinfo(path, info)
    return Store.open(path, key, clock)


def _open_existing(path: Path, passphrase: str | None, clock: Clock | None) -> Store:
    info = read_keyinfo(path)
    if info is None:
        raise StoreError(MISSING_KEYINFO_MESSAGE.format(name=path.name + ".keyinfo.json"))
    if info.mode is KeyMode.KEYRING:
        try:
            key = load_key_from_keyring(info.store_id)
        except KeyringLockedError:
            raise
        except KeyringUnavailableError:
            leftover = load_key_from_untrusted_keyring(info.store_id)
            if leftover is not None and key_matches(leftover[0], info):
                # Written there by an earlier version: the passphrase moves it out.
                raise InsecureKeyringError(INSECURE_KEY_MESSAGE.format(name=leftover[1])) from None
            # Not the "choose a passphrase" case: this store's key is in that keyring.
            raise StoreError(KEYRING_GONE_MESSAGE) from None
        if key is None:
            raise StoreError(KEY_MISSING_MESSAGE)
        if not key_matches(key, info):
            raise StoreError(KEY_MISMATCH_MESSAGE)
    else:
        if passphrase is None:
            raise PassphraseRequiredError(PASSPHRASE_REQUIRED_MESSAGE)
        assert info.kdf is not None
        key = derive_key_from_passphrase(
            passphrase, info.kdf.salt, opslimit=info.kdf.opslimit, memlimit=info.kdf.memlimit
        )
        if not key_matches(key, info):
            raise WrongPassphraseError(WRONG_KEY_MESSAGE)
    try:
        store = Store.open(path, key, clock)
    except WrongPassphraseError:
        # The key is the recorded one (its check value matched): either a key change was cut
        # short after re-encrypting the file (its copy, under this key, is put back), or the
        # file itself is damaged.
        if not recover_interrupted_key_change(path, key):
            raise StoreError(DAMAGED_MESSAGE) from None
        store = Store.open(path, key, clock)
    discard_key_change_backup(path)
    return store
