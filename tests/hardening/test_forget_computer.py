"""« Oublier ce poste »: after confirmation, no key of this store in the keyring and no patient
data file in the data folder; without it, nothing at all changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.errors import ValidationError
from escap_desktop.mail.settings import MailSettings
from escap_desktop.services.forget import CONFIRMATION, forget_data_folder
from escap_desktop.services.practice import Practice, open_practice
from escap_desktop.store import KeyringLockedError, store_exists
from tests.hardening.conftest import (
    PASSPHRASE,
    LockedKeyring,
    demo_practice,
    folder_bytes,
    team_escap,
)
from tests.support.memory_keyring import MemoryKeyring

SCAN = b"%PDF-1.4\n" + b"formulaire signe" * 100
MAILBOX = MailSettings(
    host="smtp.mssante.example", sender="ide@ide.mssante.fr", login="ide@ide.mssante.fr"
)


def _set_up(practice: Practice, tmp_path: Path) -> None:
    """Every kind of file a working installation accumulates, and the sync keys."""
    escap = team_escap(practice.store)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(SCAN)
    practice.scans.attach_consent_scan(escap.id, scan)
    practice.sync.set_up("http://127.0.0.1:8765")  # device keys made, nothing sent
    practice.profile.save_mail_settings(MAILBOX, "mot de passe MSSanté")  # kept in the keyring
    data_dir = practice.data_dir
    (data_dir / "export-salt.bin").write_bytes(bytes(32))
    (data_dir / "escap-desktop.avant-migration-0002-20260101T000000Z.db").write_bytes(b"x" * 512)
    aside_scans = data_dir / "escap-desktop.avant-restauration-20260101T000000Z.scans"
    aside_scans.mkdir()  # the scans of a store a restore replaced
    (aside_scans / ("ab" * 16 + ".scan")).write_bytes(b"x" * 64)
    (data_dir / "annuaire.db").write_bytes(b"annuaire public")
    (data_dir / "grilles").mkdir()
    (data_dir / "grilles" / "site.toml").write_text("# grille du site\n", encoding="utf-8")


def _keys(backend: MemoryKeyring) -> set[str]:
    return {username for _service, username in backend._secrets}


def _names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Practice]:
    opened = demo_practice(tmp_path / "donnees")
    _set_up(opened, tmp_path)
    yield opened
    opened.close()


def test_forgetting_removes_the_keys_then_every_patient_data_file(
    practice: Practice, memory_keyring: MemoryKeyring
) -> None:
    data_dir = practice.data_dir
    assert {name.split("-")[0] for name in _keys(memory_keyring)} >= {"coffre", "device"}
    assert any(name.startswith("mssante-smtp:") for name in _keys(memory_keyring))
    plan = practice.forget.plan()
    assert len(plan.keyring_entries) == 3
    assert {path.name for path in plan.kept} == {"annuaire.db", "grilles"}

    report = practice.forget.forget("  oublier  ce poste ")

    assert _keys(memory_keyring) == set()
    assert set(report.removed_keys) == {
        "clé du coffre de données",
        "clés de synchronisation de l'appareil",
        "mot de passe de la messagerie MSSanté",
    }
    assert _names(data_dir) == {"annuaire.db", "grilles"}
    assert {path.name for path in report.removed_files} >= {
        "escap-desktop.db",
        "escap-desktop.db.keyinfo.json",
        "escap-desktop.avant-migration-0002-20260101T000000Z.db",
        "escap-desktop.avant-restauration-20260101T000000Z.scans",
        "export-salt.bin",
        "scans",
    }
    assert report.notes == ()
    assert not store_exists(data_dir)


def test_without_the_exact_confirmation_nothing_is_removed(
    practice: Practice, memory_keyring: MemoryKeyring
) -> None:
    data_dir = practice.data_dir
    keys = dict(memory_keyring._secrets)
    files = folder_bytes(data_dir)

    for typed in ("", "oui", "OUBLIER CE PC", "OUBLIER"):
        with pytest.raises(ValidationError, match=CONFIRMATION) as raised:
            practice.forget.forget(typed)
        assert raised.value.field == "confirmation"

    assert memory_keyring._secrets == keys
    assert folder_bytes(data_dir) == files
    assert practice.patients.summaries()  # the store is still open and working


def test_a_keyring_that_keeps_the_key_stops_everything(practice: Practice) -> None:
    data_dir = practice.data_dir
    practice.close()
    files = folder_bytes(data_dir)
    keyring.set_keyring(LockedKeyring())

    with pytest.raises(KeyringLockedError, match="rien n'a été supprimé"):
        forget_data_folder(data_dir, CONFIRMATION, own=None)
    assert folder_bytes(data_dir) == files
    assert main(["--data-dir", str(data_dir), "forget", "--confirm", CONFIRMATION]) == 1
    assert folder_bytes(data_dir) == files


def test_the_command_asks_for_the_phrase_and_forgets(
    practice: Practice,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = practice.data_dir
    practice.close()
    files = folder_bytes(data_dir)
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)

    assert main(["--data-dir", str(data_dir), "forget"]) == 1  # no terminal to ask on
    assert "--confirm" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "forget", "--confirm", "oui"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert folder_bytes(data_dir) == files

    assert main(["--data-dir", str(data_dir), "forget", "--confirm", CONFIRMATION]) == 0

    out = capsys.readouterr().out
    assert "Retiré du trousseau : clé du coffre de données" in out
    assert "Supprimé : escap-desktop.db" in out
    assert "Supprimé : scans" in out
    assert out.rstrip().endswith("Ce poste a été oublié.")
    assert _keys(memory_keyring) == set()
    assert _names(data_dir) == {"annuaire.db", "grilles"}


def test_a_store_whose_passphrase_is_lost_can_still_be_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "donnees"
    demo_practice(data_dir, PASSPHRASE).close()
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)

    assert main(["--data-dir", str(data_dir), "forget", "--confirm", CONFIRMATION]) == 0

    captured = capsys.readouterr()
    assert "Supprimé : escap-desktop.db" in captured.out
    assert "device-keys" in captured.err  # those keys, if any, could not be looked up
    assert _names(data_dir) == set()
    fresh = open_practice(data_dir)  # the computer starts afresh
    try:
        assert fresh.profile.current() is None
    finally:
        fresh.close()
