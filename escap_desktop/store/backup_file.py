"""The encrypted backup file: one self-contained file a professional can carry to another machine.

Layout (format 1), all integers big-endian::

    magic        8 bytes   b"ESCAPSAV"
    format       2 bytes   unsigned, 1
    header_len   4 bytes   unsigned, length of the JSON header
    header       JSON, UTF-8: created_at, app_version, schema_revision, kdf (argon2id: salt in
                 base64, opslimit, memlimit), key_check, db_size, db_sha256
    database     db_size bytes: a SQLCipher file keyed with the key derived from the backup
                 passphrase (Argon2id, fresh salt per backup)
    trailer      32 bytes  SHA-256 of every byte before it

The store's own key never leaves the machine: the copy taken with SQLite's backup API (through
the open, keyed connection) is re-keyed to the backup key before it is written. Restoring checks
the trailer (a cut or flipped byte anywhere), the passphrase (key check), then opens the copy and
runs ``PRAGMA integrity_check`` and the schema revision check; only then is the copy re-keyed to
a key of this machine and swapped in, the current store moved aside, never deleted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import struct
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlcipher3

from escap_desktop.core.entities import new_id
from escap_desktop.core.errors import StoreError, WrongPassphraseError
from escap_desktop.store import migrator
from escap_desktop.store.engine import connect_keyed
from escap_desktop.store.keys import (
    KdfParams,
    KeyInfo,
    KeyMode,
    check_passphrase_strength,
    derive_key_from_passphrase,
    ensure_keyring_usable,
    key_check_value,
    keyinfo_path,
    new_key,
    new_salt,
    save_key_in_keyring,
    write_keyinfo,
)
from escap_desktop.store.local_store import NEWER_VERSION_MESSAGE, Store
from escap_desktop.store.opening import store_path

MAGIC = b"ESCAPSAV"
FORMAT_VERSION = 1
BACKUP_SUFFIX = ".escap-sauvegarde"
_PREAMBLE = struct.Struct(">8sHI")
_TRAILER_BYTES = 32
_MAX_HEADER_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
# Bounds on the KDF limits read from a file, so a forged header cannot ask for 100 GB of RAM.
_MAX_MEMLIMIT = 4 * 1024**3
_MAX_OPSLIMIT = 64

NOT_A_BACKUP_MESSAGE = "Ce fichier n'est pas une sauvegarde d'ESCAP Desktop."
NEWER_BACKUP_MESSAGE = (
    "Cette sauvegarde a été créée par une version plus récente d'ESCAP Desktop ; "
    "mettez l'application à jour pour la restaurer."
)
TRUNCATED_MESSAGE = (
    "La sauvegarde est incomplète (fichier tronqué, copie interrompue ?) : elle ne peut pas "
    "être restaurée."
)
DAMAGED_BACKUP_MESSAGE = (
    "La sauvegarde est endommagée (son contenu ne correspond plus à sa somme de contrôle) : "
    "elle ne peut pas être restaurée."
)
WRONG_BACKUP_PASSPHRASE_MESSAGE = (
    "Phrase de passe incorrecte : ce n'est pas celle qui a servi à créer cette sauvegarde."
)
NOT_A_STORE_BACKUP_MESSAGE = "Cette sauvegarde ne contient pas de coffre de données ESCAP Desktop."
NEWER_STORE_MESSAGE = NEWER_VERSION_MESSAGE.replace("Ce coffre de données", "Le coffre sauvegardé")
UNREADABLE_MESSAGE = "La sauvegarde ne peut pas être lue : {reason}"
UNWRITABLE_MESSAGE = "La sauvegarde ne peut pas être écrite : {reason}"


class BackupFileError(StoreError):
    """A backup that cannot be written or restored; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup says about itself, readable without the passphrase."""

    created_at: datetime
    app_version: str
    schema_revision: str
    kdf: KdfParams
    key_check: str
    db_size: int
    db_sha256: str
    format: int = FORMAT_VERSION

    def __repr__(self) -> str:
        return f"BackupHeader(created_at={self.created_at!r}, revision={self.schema_revision!r})"


@dataclass(frozen=True, slots=True)
class LocalProtection:
    """How the restored store is protected on this machine: the OS keyring, or a passphrase."""

    passphrase: str | None = None

    @property
    def mode(self) -> KeyMode:
        return KeyMode.KEYRING if self.passphrase is None else KeyMode.PASSPHRASE


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    header: BackupHeader
    store: Path
    previous: Path | None  # where the replaced store was moved; None if there was none
    mode: KeyMode


# -- writing ---------------------------------------------------------------------------------


def write_backup(
    store: Store,
    target: Path | str,
    passphrase: str,
    *,
    app_version: str,
    created_at: datetime | None = None,
    kdf: KdfParams | None = None,
) -> Generator[str, None, BackupHeader]:
    """Writes the backup of an open store; yields each step's French label as it starts.

    ``kdf`` is for tests (cheap limits); a real backup gets libsodium's moderate limits and a
    fresh salt.
    """
    check_passphrase_strength(passphrase)
    target = Path(target).absolute()
    if not target.parent.is_dir():
        raise BackupFileError(
            UNWRITABLE_MESSAGE.format(reason=f"le dossier {target.parent} n'existe pas.")
        )
    kdf = kdf or KdfParams(salt=new_salt())
    created_at = created_at or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="escap-sauvegarde-") as folder:
        copy = Path(folder) / "copie.db"
        yield "Copie cohérente du coffre de données…"
        store.backup_to(copy)
        revision = _prepare_copy(copy, store._key)  # friend access: same package
        yield "Chiffrement avec la phrase de passe de la sauvegarde…"
        key = derive_key_from_passphrase(
            passphrase, kdf.salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
        )
        _rekey(copy, store._key, key)
        _check_integrity(copy, key)
        yield "Écriture du fichier de sauvegarde…"
        header = BackupHeader(
            created_at=created_at,
            app_version=app_version,
            schema_revision=revision,
            kdf=kdf,
            key_check=key_check_value(key),
            db_size=copy.stat().st_size,
            db_sha256=_sha256_of(copy),
        )
        _write_file(target, header, copy)
    return header


def _prepare_copy(copy: Path, key: bytes) -> str:
    """The copy's schema revision; and one self-contained file (no WAL) for the re-keying."""
    connection = connect_keyed(copy, key)
    try:
        revision = migrator.stored_revision(connection)
        connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        connection.close()
    if revision is None:
        raise BackupFileError(UNWRITABLE_MESSAGE.format(reason="le coffre est vide."))
    return revision


