"""The encrypted backup file: one self-contained file a professional can carry to another machine.

Layout (format 2), all integers big-endian::

    magic        8 bytes   b"ESCAPSAV"
    format       2 bytes   unsigned, 2
    header_len   4 bytes   unsigned, length of the JSON header
    header       JSON, UTF-8: format, created_at, app_version, schema_revision, kdf (argon2id:
                 salt in base64, opslimit, memlimit), key_check, db_size, db_sha256, scans (a
                 list of {name, size, sha256}: the scan files that follow, in that order)
    database     db_size bytes: a SQLCipher file keyed with the key derived from the backup
                 passphrase (Argon2id, fresh salt per backup)
    scans        for each entry of ``scans``, its ``size`` bytes: the consent scan file
                 ``scans/<name>`` as it is on disk (sealed under the scan key, which is kept in
                 the database above, so the backup passphrase protects the scans too)
    trailer      32 bytes  SHA-256 of every byte before it

What changed from format 1 (written until the scans travelled): format 1 has no ``scans`` in its
header and no scan section; it is still restored (the store alone, as before). Format 2 files are
refused by versions that only know format 1 ("more recent version").

The store's own key never leaves the machine: the copy taken with SQLite's backup API (through
the open, keyed connection) is re-keyed to the backup key before it is written. Only the scans the
consents of that copy record, and that open under its scan key with the SHA-256 recorded, are
written; a scan already missing or unreadable on this computer is left out (and counted).
Restoring checks the trailer (a cut or flipped byte anywhere) and each scan's SHA-256, the
passphrase (key check), then opens the copy and runs ``PRAGMA integrity_check`` and the schema
revision check, and opens every scan with the copy's scan key against the SHA-256 its consent
recorded; only then is the copy re-keyed to a key of this machine and swapped in, with the
scans: the current store and its ``scans/`` folder are moved aside, never deleted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlcipher3

from escap_desktop.core.clock import SYSTEM_CLOCK
from escap_desktop.core.entities import new_id
from escap_desktop.core.errors import StoreError, WrongPassphraseError
from escap_desktop.store import migrator, scan_files
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
FORMAT_VERSION = 2
BACKUP_SUFFIX = ".escap-sauvegarde"
_PREAMBLE = struct.Struct(">8sHI")
_TRAILER_BYTES = 32
# Room for the list of tens of thousands of scans; still a bounded read for a forged header.
_MAX_HEADER_BYTES = 16 * 1024 * 1024
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
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
DAMAGED_SCANS_MESSAGE = (
    "La sauvegarde est endommagée : un scan de formulaire de consentement qu'elle contient ne "
    "correspond plus à celui qui a été joint. Elle ne peut pas être restaurée ; le coffre et les "
    "scans actuels sont inchangés."
)
UNREADABLE_MESSAGE = "La sauvegarde ne peut pas être lue : {reason}"
UNWRITABLE_MESSAGE = "La sauvegarde ne peut pas être écrite : {reason}"


class BackupFileError(StoreError):
    """A backup that cannot be written or restored; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """One scan file carried by a backup: its random file name, size and the sealed bytes'
    SHA-256 (nothing of the patient: the name is the one in ``scans/``)."""

    name: str
    size: int
    sha256: str


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
    scans: tuple[ScanEntry, ...] = ()
    format: int = FORMAT_VERSION

    @property
    def scans_size(self) -> int:
        return sum(entry.size for entry in self.scans)

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
class BackupWritten:
    header: BackupHeader
    # Scans the consents record but that could not go into the backup: already missing or
    # unreadable on this computer (``scans/<id>.scan``).
    scans_left_out: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    header: BackupHeader
    store: Path
    previous: Path | None  # where the replaced store was moved; None if there was none
    mode: KeyMode
    previous_scans: Path | None = None  # where the replaced ``scans/`` folder was moved


# -- writing ---------------------------------------------------------------------------------


