"""The encrypted local store: opening (with migrations), units of work, backups.

One file per installation, encrypted by SQLCipher with a raw 256-bit key. Opening an older file
upgrades it, after a keyed copy of it has been written beside it; a file from a newer version
of the application is refused untouched.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nacl.encoding
import nacl.hash
import sqlcipher3
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from escap_desktop.core.clock import Clock, SystemClock
from escap_desktop.core.errors import EscapError, StoreError
from escap_desktop.store import mapping, migrator, patient_list
from escap_desktop.store.collection import collection_paused
from escap_desktop.store.engine import (
    DAMAGED_MESSAGE,
    check_key,
    connect_keyed,
    create_keyed_engine,
    is_damage,
    translate_open_error,
)
from escap_desktop.store.models import PatientRow
from escap_desktop.store.unit_of_work import CommitHook, UnitOfWork, UnitOfWorkSession

NEWER_VERSION_MESSAGE = (
    "Ce coffre de données a été créé par une version plus récente d'ESCAP Desktop ; "
    "mettez l'application à jour."
)
NOT_A_STORE_MESSAGE = "Ce fichier n'est pas un coffre de données d'ESCAP Desktop."
CLOSED_MESSAGE = "Le coffre de données est fermé."
BUSY_MESSAGE = (
    "Le coffre de données est occupé par une autre opération ; réessayez dans un instant."
)
DISK_FULL_MESSAGE = "Le disque est plein : les dernières modifications n'ont pas été enregistrées."
KEY_CHANGE_FAILED_MESSAGE = (
    "Le changement de clé du coffre de données a échoué : le coffre garde sa protection précédente."
)


class Store:
    """The open store. Thread-safe: each unit of work has its own connection and transaction."""

    def __init__(self, path: Path, engine: Engine, key: bytes, clock: Clock | None = None) -> None:
        self._path = path
        # The practice's one clock: audit entries and sync rows are stamped with it, and every
        # service over this store reads it (``ServiceBase``), so a test pins time in one place.
        self.clock: Clock = clock or SystemClock()
        self._engine: Engine | None = engine
        # Connections of read-only units of work (``reading``), opened at first use.
        self._reading_engine: Engine | None = None
        self._reading_lock = threading.Lock()
        self._key = key
        self._hooks: list[CommitHook] = []
        self._hooks_lock = threading.Lock()

    def __repr__(self) -> str:  # never the key
        return f"Store({str(self._path)!r})"

    @property
    def path(self) -> Path:
        return self._path

    @classmethod
    def open(cls, path: Path | str, key: bytes, clock: Clock | None = None) -> Store:
        """Open (or create) the store at ``path`` and bring its schema to this version's head.

        Raises WrongPassphraseError for a key that does not open the file, StoreError for a
        damaged file, a file from a newer version, or a migration that failed (the copy taken
        before it is named in the message).
        """
        check_key(key)
        path = Path(path).absolute()
        if not path.parent.is_dir():
            raise StoreError(f"Le dossier du coffre de données n'existe pas : {path.parent}")
        head = migrator.head_revision()
        if not path.exists():
            # Owner-only from the first byte; SQLite gives its -wal/-shm files the same mode.
            path.touch(mode=0o600)
        raw = connect_keyed(path, key)
        backup: Path | None = None
        try:
            try:
                _refuse_partial_pages(path, raw)
                revision = migrator.stored_revision(raw)
                if revision is None and migrator.table_count(raw) > 0:
                    raise StoreError(NOT_A_STORE_MESSAGE)
                if revision is not None and revision not in migrator.known_revisions():
                    raise StoreError(NEWER_VERSION_MESSAGE)
                # Only now may the file change: WAL lets the list be read while sync writes.
                raw.execute("PRAGMA journal_mode = WAL")
                if revision is not None and revision != head:
                    backup = _pre_migration_backup_path(path, revision, clock or SystemClock())
                    _backup_connection(raw, backup, key)
            except sqlcipher3.DatabaseError as error:
                raise translate_open_error(path, error) from None
        finally:
            raw.close()

        engine = create_keyed_engine(path, key)
        try:
            if revision != head:
                with engine.connect() as connection:
                    migrator.upgrade(connection)
            _rebuild_patient_list_if_outdated(engine)
        except Exception as error:
            engine.dispose()
            if backup is None:
                raise
            raise StoreError(
                "La mise à jour du coffre de données a échoué ; la copie prise avant la "
                f"mise à jour a été gardée : {backup.name}"
            ) from error
        return cls(path, engine, key, clock)

    def derive_key(self, purpose: bytes, person: bytes) -> bytes:
        """A 32-byte key for another use (e.g. encrypting scans), derived from the store key.

        Keyed BLAKE2b of ``purpose`` personalised with ``person`` (at most 16 bytes): each use
        gets its own key and none of them tells anything about the store key.
        """
        return nacl.hash.blake2b(
            purpose,
            digest_size=32,
            key=self._key,
            person=person,
            encoder=nacl.encoding.RawEncoder,
        )

    def change_key(self, new_key: bytes, record_new_key: Callable[[], None]) -> None:
        """Re-encrypts the whole file under ``new_key`` (SQLCipher's ``PRAGMA rekey``).

        The store is closed meanwhile (another connection would keep the old key). A keyed copy
        is taken first (:func:`key_change_backup_path`); ``record_new_key`` writes the new key
        material (keyring entry, keyinfo file) only once the file is re-encrypted and opens with
        the new key. If anything fails, the file gets its old key back and the error is raised:
        the old key material, never touched, still opens it. The copy is removed at the end,
        since it is readable with the old key (which may be why the key changes).
        """
        check_key(new_key)
        self._require_engine().dispose()
        self._engine = None
        self._dispose_reading_engine()  # its connections hold the old key
        old_key = self._key
        backup = key_change_backup_path(self._path)
        try:
            raw = connect_keyed(self._path, old_key)
            try:
                # Everything in the main file first: the copy and the rekey see one file.
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                _backup_connection(raw, backup, old_key)
                raw.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            _verify_key(self._path, new_key)
            record_new_key()
        except BaseException as error:
            _restore_old_key(self._path, old_key, new_key, backup)
            self._engine = create_keyed_engine(self._path, old_key)
            if isinstance(error, (EscapError, KeyboardInterrupt, SystemExit)):
                raise
            raise StoreError(KEY_CHANGE_FAILED_MESSAGE) from error
        self._key = new_key
        self._engine = create_keyed_engine(self._path, new_key)
        backup.unlink(missing_ok=True)

    @contextlib.contextmanager
    def unit_of_work(self, actor_id: str | None) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends normally, rolled back otherwise.

        ``actor_id`` is the professional every write is audited under; None opens a read-only
        unit of work (for reads before the local profile exists).
        """
        engine = self._require_engine()
        with self._hooks_lock:
            hooks = list(self._hooks)
        with self._transaction(engine, actor_id, hooks) as uow:
            yield uow

    @contextlib.contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A read-only unit of work that never waits for a writer, nor makes one wait.

        ``unit_of_work`` takes the write lock up front (``BEGIN IMMEDIATE``), so a read made
        that way waits for any writing transaction (a sync page, an import) to end, up to the
        busy timeout. This one reads a snapshot of the last committed state (WAL): a deferred
        transaction on connections where SQLite refuses any write (``query_only``). Its unit
        of work has no actor, so writing through it is a programming error, as for
        ``unit_of_work(None)``; a write slipped in through its session fails at commit.
        """
        with self._transaction(self._require_reading_engine(), None, None) as uow:
            yield uow  # committed with nothing to write: ends the read transaction

    @contextlib.contextmanager
    def _transaction(
        self, engine: Engine, actor_id: str | None, hooks: list[CommitHook] | None
    ) -> Iterator[UnitOfWork]:
        """The unit of work's transaction: the hooks and list figures before a commit
        (``hooks`` None: a read, nothing to prepare), a rollback otherwise, the store's errors
        in French."""
        session = UnitOfWorkSession(engine, expire_on_commit=False)
        uow = UnitOfWork(session, actor_id, self.clock)
        pause = collection_paused() if hooks is not None else contextlib.nullcontext()
        try:
            with pause:  # a writing transaction: a bounded burst of allocation
                yield uow
                if hooks is not None:
                    uow._before_commit(hooks)
                session.commit()
        except DBAPIError as error:
            session.rollback()
            translated = _translate_runtime_error(error)
            if translated is None:
                raise
            raise translated from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def add_commit_hook(self, hook: CommitHook) -> None:
        """``hook(uow, changed_entities)`` runs inside each writing transaction, before commit.

        ``changed_entities`` lists the entities put, in order, and a :class:`Deletion` for each
        record deleted. An exception from a hook rolls the whole unit of work back.
        """
        with self._hooks_lock:
            self._hooks.append(hook)

    def backup_to(self, path: Path | str) -> Path:
        """A consistent copy, encrypted with the same key, made while the store stays open."""
        engine = self._require_engine()
        target = Path(path).absolute()
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlcipher3.Connection)
            try:
                _backup_connection(raw, target, self._key)
            except sqlcipher3.DatabaseError as error:
                raise StoreError(
                    f"La sauvegarde du coffre de données a échoué ({target.name})."
                ) from error
        return target

    def close(self) -> None:
        self._dispose_reading_engine()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _require_engine(self) -> Engine:
        if self._engine is None:
            raise StoreError(CLOSED_MESSAGE)
        return self._engine

    def _require_reading_engine(self) -> Engine:
        self._require_engine()
        with self._reading_lock:
            if self._reading_engine is None:
                self._reading_engine = _create_reading_engine(self._path, self._key)
            return self._reading_engine

    def _dispose_reading_engine(self) -> None:
        with self._reading_lock:
            if self._reading_engine is not None:
                self._reading_engine.dispose()
                self._reading_engine = None


def _create_reading_engine(path: Path, key: bytes) -> Engine:
    """Keyed connections for ``Store.reading``: SQLite refuses them any write, and their
    transactions are deferred (a snapshot taken at the first read, no lock held)."""

    def creator() -> sqlcipher3.Connection:
        connection = connect_keyed(path, key)
        connection.execute("PRAGMA query_only = ON")
        return connection

    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,  # so SQLAlchemy recognises (and wraps) SQLCipher's exceptions
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")

    return engine


def _rebuild_patient_list_if_outdated(engine: Engine) -> None:
    """Fill the list's figures after an upgrade, or after their computation changed.

    ``PRAGMA user_version`` (unused by Alembic) records which computation filled them.
    """
    with Session(engine) as session, session.begin():
        connection = session.connection()
        version = connection.exec_driver_sql("PRAGMA user_version").scalar()
        if version == patient_list.LIST_VERSION:
            return
        _refold_patient_keys(session)
        patient_list.refresh(session)
        connection.exec_driver_sql(f"PRAGMA user_version = {patient_list.LIST_VERSION:d}")


def _refold_patient_keys(session: Session) -> None:
    """The search and sort keys again, after the folding of names changed (version 3: ligatures
    spelled out, "oeuvrard" finds "ŒUVRARD")."""
    for row in session.scalars(select(PatientRow)):
        patient = mapping.identity_traits(row)
        row.search_key = mapping.patient_search_key(patient)
        row.sort_key = mapping.patient_sort_key(patient)


def _refuse_partial_pages(path: Path, raw: sqlcipher3.Connection) -> None:
    """A file cut inside a page still opens and lists patients; refuse it before any write."""
    page_size = int(raw.execute("PRAGMA page_size").fetchone()[0])
    if path.stat().st_size % page_size:
        raise StoreError(DAMAGED_MESSAGE)


def _pre_migration_backup_path(path: Path, revision: str, clock: Clock) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    return path.with_name(f"{path.stem}.avant-migration-{revision}-{stamp}.db")


def _backup_connection(source: sqlcipher3.Connection, target: Path, key: bytes) -> None:
    """SQLite's online backup into a keyed file, written aside then moved into place.

    Copying the file itself could catch it mid-write (and would miss the WAL); the backup API
    reads a consistent snapshot through the open, keyed connection.
    """
    partial = target.with_name(target.name + ".partiel")
    partial.unlink(missing_ok=True)
    copy = sqlcipher3.connect(str(partial), isolation_level=None)
    try:
        copy.execute("PRAGMA cipher_log_level = NONE")
        copy.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        source.backup(copy)
    finally:
        copy.close()
    os.replace(partial, target)


def key_change_backup_path(path: Path) -> Path:
    """The keyed copy taken before a key change; it only outlives an interrupted change."""
    return path.with_name(f"{path.stem}.avant-changement-de-cle.db")


def recover_interrupted_key_change(path: Path, key: bytes) -> bool:
    """Puts back the copy taken before a key change that was cut short, if ``key`` opens it.

    Called when the recorded key (the old one: the new key material is written last) no longer
    opens the file: the re-encryption was committed but not recorded. The copy holds the same
    data under that key. Returns False when there is no such copy or the key does not open it.
    """
    backup = key_change_backup_path(path)
    if not backup.is_file():
        return False
    try:
        _verify_key(backup, key)
    except EscapError:
        return False
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(backup, path)
    return True


def discard_key_change_backup(path: Path) -> None:
    """Removes a copy left by an interrupted key change once the store opened without it."""
    key_change_backup_path(path).unlink(missing_ok=True)


def _verify_key(path: Path, key: bytes) -> None:
    """Opens ``path`` with ``key`` and checks every page's HMAC; StoreError otherwise."""
    raw = connect_keyed(path, key)
    try:
        problems = raw.execute("PRAGMA cipher_integrity_check").fetchall()
    except sqlcipher3.DatabaseError as error:
        raise translate_open_error(path, error) from None
    finally:
        raw.close()
    if problems:
        raise StoreError(DAMAGED_MESSAGE)


def _restore_old_key(path: Path, old_key: bytes, new_key: bytes, backup: Path) -> None:
    """After a failed key change: the file under ``old_key`` again, whatever step failed."""
    try:
        _verify_key(path, old_key)  # the rekey never committed
    except EscapError:
        try:
            raw = connect_keyed(path, new_key)
            try:
                raw.execute(f"PRAGMA rekey = \"x'{old_key.hex()}'\"")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            _verify_key(path, old_key)
        except (EscapError, sqlcipher3.DatabaseError):
            if not recover_interrupted_key_change(path, old_key):
                raise
    backup.unlink(missing_ok=True)


def _translate_runtime_error(error: DBAPIError) -> StoreError | None:
    """Expected failures of the file or the disk, in words; None for a programming error."""
    original = error.orig
    text = str(original)
    if is_damage(original):
        return StoreError(DAMAGED_MESSAGE)
    if "locked" in text or "busy" in text:
        return StoreError(BUSY_MESSAGE)
    if "disk is full" in text:
        return StoreError(DISK_FULL_MESSAGE)
    return None
