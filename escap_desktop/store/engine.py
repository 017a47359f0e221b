"""SQLCipher connections keyed with a raw 256-bit key, and the translation of their errors.

The key is handed to SQLCipher as raw hex (``x'...'``), so SQLCipher runs no key derivation of
its own and opening stays fast; the passphrase derivation, when there is one, happens once in
:mod:`escap_desktop.store.keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

if TYPE_CHECKING:  # SQLAlchemy comes with the engine: the start-up's first list needs neither
    from sqlalchemy import Engine

from escap_desktop.core.errors import StoreError, WrongPassphraseError

KEY_BYTES = 32
BUSY_TIMEOUT_MS = 10_000
PAGE_CACHE_KIB = 32 * 1024

WRONG_KEY_MESSAGE = "Phrase de passe incorrecte : le coffre de données ne peut pas être ouvert."
DAMAGED_MESSAGE = (
    "Le coffre de données est endommagé et ne peut pas être lu. "
    "Restaurez-le à partir d'une sauvegarde."
)
NOT_ENCRYPTED_MESSAGE = (
    "Ce fichier n'est pas un coffre de données chiffré d'ESCAP Desktop : "
    "il ne peut pas être ouvert."
)
_SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


def sqlcipher_version() -> str:
    """SQLCipher's own version, for the About box (the Python module's version is not the
    library's); empty when the library cannot say."""
    try:
        connection = sqlcipher3.connect(":memory:")
        try:
            row = connection.execute("PRAGMA cipher_version").fetchone()
        finally:
            connection.close()
    except sqlcipher3.Error:
        return ""
    return str(row[0]) if row else ""


def check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError("La clé du coffre doit faire exactement 32 octets.")


def connect_keyed(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A raw connection, keyed and checked with a first read.

    The first read is what tells a wrong key ("file is not a database") from a good one; the
    caller never gets a connection that would fail later on its first query.
    """
    check_key(key)
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        # SQLCipher otherwise prints every failed page check on stderr.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA temp_store = MEMORY")
        # Every page read is decrypted; a page cache big enough for the patient list's working
        # set (the default is 2 MB) decrypts each page once per connection, not once per use.
        connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    except sqlcipher3.DatabaseError as error:
        connection.close()
        raise translate_open_error(path, error) from None
    return connection


def translate_open_error(path: Path, error: Exception) -> StoreError:
    """Wrong key and damaged file look alike to SQLCipher; tell them apart where we can."""
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB" or "file is not a database" in str(error):
        if _looks_plain_sqlite(path):
            return StoreError(NOT_ENCRYPTED_MESSAGE)
        if _has_impossible_size(path):
            return StoreError(DAMAGED_MESSAGE)
        return WrongPassphraseError(WRONG_KEY_MESSAGE)
    return StoreError(DAMAGED_MESSAGE)


def is_damage(error: BaseException | None) -> bool:
    """Whether a database error raised while working means the file itself is damaged."""
    name = getattr(error, "sqlite_errorname", "")
    return name in {"SQLITE_CORRUPT", "SQLITE_NOTADB"} or "malformed" in str(error)


def _looks_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE_PLAIN_HEADER)) == _SQLITE_PLAIN_HEADER
    except OSError:
        return False


def _has_impossible_size(path: Path) -> bool:
    """SQLCipher files are whole pages (at least 512 bytes each); anything else was cut short."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size < 512 or size % 512 != 0


def create_keyed_engine(path: Path, key: bytes) -> Engine:
    """An engine whose every pooled connection is keyed, with real transactions.

    Python's sqlite driver opens transactions lazily and never around DDL; we disable that and
    emit ``BEGIN IMMEDIATE`` ourselves, so a unit of work (or a migration) is one real
    transaction that takes the write lock up front instead of failing halfway on a busy file.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    creator: Callable[[], Any] = lambda: connect_keyed(path, key)  # noqa: E731
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