def write_backup(
    store: Store,
    target: Path | str,
    passphrase: str,
    *,
    app_version: str,
    created_at: datetime | None = None,
    kdf: KdfParams | None = None,
    scans_dir: Path | None = None,
) -> Generator[str, None, BackupWritten]:
    """Writes the backup of an open store and its scans; yields each step's French label.

    ``scans_dir`` is the folder of the scan files, ``scans/`` beside the store by default.
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
    created_at = created_at or store.clock.now()
    scans_dir = scans_dir or store.path.parent / scan_files.SCANS_FOLDER
    with tempfile.TemporaryDirectory(prefix="escap-sauvegarde-") as folder:
        copy = Path(folder) / "copie.db"
        yield "Copie cohérente du coffre de données…"
        # The scan key must be in the store before the copy: it is how the scans open later.
        scan_files.scan_key(store)
        store.backup_to(copy)
        revision = _prepare_copy(copy, store._key)  # friend access: same package
        yield "Copie des scans des formulaires de consentement…"
        scans_copy = Path(folder) / "scans"
        entries, left_out = _copy_scans(copy, store._key, scans_dir, scans_copy)
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
            scans=entries,
        )
        _write_file(target, header, copy, scans_copy)
    return BackupWritten(header=header, scans_left_out=left_out)


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


def _copy_scans(
    copy: Path, key: bytes, scans_dir: Path, into: Path
) -> tuple[tuple[ScanEntry, ...], tuple[str, ...]]:
    """Copies aside every scan the copy's consents record and that opens as recorded.

    Checked here, not only at restore: a scan that is already lost on this computer must not
    make the whole backup unrestorable. Copied rather than read twice, so the bytes written are
    the bytes checked even if a scan is replaced meanwhile.
    """
    connection = connect_keyed(copy, key)
    try:
        scan_key, recorded = scan_files.recorded_scans_raw(connection)
    finally:
        connection.close()
    entries: list[ScanEntry] = []
    left_out: list[str] = []
    for relative, content_sha256 in sorted(recorded.items()):
        name = relative.removeprefix(f"{scan_files.SCANS_FOLDER}/")
        sealed = _read_scan(scans_dir / name)
        if (
            sealed is None
            or scan_key is None
            or not scan_files.is_the_recorded_scan(scan_key, sealed, content_sha256)
        ):
            left_out.append(relative)
            continue
        into.mkdir(mode=0o700, exist_ok=True)
        try:
            (into / name).write_bytes(sealed)
        except OSError as error:
            raise BackupFileError(
                UNWRITABLE_MESSAGE.format(reason=error.strerror or error)
            ) from error
        entries.append(ScanEntry(name, len(sealed), hashlib.sha256(sealed).hexdigest()))
    return tuple(entries), tuple(left_out)


def _read_scan(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > scan_files.MAX_SEALED_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _rekey(path: Path, old: bytes, new: bytes) -> None:
    connection = connect_keyed(path, old)
    try:
        connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        connection.close()


def _write_file(target: Path, header: BackupHeader, database: Path, scans: Path) -> None:
    partial = target.with_name(target.name + ".partiel")
    encoded = json.dumps(_header_to_json(header), sort_keys=True).encode("utf-8")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            _write_hashed(out, digest, _PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(encoded)))
            _write_hashed(out, digest, encoded)
            for path in (database, *(scans / entry.name for entry in header.scans)):
                with path.open("rb") as source:
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
        header = _header_from_json(json.loads(encoded.decode("utf-8")), version)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE) from None
    expected = _PREAMBLE.size + header_len + header.db_size + header.scans_size + _TRAILER_BYTES
    if size < expected:
        raise BackupFileError(TRUNCATED_MESSAGE)
    if size > expected:
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)
    digest = hashlib.sha256(preamble + encoded)
    sections = [(header.db_size, header.db_sha256)]
    sections += [(entry.size, entry.sha256) for entry in header.scans]
    damaged = False
    for length, expected_sha256 in sections:
        section = hashlib.sha256()
        for chunk in _section_chunks(file, length):
            digest.update(chunk)
            section.update(chunk)
        damaged |= not hmac.compare_digest(section.hexdigest(), expected_sha256)
    trailer = file.read(_TRAILER_BYTES)
    if damaged or not hmac.compare_digest(trailer, digest.digest()):
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
        "scans": [
            {"name": entry.name, "size": entry.size, "sha256": entry.sha256}
            for entry in header.scans
        ],
    }


def _header_from_json(content: dict[str, Any], version: int) -> BackupHeader:
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
    if int(content["format"]) != version:
        raise ValueError("format")
    scans = _scan_entries(content["scans"]) if version >= 2 else ()
    return BackupHeader(
        created_at=created_at,
        app_version=str(content["app_version"]),
        schema_revision=str(content["schema_revision"]),
        kdf=params,
        key_check=str(content["key_check"]),
        db_size=db_size,
        db_sha256=str(content["db_sha256"]),
        scans=scans,
        format=version,
    )


def _scan_entries(content: list[dict[str, Any]]) -> tuple[ScanEntry, ...]:
    """The scan list of a header, refused unless every name is a scan file name (nothing that
    could point outside ``scans/``), unique, of a possible size."""
    if not isinstance(content, list):
        raise TypeError("scans")
    entries = tuple(
        ScanEntry(name=str(item["name"]), size=int(item["size"]), sha256=str(item["sha256"]))
        for item in content
    )
    for entry in entries:
        if not scan_files.SCAN_NAME.fullmatch(entry.name):
            raise ValueError("scans.name")
        if not 0 < entry.size <= scan_files.MAX_SEALED_BYTES:
            raise ValueError("scans.size")
        if not _SHA256_HEX.fullmatch(entry.sha256):
            raise ValueError("scans.sha256")
    if len({entry.name for entry in entries}) != len(entries):
        raise ValueError("scans.name")
    return entries


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
    and scans changes; the swap moves the store (and its key file) aside to
    ``escap-desktop.avant-restauration-<date>.db`` and its ``scans/`` folder to
    ``escap-desktop.avant-restauration-<date>.scans``, never deletes them: together they still
    open with the replaced store's key.
    """
    if protection.passphrase is None:
        ensure_keyring_usable()
    else:
        check_passphrase_strength(protection.passphrase)
    target = store_path(data_dir)
    # The store is closed, so no practice clock: the stamp only names the files set aside.
    stamp = (now or SYSTEM_CLOCK.now()).strftime("%Y%m%dT%H%M%SZ")
    staging = target.with_name(f"{target.stem}.restauration-{stamp}.db")
    staged_scans = target.with_name(f"{target.stem}.restauration-{stamp}.scans")

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
        yield "Contrôle de l'intégrité du coffre sauvegardé et des scans…"
        _extract(Path(source), header, staging, staged_scans)
        _check_restorable(staging, key)
        _check_scans(staging, key, header, staged_scans)
        yield "Protection du coffre restauré sur ce poste…"
        local_key, info = _local_key(protection)
        _rekey(staging, key, local_key)
        _check_integrity(staging, local_key)
        write_keyinfo(staging, info)
        yield "Mise en place du coffre restauré…"
        previous, previous_scans = _swap_in(
            staging, target, stamp, staged_scans if header.scans else None
        )
    finally:
        staging.unlink(missing_ok=True)
        keyinfo_path(staging).unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)
        shutil.rmtree(staged_scans, ignore_errors=True)
    return RestoreOutcome(
        header=header,
        store=target,
        previous=previous,
        mode=protection.mode,
        previous_scans=previous_scans,
    )


