"""The GUI's backup and restore dialogs, driven like a professional would, with real jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Consent, Escap
from escap_desktop.services.backup import describe_backup
from escap_desktop.services.practice import Practice
from escap_desktop.ui.backup_dialogs import BackupDialog, RestoreDialog
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import JobQueue
from tests.backup.conftest import BACKUP_PASSPHRASE, LOCAL_PASSPHRASE, fill_with_demo, folder_bytes

Opener = Callable[..., Practice]
JOB_TIMEOUT_MS = 30_000
PNG_SCAN = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def jobs(qtbot: QtBot) -> Iterator[JobQueue]:
    queue = JobQueue()
    yield queue
    queue.wait_for_done(JOB_TIMEOUT_MS)


@pytest.fixture
def errors() -> ErrorChannel:
    return ErrorChannel()


@pytest.fixture
def office(tmp_path: Path, open_folder: Opener) -> Practice:
    practice = open_folder(tmp_path / "cabinet")
    fill_with_demo(practice, patients=6)
    return practice


def _fill_backup(
    qtbot: QtBot, dialog: BackupDialog, target: Path, passphrase: str, again: str
) -> None:
    dialog.path_edit.setText(str(target))
    qtbot.keyClicks(dialog.passphrase_edit, passphrase)
    qtbot.keyClicks(dialog.confirmation_edit, again)


def test_backup_dialog_writes_an_encrypted_backup(
    qtbot: QtBot, office: Practice, jobs: JobQueue, errors: ErrorChannel, tmp_path: Path
) -> None:
    dialog = BackupDialog(office.store, jobs, errors, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.path_edit.text().startswith(str(tmp_path / "escap-sauvegarde-"))
    assert (
        dialog.strength_label.text() == "Solidité : Trop courte : encore 12 caractère(s) au moins"
    )
    target = tmp_path / "cabinet.escap-sauvegarde"

    _fill_backup(qtbot, dialog, target, BACKUP_PASSPHRASE, BACKUP_PASSPHRASE)
    assert dialog.strength_label.text() == "Solidité : Très bonne"
    with qtbot.waitSignal(dialog.backup_written, timeout=JOB_TIMEOUT_MS) as written:
        qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)

    assert written.args[0].path == target
    assert describe_backup(target).size_bytes == target.stat().st_size
    assert not dialog.isVisible()


def test_backup_dialog_refuses_different_passphrases_in_french(
    qtbot: QtBot, office: Practice, jobs: JobQueue, errors: ErrorChannel, tmp_path: Path
) -> None:
    dialog = BackupDialog(office.store, jobs, errors)
    qtbot.addWidget(dialog)
    dialog.show()
    target = tmp_path / "cabinet.escap-sauvegarde"
    _fill_backup(qtbot, dialog, target, BACKUP_PASSPHRASE, BACKUP_PASSPHRASE + "!")

    with qtbot.assertNotEmitted(dialog.backup_written):
        qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)

    assert dialog.error.text() == "Les deux phrases de passe saisies ne sont pas identiques."
    assert dialog.error.isVisible()
    assert dialog.isVisible()
    assert not target.exists()


@pytest.fixture
def backup(office: Practice, tmp_path: Path, qtbot: QtBot, jobs: JobQueue) -> Path:
    target = tmp_path / "cabinet.escap-sauvegarde"
    dialog = BackupDialog(office.store, jobs, ErrorChannel())
    qtbot.addWidget(dialog)
    _fill_backup(qtbot, dialog, target, BACKUP_PASSPHRASE, BACKUP_PASSPHRASE)
    with qtbot.waitSignal(dialog.backup_written, timeout=JOB_TIMEOUT_MS):
        qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    office.close()
    return target


def test_restore_dialog_restores_after_confirmation_and_closes_the_store_first(
    qtbot: QtBot,
    backup: Path,
    jobs: JobQueue,
    errors: ErrorChannel,
    tmp_path: Path,
    open_folder: Opener,
) -> None:
    other = tmp_path / "autre-poste"
    closed: list[bool] = []
    dialog = RestoreDialog(other, jobs, errors, before_restore=lambda: closed.append(True))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.restore_button.isEnabled()

    dialog.choose_file(backup)
    assert dialog.description_label.text().startswith("Sauvegarde du ")
    assert "faite avec ESCAP Desktop 0.1.0" in dialog.description_label.text()
    qtbot.keyClicks(dialog.passphrase_edit, BACKUP_PASSPHRASE)
    dialog.passphrase_radio.setChecked(True)
    qtbot.keyClicks(dialog.local_passphrase_edit, LOCAL_PASSPHRASE)
    qtbot.keyClicks(dialog.local_confirmation_edit, LOCAL_PASSPHRASE)
    assert dialog.warning_label.text().startswith("Le coffre actuel sera mis de côté")
    dialog.confirm_box.setChecked(True)
    with qtbot.waitSignal(dialog.restored, timeout=JOB_TIMEOUT_MS) as restored:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    assert closed == [True]
    assert restored.args[0].previous is None
    assert len(open_folder(other, LOCAL_PASSPHRASE).patients.summaries()) == 6


def test_restore_dialog_shows_a_wrong_passphrase_and_changes_nothing(
    qtbot: QtBot, backup: Path, jobs: JobQueue, errors: ErrorChannel, tmp_path: Path
) -> None:
    data_dir = tmp_path / "cabinet"
    before = folder_bytes(data_dir)
    dialog = RestoreDialog(data_dir, jobs, errors)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose_file(backup)
    qtbot.keyClicks(dialog.passphrase_edit, "ce n'est pas la bonne")
    dialog.confirm_box.setChecked(True)

    with qtbot.waitSignal(dialog.restore_abandoned, timeout=JOB_TIMEOUT_MS):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    assert dialog.error.text() == (
        "Phrase de passe incorrecte : ce n'est pas celle qui a servi à créer cette sauvegarde."
    )
    assert dialog.isVisible()
    assert dialog.restore_button.isEnabled()
    assert folder_bytes(data_dir) == before


def test_restore_dialog_explains_a_file_that_is_not_a_backup(
    qtbot: QtBot, jobs: JobQueue, errors: ErrorChannel, tmp_path: Path
) -> None:
    other = tmp_path / "document.pdf"
    other.write_bytes(b"%PDF-1.4 pas une sauvegarde")
    dialog = RestoreDialog(tmp_path / "cabinet", jobs, errors)
    qtbot.addWidget(dialog)

    dialog.choose_file(other)

    assert dialog.error.text() == "Ce fichier n'est pas une sauvegarde d'ESCAP Desktop."
    assert dialog.description_label.text() == ""


def test_backup_dialog_carries_the_scans_and_says_which_could_not_be(
    qtbot: QtBot, office: Practice, jobs: JobQueue, errors: ErrorChannel, tmp_path: Path
) -> None:
    with office.store.unit_of_work(None) as uow:
        kept, lost = [e for e in uow.find(Escap) if uow.find(Consent, escap_id=e.id)][:2]
    form = tmp_path / "formulaire.png"
    form.write_bytes(PNG_SCAN)
    office.scans.attach_consent_scan(kept.id, form)
    consent = office.scans.attach_consent_scan(lost.id, form)
    (tmp_path / "cabinet" / consent.scan_path).unlink()  # lost on this computer already
    dialog = BackupDialog(office.store, jobs, errors, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "scans des formulaires de consentement" in dialog.findChild(QLabel, "backupIntro").text()
    target = tmp_path / "cabinet.escap-sauvegarde"

    _fill_backup(qtbot, dialog, target, BACKUP_PASSPHRASE, BACKUP_PASSPHRASE)
    with qtbot.waitSignal(dialog.backup_written, timeout=JOB_TIMEOUT_MS) as written:
        qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)

    assert (written.args[0].scans, written.args[0].scans_left_out) == (1, 1)
    assert describe_backup(target).scans == 1
    assert dialog.isVisible()  # the warning must be read
    assert dialog.error.text().startswith("1 scan(s) de consentement enregistré(s) sont")
    assert dialog.status.text() == f"Sauvegarde écrite : {target} (1 scan de consentement)"
    assert dialog.cancel_button.text() == "Fermer"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