def _rekey(path: Path, old: bytes, new: bytes) -> None:
    connection = connect_keyed(path, old)
    try:
        connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        connection.close()


def _write_file(target: Path, header: BackupHeader, database: Path) -> None:
    partial = target.with_name(target.name + ".partiel")
    encoded = json.dumps(_header_to_json(header), sort_keys=True).encode("utf-8")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out, database.open("rb") as source:
            _write_hashed(out, digest, _PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(encoded)))
            _write_hashed(out, digest, encoded)
            while chunk := source.read(_CHUNK):
                _write_hashed(out, digest, chunk)
            out.write(digest.digest())
            out.flush()
            os.fsync(out.fileno())
        partial.chmod(0o600)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupFileError(UNWRITABLE_MESSAGE.format(reason=error.strerror or error)) from error


def _write_hashed(out: BinaryIO, digest: Any, data: bytes) -> None:
    out.write(data)
    digest.update(data)


# -- reading ---------------------------------------------------------------------------------


def read_header(source: Path | str) -> BackupHeader:
    """The header of a backup file, after checking the whole file's checksum.

    Needs no passphrase: the restore dialog shows the date and version before asking for it.
    """
    source = Path(source)
    try:
        with source.open("rb") as file:
            return _read_checked(file, source.stat().st_size)
    except OSError as error:
        raise BackupFileError(UNREADABLE_MESSAGE.format(reason=error.strerror or error)) from None