def _extract(source: Path, header: BackupHeader, staging: Path, staged_scans: Path) -> None:
    """The database to ``staging`` and each scan into ``staged_scans``, each checked again on
    the bytes actually written: the file may have changed since read_header."""
    try:
        with source.open("rb") as file:
            preamble = file.read(_PREAMBLE.size)
            _magic, _version, header_len = _PREAMBLE.unpack(preamble)
            file.seek(_PREAMBLE.size + header_len)
            _extract_section(file, header.db_size, header.db_sha256, staging)
            if header.scans:
                staged_scans.mkdir(mode=0o700)
            for entry in header.scans:
                _extract_section(file, entry.size, entry.sha256, staged_scans / entry.name)
    except OSError as error:
        raise BackupFileError(UNREADABLE_MESSAGE.format(reason=error.strerror or error)) from None


def _section_chunks(file: BinaryIO, size: int) -> Generator[bytes, None, None]:
    """The next ``size`` bytes of the backup, a megabyte at a time so a large store never sits
    in memory whole; a file that ends first is a truncated backup, whether checked or extracted."""
    remaining = size
    while remaining:
        chunk = file.read(min(_CHUNK, remaining))
        if not chunk:
            raise BackupFileError(TRUNCATED_MESSAGE)
        yield chunk
        remaining -= len(chunk)


