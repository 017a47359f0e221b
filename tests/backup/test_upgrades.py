"""Upgrading the app keeps the professional's data: older stores migrate (after a copy), newer
ones are refused with a clear message and left untouched — through the same entry points the
app and the ``escap`` command use, not only through ``Store.open``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.services.practice import Practice
from escap_desktop.store import migrator, store_path
from escap_desktop.store.engine import connect_keyed
from escap_desktop.store.keys import (
    KeyInfo,
    KeyMode,
    key_check_value,
    save_key_in_keyring,
    write_keyinfo,
)
from tests.backup.conftest import LOCAL_PASSPHRASE, fill_with_demo, folder_bytes

FIXTURE = Path(__file__).parents[1] / "store" / "fixtures" / "coffre-0001.db"
# The key of the committed fixture store (tests/store/test_migrations.py): test data only.
FIXTURE_KEY = bytes.fromhex("00112233445566778899aabbccddeeff" * 2)
NEWER_LINE = (
    "escap : Ce coffre de données a été créé par une version plus récente d'ESCAP Desktop ; "
    "mettez l'application à jour."
)

Opener = Callable[..., Practice]


def _revision(path: Path, key: bytes) -> str | None:
    connection = connect_keyed(path, key)
    try:
        return migrator.stored_revision(connection)
    finally:
        connection.close()


def test_a_data_folder_of_the_first_release_is_migrated_after_a_backup(
    tmp_path: Path, open_folder: Opener
) -> None:
    data_dir = tmp_path / "donnees"
    data_dir.mkdir()
    shutil.copyfile(FIXTURE, store_path(data_dir))
    save_key_in_keyring("fixture0001", FIXTURE_KEY)
    info = KeyInfo("fixture0001", KeyMode.KEYRING, key_check_value(FIXTURE_KEY))
    write_keyinfo(store_path(data_dir), info)

    practice = open_folder(data_dir)

    with practice.store.unit_of_work(None) as uow:  # the 0001 fixture has no profile yet
        summaries = uow.patient_summaries()
    assert [s.display_name for s in summaries] == ["ÉTIENNE Aimée"]
    assert _revision(store_path(data_dir), FIXTURE_KEY) == migrator.head_revision()
    backups = list(data_dir.glob("escap-desktop.avant-migration-0001-*.db"))
    assert len(backups) == 1
    assert _revision(backups[0], FIXTURE_KEY) == "0001"


def test_the_command_refuses_a_newer_store_in_french_and_leaves_it_untouched(
    tmp_path: Path,
    open_folder: Opener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "donnees"
    practice = open_folder(data_dir, LOCAL_PASSPHRASE)
    fill_with_demo(practice, patients=2)
    with practice.store.unit_of_work(None) as uow:
        uow.session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
        uow.session.commit()
    practice.close()
    before = folder_bytes(data_dir)
    monkeypatch.setenv("ESCAP_PASSPHRASE", LOCAL_PASSPHRASE)
    monkeypatch.setenv("ESCAP_BACKUP_PASSPHRASE", "une phrase de sauvegarde")

    code = main(["--data-dir", str(data_dir), "backup", "--out", str(tmp_path / "s")])

    assert code == 1
    assert capsys.readouterr().err.strip() == NEWER_LINE
    assert folder_bytes(data_dir) == before
    assert not (tmp_path / "s").exists()