def _read_checked(file: BinaryIO, size: int) -> BackupHeader:
    preamble = file.read(_PREAMBLE.size)
    if not preamble.startswith(MAGIC[: len(preamble)]) or not preamble:
        raise BackupFileError(NOT_A_BACKUP_MESSAGE)
    if len(preamble) < _PREAMBLE.size:
        raise BackupFileError(TRUNCATED_MESSAGE)
    _magic, version, header_len = _PREAMBLE.unpack(preamble)
    if version > FORMAT_VERSION:
        raise BackupFileError(NEWER_BACKUP_MESSAGE)
    if version < 1 or header_len > _MAX_HEADER_BYTES:
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)
    encoded = file.read(header_len)
    if len(encoded) < header_len:
        raise BackupFileError(TRUNCATED_MESSAGE)
    try:
        header = _header_from_json(json.loads(encoded.decode("utf-8")))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE) from None
    expected = _PREAMBLE.size + header_len + header.db_size + _TRAILER_BYTES
    if size < expected:
        raise BackupFileError(TRUNCATED_MESSAGE)
    if size > expected:
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)
    digest = hashlib.sha256(preamble + encoded)
    database = hashlib.sha256()
    remaining = header.db_size
    while remaining:
        chunk = file.read(min(_CHUNK, remaining))
        if not chunk:
            raise BackupFileError(TRUNCATED_MESSAGE)
        digest.update(chunk)
        database.update(chunk)
        remaining -= len(chunk)
    trailer = file.read(_TRAILER_BYTES)
    if not hmac.compare_digest(trailer, digest.digest()) or not hmac.compare_digest(
        database.hexdigest(), header.db_sha256
    ):
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)
    return header


def _header_to_json(header: BackupHeader) -> dict[str, Any]:
    return {
        "format": header.format,
        "created_at": header.created_at.astimezone(UTC).isoformat(),
        "app_version": header.app_version,
        "schema_revision": header.schema_revision,
        "kdf": {
            "name": header.kdf.name,
            "salt": base64.b64encode(header.kdf.salt).decode("ascii"),
            "opslimit": header.kdf.opslimit,
            "memlimit": header.kdf.memlimit,
        },
        "key_check": header.key_check,
        "db_size": header.db_size,
        "db_sha256": header.db_sha256,
    }


def _header_from_json(content: dict[str, Any]) -> BackupHeader:
    kdf = content["kdf"]
    if kdf["name"] != "argon2id":
        raise ValueError(kdf["name"])
    params = KdfParams(
        salt=base64.b64decode(kdf["salt"], validate=True),
        opslimit=int(kdf["opslimit"]),
        memlimit=int(kdf["memlimit"]),
    )
    if not (1 <= params.opslimit <= _MAX_OPSLIMIT and 0 < params.memlimit <= _MAX_MEMLIMIT):
        raise ValueError("kdf")
    created_at = datetime.fromisoformat(str(content["created_at"]))
    if created_at.tzinfo is None:
        raise ValueError("created_at")
    db_size = int(content["db_size"])
    if db_size <= 0:
        raise ValueError("db_size")
    return BackupHeader(
        created_at=created_at,
        app_version=str(content["app_version"]),
        schema_revision=str(content["schema_revision"]),
        kdf=params,
        key_check=str(content["key_check"]),
        db_size=db_size,
        db_sha256=str(content["db_sha256"]),
        format=int(content["format"]),
    )


# -- restoring -------------------------------------------------------------------------------


def restore_backup(
    source: Path | str,
    passphrase: str,
    data_dir: Path | str,
    protection: LocalProtection,
    *,
    now: datetime | None = None,
) -> Generator[str, None, RestoreOutcome]:
    """Replaces the data folder's store with the backup's, after checking everything.

    The store of ``data_dir`` must be closed. Until the final swap nothing of the current store
    changes; the swap moves it (and its key file) aside to
    ``escap-desktop.avant-restauration-<date>.db``, never deletes it.
    """
    if protection.passphrase is None:
        ensure_keyring_usable()
    else:
        check_passphrase_strength(protection.passphrase)
    target = store_path(data_dir)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    staging = target.with_name(f"{target.stem}.restauration-{stamp}.db")

    yield "Vérification de la sauvegarde…"
    header = read_header(source)
    yield "Vérification de la phrase de passe…"
    key = derive_key_from_passphrase(
        passphrase, header.kdf.salt, opslimit=header.kdf.opslimit, memlimit=header.kdf.memlimit
    )
    if not hmac.compare_digest(key_check_value(key), header.key_check):
        raise WrongPassphraseError(WRONG_BACKUP_PASSPHRASE_MESSAGE)

    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        yield "Contrôle de l'intégrité du coffre sauvegardé…"
        _extract(Path(source), header, staging)
        _check_restorable(staging, key)
        yield "Protection du coffre restauré sur ce poste…"
        local_key, info = _local_key(protection)
        _rekey(staging, key, local_key)
        _check_integrity(staging, local_key)
        write_keyinfo(staging, info)
        yield "Mise en place du coffre restauré…"
        previous = _swap_in(staging, target, stamp)
    finally:
        staging.unlink(missing_ok=True)
        keyinfo_path(staging).unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)
    return RestoreOutcome(header=header, store=target, previous=previous, mode=protection.mode)


