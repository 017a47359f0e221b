"""The start-up's first patient list (``store.first_list``): read before the store layer, only
when the real opening would show the same list, and then the very same summaries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from escap_desktop.core.entities import (
    LocalProfile,
    Profession,
    Professional,
)
from escap_desktop.store import first_list, mapping, open_store, opening, patient_list
from escap_desktop.store.keys import keyinfo_path
from tests.store.list_patients import NAMES, put_patients

ME = Professional("Lefèvre", "Marie", Profession.MEDECIN, identifier="10001234567")


def _practice(folder: Path, *, profile: bool = True) -> None:
    """A keyring-mode store with patients (and a local profile unless told otherwise)."""
    store = open_store(folder)
    try:
        with store.unit_of_work(ME.id) as uow:
            if profile:
                uow.put(ME)
                uow.put(LocalProfile(professional_id=ME.id))
            put_patients(uow, ME.id)
    finally:
        store.close()


def test_the_sql_and_constants_are_those_of_the_store_layer() -> None:
    compiled = patient_list.list_statement().compile(
        dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}
    )
    values = compiled.construct_params()
    assert str(compiled) == first_list.LIST_SQL
    assert tuple(values[name] for name in compiled.positiontup or []) == first_list.LIST_PARAMETERS
    assert first_list.STORE_FILENAME == opening.STORE_FILENAME
    assert first_list.LIST_VERSION == patient_list.LIST_VERSION
    assert first_list.LOCAL_PROFILE_SLOT == mapping.LOCAL_PROFILE_SLOT


def test_it_reads_what_the_opened_store_lists(tmp_path: Path) -> None:
    _practice(tmp_path)
    first = first_list.read_first_summaries(tmp_path)
    store = open_store(tmp_path)
    try:
        with store.unit_of_work(None) as uow:
            listed = uow.patient_summaries()
    finally:
        store.close()
    assert first == listed
    assert first is not None
    assert len(first) == len(NAMES)
    assert {s.escap_state for s in first} == {state for *_, state in NAMES}


def test_no_profile_yet_no_first_list(tmp_path: Path) -> None:
    _practice(tmp_path, profile=False)  # the first-launch wizard comes first
    assert first_list.read_first_summaries(tmp_path) is None


def test_a_migration_or_a_list_to_rebuild_leaves_the_list_to_the_opening(tmp_path: Path) -> None:
    _practice(tmp_path)
    store = open_store(tmp_path)
    with store.unit_of_work(None) as uow:
        connection = uow.session.connection()
        connection.exec_driver_sql(f"PRAGMA user_version = {patient_list.LIST_VERSION - 1}")
    store.close()
    assert first_list.read_first_summaries(tmp_path) is None
    open_store(tmp_path).close()  # the opening rebuilds the list's figures
    assert first_list.read_first_summaries(tmp_path) is not None
    store = open_store(tmp_path)
    with store.unit_of_work(None) as uow:
        uow.session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    store.close()
    assert first_list.read_first_summaries(tmp_path) is None


def test_no_store_no_key_or_a_passphrase_no_first_list(tmp_path: Path) -> None:
    assert first_list.read_first_summaries(tmp_path) is None
    _practice(tmp_path / "keyring")
    info = json.loads(keyinfo_path(opening.store_path(tmp_path / "keyring")).read_text("utf-8"))
    info["key_check"] = "00" * 32  # another key than the keyring's
    keyinfo_path(opening.store_path(tmp_path / "keyring")).write_text(json.dumps(info), "utf-8")
    assert first_list.read_first_summaries(tmp_path / "keyring") is None
    store = open_store(tmp_path / "phrase", "une phrase de passe assez longue")
    store.close()
    assert first_list.read_first_summaries(tmp_path / "phrase") is None


@pytest.mark.parametrize("forbidden", ["sqlalchemy", "alembic", "escap_desktop.store.models"])
def test_importing_it_imports_no_store_layer(forbidden: str) -> None:
    code = (
        f"import sys\nimport escap_desktop.store.first_list\nprint({forbidden!r} in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_the_models_bring_the_tables_that_join_their_metadata() -> None:
    """What importing the package did before it was lazy: the sync tables, local secrets and
    mail outbox are in the metadata whichever store module is imported first."""
    code = (
        "import sys\n"
        "import escap_desktop.store.unit_of_work as uow\n"
        "from escap_desktop.store.models import Base\n"
        "print(sorted(n for n in ('local_secret', 'mail_outbox', 'sync_outbox')"
        " if n in Base.metadata.tables))\n"
        "print(all(m in sys.modules for m in ('escap_desktop.store.local_secrets',"
        " 'escap_desktop.store.mail_models', 'escap_desktop.store.sync_models')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == ["['local_secret', 'mail_outbox', 'sync_outbox']", "True"]