def _extract_section(file: BinaryIO, size: int, expected_sha256: str, into: Path) -> None:
    digest = hashlib.sha256()
    descriptor = os.open(into, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in _section_chunks(file, size):
            digest.update(chunk)
            out.write(chunk)
    into.chmod(0o600)
    if not hmac.compare_digest(digest.hexdigest(), expected_sha256):
        raise BackupFileError(DAMAGED_BACKUP_MESSAGE)


def _check_scans(staging: Path, key: bytes, header: BackupHeader, staged_scans: Path) -> None:
    """Every scan of the backup opens with the backed-up store's scan key and is the very file
    its consent recorded (SHA-256 of the content): what reading it after the restore checks."""
    if not header.scans:
        return
    connection = _connect(staging, key)
    try:
        scan_key, recorded = scan_files.recorded_scans_raw(connection)
    except sqlcipher3.DatabaseError:
        raise BackupFileError(DAMAGED_SCANS_MESSAGE) from None
    finally:
        connection.close()
    for entry in header.scans:
        content_sha256 = recorded.get(f"{scan_files.SCANS_FOLDER}/{entry.name}")
        try:
            sealed = (staged_scans / entry.name).read_bytes()
        except OSError as error:
            raise BackupFileError(
                UNREADABLE_MESSAGE.format(reason=error.strerror or error)
            ) from None
        if (
            scan_key is None
            or content_sha256 is None
            or not scan_files.is_the_recorded_scan(scan_key, sealed, content_sha256)
        ):
            raise BackupFileError(DAMAGED_SCANS_MESSAGE)


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


def _swap_in(
    staging: Path, target: Path, stamp: str, staged_scans: Path | None
) -> tuple[Path | None, Path | None]:
    """Current store (and key file, WAL, scans) aside, restored ones in place; undone on failure.

    Returns where the current store and its scans folder went (None for what there was not).
    The current scans go aside even when the backup has none (format 1): they open with the
    replaced store's key only, so they belong with it.
    """
    aside = target.with_name(f"{target.stem}.avant-restauration-{stamp}.db")
    scans = target.with_name(scan_files.SCANS_FOLDER)
    scans_aside = aside.with_suffix(".scans")
    moves: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", "-wal", "-shm"):
            current = target.with_name(target.name + suffix)
            if current.exists():
                _move(current, aside.with_name(aside.name + suffix), moves)
        if keyinfo_path(target).exists():
            _move(keyinfo_path(target), keyinfo_path(aside), moves)
        if scans.exists():
            _move(scans, scans_aside, moves)
        _move(keyinfo_path(staging), keyinfo_path(target), moves)
        if staged_scans is not None:
            _move(staged_scans, scans, moves)
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
    moved = {source for source, _ in moves}
    return (aside if target in moved else None, scans_aside if scans in moved else None)


def _move(source: Path, destination: Path, moves: list[tuple[Path, Path]]) -> None:
    os.replace(source, destination)
    moves.append((source, destination))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