def _extract(source: Path, header: BackupHeader, staging: Path) -> None:
    try:
        with source.open("rb") as file, staging.open("wb") as out:
            preamble = file.read(_PREAMBLE.size)
            _magic, _version, header_len = _PREAMBLE.unpack(preamble)
            file.seek(_PREAMBLE.size + header_len)
            digest = hashlib.sha256()
            remaining = header.db_size
            while remaining:
                chunk = file.read(min(_CHUNK, remaining))
                if not chunk:
                    raise BackupFileError(TRUNCATED_MESSAGE)
                digest.update(chunk)
                out.write(chunk)
                remaining -= len(chunk)
        staging.chmod(0o600)
    except OSError as error:
        raise BackupFileError(UNREADABLE_MESSAGE.format(reason=error.strerror or error)) from None
    # Checked again on the bytes actually written: the file may have changed since read_header.
    if not hmac.compare_digest(digest.hexdigest(), header.db_sha256):
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)


def _check_restorable(path: Path, key: bytes) -> None:
    connection = _connect(path, key)
    try:
        _integrity(connection)
        revision = migrator.stored_revision(connection)
    finally:
        connection.close()
    if revision is None:
        raise BackupFileError(NOT_A_STORE_BACKUP_MESSAGE)
    if revision not in migrator.known_revisions():
        raise BackupFileError(NEWER_STORE_MESSAGE)


def _check_integrity(path: Path, key: bytes) -> None:
    connection = _connect(path, key)
    try:
        _integrity(connection)
    finally:
        connection.close()


def _connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    try:
        return connect_keyed(path, key)
    except StoreError:
        # The key check matched, so the key is right: the database bytes are what is wrong.
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE) from None


def _integrity(connection: sqlcipher3.Connection) -> None:
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlcipher3.DatabaseError:
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE) from None
    if [tuple(row) for row in rows] != [("ok",)]:
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)


def _local_key(protection: LocalProtection) -> tuple[bytes, KeyInfo]:
    """A new key for this machine, under a new store id (the replaced store keeps its own)."""
    store_id = new_id()
    if protection.passphrase is None:
        key = new_key()
        save_key_in_keyring(store_id, key)
        return key, KeyInfo(store_id, KeyMode.KEYRING, key_check_value(key))
    kdf = KdfParams(salt=new_salt())
    key = derive_key_from_passphrase(
        protection.passphrase, kdf.salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
    )
    return key, KeyInfo(store_id, KeyMode.PASSPHRASE, key_check_value(key), kdf)


def _swap_in(staging: Path, target: Path, stamp: str) -> Path | None:
    """Current store (and key file, WAL) aside, restored one in place; undone on failure."""
    aside = target.with_name(f"{target.stem}.avant-restauration-{stamp}.db")
    moves: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", "-wal", "-shm"):
            current = target.with_name(target.name + suffix)
            if current.exists():
                _move(current, aside.with_name(aside.name + suffix), moves)
        if keyinfo_path(target).exists():
            _move(keyinfo_path(target), keyinfo_path(aside), moves)
        _move(keyinfo_path(staging), keyinfo_path(target), moves)
        _move(staging, target, moves)
    except OSError as error:
        for done_from, done_to in reversed(moves):
            with contextlib.suppress(OSError):
                os.replace(done_to, done_from)
        raise BackupFileError(
            "Le coffre restauré n'a pas pu être mis en place "
            f"({error.strerror or error}) ; le coffre actuel est inchangé. Fermez ESCAP Desktop "
            "s'il est ouvert, puis réessayez."
        ) from error
    return aside if any(source == target for source, _ in moves) else None


def _move(source: Path, destination: Path, moves: list[tuple[Path, Path]]) -> None:
    os.replace(source, destination)
    moves.append((source, destination))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
