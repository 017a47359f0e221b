"""Older stores are upgraded after a keyed backup; newer ones are refused and left untouched."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from escap_desktop.core.entities import Escap, EscapState, Message, Patient
from escap_desktop.core.errors import StoreError
from escap_desktop.store import Store, migrator
from escap_desktop.store.draft_migration import NO_DIFFERENCE, draft_next_migration
from escap_desktop.store.engine import connect_keyed, create_keyed_engine
from escap_desktop.store.models import Base
from tests.store import legacy, samples
from tests.store.conftest import ACTOR

FIXTURES = Path(__file__).parent / "fixtures"
# The key of the committed fixture stores: test data only, nothing real is encrypted with it.
FIXTURE_KEY = bytes.fromhex("00112233445566778899aabbccddeeff" * 2)


def _revision(path: Path, key: bytes) -> str | None:
    connection = connect_keyed(path, key)
    try:
        return migrator.stored_revision(connection)
    finally:
        connection.close()


def _index_names(path: Path, key: bytes) -> set[str]:
    connection = connect_keyed(path, key)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {str(row[0]) for row in rows}
    finally:
        connection.close()


def _all_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_models_and_migrations_describe_the_same_schema(store: Store, key: bytes) -> None:
    engine = create_keyed_engine(store.path, key)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                Base.metadata,
            )
    finally:
        engine.dispose()
    assert differences == []
    assert _revision(store.path, key) == migrator.head_revision()


def test_revisions_read_from_the_files_are_alembics_own() -> None:
    """Opening a store reads the revisions without importing Alembic; they must agree."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrator.alembic_config())
    assert migrator.head_revision() == scripts.get_current_head()
    assert migrator.known_revisions() == {s.revision for s in scripts.walk_revisions()}


def _check_upgraded(path: Path, key: bytes) -> None:
    with Store.open(path, key) as store, store.unit_of_work(ACTOR) as uow:
        person = uow.get(Patient, legacy.PATIENT_ID)
        episode = uow.get(Escap, legacy.ESCAP_ID)
        note = uow.get(Message, legacy.MESSAGE_ID)
        audit = uow.audit_entries(legacy.PATIENT_ID)
        summaries = uow.patient_summaries()
    assert person.birth_name == "ÉTIENNE"
    assert person.birth_date == date(1948, 2, 29)
    assert person.identity_document is None
    assert episode.state is EscapState.ACTIVE
    assert episode.created_at == datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
    assert note.read_by == {legacy.READER_ID}
    assert [entry.summary for entry in audit] == ["Patient ajouté"]
    assert [s.display_name for s in summaries] == ["ÉTIENNE Aimée"]
    assert _revision(path, key) == migrator.head_revision()
    assert "ix_escap_patient_episode" in _index_names(path, key)


def _single_backup(folder: Path) -> Path:
    backups = sorted(folder.glob("coffre.avant-migration-0001-*.db"))
    assert len(backups) == 1
    return backups[0]


def test_a_store_from_migration_0001_is_upgraded_with_a_backup_first(
    store_file: Path, key: bytes
) -> None:
    legacy.build_store_at_0001(store_file, key)
    assert _revision(store_file, key) == "0001"

    _check_upgraded(store_file, key)

    backup = _single_backup(store_file.parent)
    assert _revision(backup, key) == "0001"
    connection = connect_keyed(backup, key)
    try:
        names = connection.execute("SELECT birth_name FROM patient").fetchall()
    finally:
        connection.close()
    assert names == [("ÉTIENNE",)]
    assert "ix_escap_patient_episode" not in _index_names(backup, key)
    assert not backup.read_bytes().startswith(b"SQLite format 3")

    # Already at head: opening again takes no further backup.
    Store.open(store_file, key).close()
    assert _single_backup(store_file.parent) == backup


def test_the_released_0001_fixture_store_still_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "coffre.db"
    shutil.copyfile(FIXTURES / "coffre-0001.db", path)
    assert _revision(path, FIXTURE_KEY) == "0001"
    _check_upgraded(path, FIXTURE_KEY)
    _single_backup(tmp_path)


def test_a_store_from_a_newer_version_is_refused_untouched(store: Store, key: bytes) -> None:
    with store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
        uow.session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    store.close()
    before = _all_bytes(store.path.parent)

    with pytest.raises(StoreError) as raised:
        Store.open(store.path, key)
    assert str(raised.value) == (
        "Ce coffre de données a été créé par une version plus récente d'ESCAP Desktop ; "
        "mettez l'application à jour."
    )
    assert _all_bytes(store.path.parent) == before


def test_the_next_migration_draft_finds_nothing_to_do() -> None:
    assert draft_next_migration() == NO_DIFFERENCE
