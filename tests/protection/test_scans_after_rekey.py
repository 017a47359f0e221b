"""Consent scans, encrypted beside the store, still open after the store's key changed."""

from __future__ import annotations

from pathlib import Path

from escap_desktop.services.store_protection import run_to_end
from tests.hardening.conftest import team_escap
from tests.protection.conftest import NEW_PASSPHRASE, OLD_PASSPHRASE, Opener
from tests.support.first_version_scans import plant_first_version_scan

SCANNED_FORM = b"%PDF-1.7\n% formulaire de consentement signe\n" + bytes(range(256)) * 8


def test_an_attached_scan_still_opens_after_a_rekey(tmp_path: Path, open_folder: Opener) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    escap = team_escap(practice.store)
    scan = tmp_path / "formulaire.pdf"
    scan.write_bytes(SCANNED_FORM)
    practice.scans.attach_consent_scan(escap.id, scan)

    run_to_end(practice.protection.change_passphrase(OLD_PASSPHRASE, NEW_PASSPHRASE))

    assert practice.scans.read_consent_scan(escap.id) == SCANNED_FORM
    practice.close()
    practice = open_folder(folder, NEW_PASSPHRASE)
    run_to_end(practice.protection.use_keyring(NEW_PASSPHRASE))
    practice.close()
    assert open_folder(folder).scans.read_consent_scan(escap.id) == SCANNED_FORM


def test_scans_of_the_first_versions_survive_a_change_made_before_they_were_read(
    tmp_path: Path, open_folder: Opener
) -> None:
    """A store of the first versions sealed its scans under a key derived from the store key
    and keeps no scan key: the change must keep that key before the store key goes."""
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    escap = team_escap(practice.store)
    plant_first_version_scan(practice, escap.id, SCANNED_FORM)
    practice.close()
    practice = open_folder(folder, OLD_PASSPHRASE)

    run_to_end(practice.protection.change_passphrase(OLD_PASSPHRASE, NEW_PASSPHRASE))

    practice.close()
    assert open_folder(folder, NEW_PASSPHRASE).scans.read_consent_scan(escap.id) == SCANNED_FORM
