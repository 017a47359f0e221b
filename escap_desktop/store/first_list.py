"""The patient list read at start-up before the store layer is imported (issue 19).

Importing the store layer and the services (SQLAlchemy, the ORM models, the sync, the imports)
costs most of a second at every start-up; the patient list needs none of it. So the launcher
first asks :func:`read_first_summaries`: the keyring's key, one raw SQLCipher connection, a
check that the file needs nothing from the real opening, then the list in one SQL query; the
professional sees their patients while the store layer is imported and the store opened as
always (migrations, key-change recovery, every check of ``Store.open``).

Only when the real opening would change nothing the list shows may it be read here: a store in
keyring mode whose key matches, whose schema is this version's head (no migration to run) and
whose list figures were computed by this version (``PRAGMA user_version``), with a local
profile. Anything else (passphrase mode, a migration due, a damaged file, no keyring...)
returns None without a word: the real opening follows and says, in French, what is wrong.
Nothing here writes to the file.

Qt-free and SQLAlchemy-free on purpose (a test checks the imports); the SQL is what
``patient_list.list_statement()`` compiles to, and a test checks both read the same rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from escap_desktop.core.errors import EscapError
from escap_desktop.store import migrator
from escap_desktop.store.engine import connect_keyed
from escap_desktop.store.keys import KeyMode, key_matches, load_key_from_keyring, read_keyinfo

if TYPE_CHECKING:
    from escap_desktop.core.entities.summaries import PatientSummary

STORE_FILENAME = "escap-desktop.db"  # opening.STORE_FILENAME (a test checks they agree)
LIST_VERSION = 3  # patient_list.LIST_VERSION (a test checks they agree)
LOCAL_PROFILE_SLOT = 1  # mapping.LOCAL_PROFILE_SLOT (a test checks they agree)

LIST_SQL = (
    "SELECT patient.id, patient.birth_name, patient.used_name, patient.first_names, "
    "patient.used_first_name, patient.birth_date, patient.ins, patient_list.escap_id, "
    "patient_list.escap_state, patient_list.last_score, "
    "coalesce(patient_list.team_size, ?) AS team_size, patient_list.next_due_on, "
    "coalesce(patient_list.next_action, ?) AS next_action, "
    "coalesce(patient_list.unread_messages, ?) AS unread_messages \n"
    "FROM patient LEFT OUTER JOIN patient_list ON patient_list.patient_id = patient.id "
    "ORDER BY patient.sort_key, patient.id"
)
"""``patient_list.list_statement()`` compiled for SQLite, with its parameters below."""
LIST_PARAMETERS = (0, "", 0)
PROFILE_SQL = (
    "SELECT 1 FROM local_profile JOIN professional "
    "ON professional.id = local_profile.professional_id WHERE local_profile.slot = ?"
)
"""A profile ``ProfileService.current()`` returns (its professional recorded): the main window
comes next, not the first-launch wizard."""

BIRTH_DATE, ESCAP_STATE, NEXT_DUE_ON = 5, 8, 11
"""The columns whose stored text becomes a value (SQLAlchemy's result processors for them)."""


def read_first_summaries(data_dir: Path | str) -> list[PatientSummary] | None:
    """The patient list of the store of ``data_dir``, when reading it now is what the opening
    would show (see the module); None otherwise, never an error."""
    path = Path(data_dir).absolute() / STORE_FILENAME
    try:
        if not path.is_file():
            return None
        info = read_keyinfo(path)
        if info is None or info.mode is not KeyMode.KEYRING:
            return None
        key = load_key_from_keyring(info.store_id)
        if key is None or not key_matches(key, info):
            return None
        connection = connect_keyed(path, key)
    except (EscapError, OSError, ValueError):
        return None
    try:
        return _read(path, connection)
    except (sqlcipher3.Error, EscapError, OSError, ValueError):
        return None
    finally:
        connection.close()


def _read(path: Path, connection: sqlcipher3.Connection) -> list[PatientSummary] | None:
    page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    if path.stat().st_size % page_size:  # a file cut inside a page: Store.open refuses it
        return None
    if migrator.stored_revision(connection) != migrator.head_revision():
        return None
    if connection.execute("PRAGMA user_version").fetchone()[0] != LIST_VERSION:
        return None
    if connection.execute(PROFILE_SQL, (LOCAL_PROFILE_SLOT,)).fetchone() is None:
        return None
    # SQLCipher decrypts and SQLite joins without the interpreter's lock: the entities the
    # rows become are imported meanwhile (the worker's only other work before the list).
    fetched: list[list[Any]] = []
    failed: list[BaseException] = []

    def fetch() -> None:
        try:
            fetched.append(connection.execute(LIST_SQL, LIST_PARAMETERS).fetchall())
        except BaseException as error:
            failed.append(error)

    fetching = threading.Thread(target=fetch, name="escap-first-list", daemon=True)
    fetching.start()
    try:
        from escap_desktop.core.entities import EscapState
    finally:
        fetching.join()
    if failed:
        raise failed[0]
    return summaries_from_rows(
        fetched[0],
        (
            (BIRTH_DATE, date.fromisoformat),
            (ESCAP_STATE, EscapState),
            (NEXT_DUE_ON, date.fromisoformat),
        ),
    )


def summaries_from_rows(
    rows: Sequence[Sequence[Any]], converters: Sequence[tuple[int, Callable[[Any], Any]]]
) -> list[PatientSummary]:
    """The summaries of the list's rows (the columns of ``LIST_SQL``, in order). ``converters``
    turn the stored text of the birth date, state and due date columns (by position) into
    values, each distinct value once (values repeat: dates, states), in one pass over the rows.
    Shared with ``patient_list.patient_summaries``, so both reads build the very same
    summaries."""
    from escap_desktop.core.entities import Patient
    from escap_desktop.core.entities.summaries import PatientSummary

    # The entity owns the display-name rule; its property reads only the name fields, which
    # ``names`` has under the same names: no Patient per line.
    display_name: Callable[[Any], str] = vars(Patient)["display_name"].fget
    convert = dict(converters)
    if not set(convert) <= {BIRTH_DATE, ESCAP_STATE, NEXT_DUE_ON}:
        raise ValueError(f"Colonnes à convertir inattendues : {sorted(convert)}")
    identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
    to_birth = convert.get(BIRTH_DATE, identity)
    to_state = convert.get(ESCAP_STATE, identity)
    to_due = convert.get(NEXT_DUE_ON, identity)
    births: dict[Any, Any] = {None: None}
    states: dict[Any, Any] = {None: None}
    dues: dict[Any, Any] = {None: None}
    names = _NameFields()
    summaries: list[PatientSummary] = []
    append = summaries.append
    for (
        patient_id,
        birth_name,
        used_name,
        first_names,
        used_first_name,
        birth_text,
        ins,
        escap_id,
        state_text,
        last_score,
        team_size,
        due_text,
        next_action,
        unread_messages,
    ) in rows:
        birth_date = births.get(birth_text, births)
        if birth_date is births:
            birth_date = births[birth_text] = to_birth(birth_text)
        escap_state = states.get(state_text, states)
        if escap_state is states:
            escap_state = states[state_text] = to_state(state_text)
        next_due_on = dues.get(due_text, dues)
        if next_due_on is dues:
            next_due_on = dues[due_text] = to_due(due_text)
        names.birth_name, names.used_name = birth_name, used_name
        names.first_names, names.used_first_name = first_names, used_first_name
        append(
            PatientSummary(
                patient_id,
                display_name(names),
                birth_name,
                used_name,
                first_names,
                birth_date,
                ins,
                escap_id,
                escap_state,
                last_score,
                team_size,
                next_due_on,
                next_action,
                unread_messages,
            )
        )
    return summaries


class _NameFields:
    """The name fields ``Patient.display_name`` reads."""

    __slots__ = ("birth_name", "first_names", "used_first_name", "used_name")

    def __init__(self) -> None:
        self.birth_name = self.used_name = self.first_names = self.used_first_name = ""
