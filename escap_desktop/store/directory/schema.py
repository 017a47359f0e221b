"""The directory database: one row per professional, one per practice site, the search index, and
the professionals' MSSanté addresses.

The file is public data, rebuilt from scratch by each import, so it is plain SQLite (never the
encrypted patient store) and is written without a journal: a half-built file is thrown away.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = "3"

PROFESSIONAL_COLUMNS: tuple[str, ...] = (
    "id",
    "id_type",
    "identifier",
    "civility",
    "last_name",
    "first_name",
    "profession_code",
    "profession_label",
    "specialties",
    "towns",
    "postcodes",
    "site_count",
)
SITE_COLUMNS: tuple[str, ...] = (
    "professional_id",
    "position",
    "specialty",
    "practice_mode",
    "organisation",
    "address",
    "postcode",
    "town",
    "phone",
    "email",
)
# The columns the search index reads. "specialties", "towns" and "postcodes" hold the distinct
# values of all of a professional's sites, as search text; the code is there for the filter.
FTS_COLUMNS: tuple[str, ...] = (
    "last_name",
    "first_name",
    "profession_label",
    "specialties",
    "towns",
    "postcodes",
    "profession_code",
)
FTS_TABLE = "professionals_fts"
TOKENIZER = "unicode61 remove_diacritics 2"
# Looks a professional up by number, and finds the groups of a professional to merge.
IDENTIFIER_INDEX = (
    "CREATE INDEX IF NOT EXISTS professionals_identifier "
    "ON professionals (identifier, id_type, profession_code)"
)


# The professionals' own MSSanté mailboxes, from the separate MSSanté extract. Keyed like the
# professionals (the RPPS or ADELI number, then its type "8" or "0"), not by their row id: the
# two extracts are imported apart, and the addresses outlive a new import of the directory.
MSSANTE_TABLE = "mssante"
MSSANTE_COLUMNS: tuple[str, ...] = (
    "identifier",
    "id_type",
    "position",
    "address",
    "profession_code",
)
CREATE_MSSANTE = (
    f"CREATE TABLE IF NOT EXISTS {MSSANTE_TABLE} (identifier TEXT NOT NULL, "
    "id_type TEXT NOT NULL, position INTEGER NOT NULL, address TEXT NOT NULL, "
    "profession_code TEXT NOT NULL, PRIMARY KEY (identifier, id_type, position)) WITHOUT ROWID"
)
MSSANTE_META_PREFIX = "mssante_"
"""The ``meta`` keys of the last MSSanté import ("mssante_imported_at"...)."""


def has_mssante(connection: sqlite3.Connection) -> bool:
    """True when the file has the MSSanté table (a file built before it existed has not)."""
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MSSANTE_TABLE,)
    ).fetchone()
    return row is not None


def create_schema(db: sqlite_utils.Database) -> None:
    """Creates the empty tables of a new directory file, tuned for one bulk load."""
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA locking_mode = EXCLUSIVE")
    db.execute("PRAGMA cache_size = -16384")
    db.table("professionals").create(
        {name: int if name in ("id", "site_count") else str for name in PROFESSIONAL_COLUMNS},
        pk="id",
    )
    # Sites are read by professional: keyed on (professional, position) without a rowid, they
    # are stored in that order and need no separate index.
    db.execute(
        "CREATE TABLE sites (professional_id INTEGER NOT NULL, position INTEGER NOT NULL, "
        + ", ".join(f"{name} TEXT" for name in SITE_COLUMNS[2:])
        + ", PRIMARY KEY (professional_id, position)) WITHOUT ROWID"
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("professions").create({"code": str, "label": str, "professionals": int}, pk="code")
    db.execute(CREATE_MSSANTE)
    columns = ", ".join(FTS_COLUMNS)
    db.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({columns}, "
        f"content='professionals', content_rowid='id', tokenize='{TOKENIZER}', "
        # Prefix entries for 2 to 4 characters serve short starts ("ma", "lef", "mart")
        # without merging the lists of hundreds of words at each query; searches need no
        # positions nor the document sizes that only bm25 uses, and leaving them out makes the
        # index a quarter faster to build.
        "prefix='2 3 4', detail=column, columnsize=0)"
    )
    # The index gathers new words in memory and writes them out as a segment when this much
    # is pending (1 MB by default): fewer, larger segments halve the time to index 1.6 million
    # professionals. An SQLite that does not know the setting is only slower.
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('hashsize', {64 << 20})")


# FTS5's unicode61 tokenizer lowers case and drops accents but keeps ligatures and letters with
# a stroke as they are: they are spelled out in SQL as the index is filled (fast, no Python call
# per value), the same way ``core.text.fold`` spells them in a typed search.
_SPELLED_OUT = (
    ("œ", "oe"),
    ("Œ", "OE"),
    ("æ", "ae"),
    ("Æ", "AE"),
    ("ø", "o"),
    ("Ø", "O"),
    ("ł", "l"),
    ("Ł", "L"),
    ("đ", "d"),
    ("Đ", "D"),
    ("ß", "ss"),
    ("ẞ", "SS"),
)


def _spelled_out(column: str) -> str:
    expression = column
    for letter, spelled in _SPELLED_OUT:
        expression = f"replace({expression}, '{letter}', '{spelled}')"
    return expression


def fill_search_index(db: sqlite_utils.Database, chunk: int = 400_000) -> Iterator[float]:
    """Indexes every professional for search, a chunk at a time; yields the fraction done.

    Chunks let an import show progress and be cancelled meanwhile; each ends with a flush of
    the index's memory, so they are large (see ``hashsize`` in :func:`create_schema`).
    """
    columns = ", ".join(FTS_COLUMNS)
    values = ", ".join(_spelled_out(column) for column in FTS_COLUMNS)
    first, last = db.execute("SELECT min(id), max(id) FROM professionals").fetchone()
    if first is None:
        return
    for start in range(first, last + 1, chunk):
        db.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, {columns}) "
            f"SELECT id, {values} FROM professionals WHERE id >= ? AND id < ?",
            (start, start + chunk),
        )
        yield min(1.0, (start + chunk - first) / (last + 1 - first))


def finish_search_index(db: sqlite_utils.Database) -> None:
    """Lists the words of the index in ``terms``, and how often each is part of a last name.

    A typed start is then turned into the exact words it begins, which the index matches far
    faster than a prefix shared by many words, and only words often found in last names make a
    search rank by name. There is no 'optimize': the large chunks leave a handful of
    segments, and merging them into one cost a second of import for no gain in search time.
    """
    db.execute(f"CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, {FTS_TABLE}, 'col')")
    db.execute(
        "CREATE TABLE terms (term TEXT PRIMARY KEY, documents INTEGER NOT NULL, "
        "last_name_documents INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "INSERT INTO terms SELECT term, sum(doc), "
        "sum(CASE col WHEN 'last_name' THEN doc ELSE 0 END) FROM temp.vocabulary GROUP BY term"
    )
    db.execute("DROP TABLE temp.vocabulary")


def version_of(connection: sqlite3.Connection) -> str | None:
    """The schema version a directory file was built with (None: not a directory file)."""
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection for searches, shareable between threads under a lock."""
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only = ON")
    return connection
