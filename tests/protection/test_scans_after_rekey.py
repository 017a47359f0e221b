"""Consent scans, encrypted beside the store, still open after the store's key changed."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import nacl.secret

from escap_desktop.core.services.store_protection import run_to_end
from tests.hardening.conftest import team_escap
from tests.protection.conftest import NEW_PASSPHRASE, OLD_PASSPHRASE, Opener

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
    derived = practice.store.derive_key(b"escap-desktop/consent-scans/v1", b"escap-scan-key")
    (folder / "scans").mkdir(mode=0o700)
    old_file = folder / "scans" / ("cd" * 16 + ".scan")
    old_file.write_bytes(
        b"ESCAPSCN\x01" + bytes(nacl.secret.SecretBox(derived).encrypt(SCANNED_FORM))
    )
    consent = practice.escaps.overview(escap.id).consent
    assert consent is not None
    consent = replace(
        consent,
        scan_path=f"scans/{old_file.name}",
        scan_sha256=hashlib.sha256(SCANNED_FORM).hexdigest(),
    )
    with practice.store.unit_of_work(consent.collected_by) as uow:
        uow.put(consent, patient_id=consent.patient_id)
    practice.close()
    practice = open_folder(folder, OLD_PASSPHRASE)

    run_to_end(practice.protection.change_passphrase(OLD_PASSPHRASE, NEW_PASSPHRASE))

    practice.close()
    assert open_folder(folder, NEW_PASSPHRASE).scans.read_consent_scan(escap.id) == SCANNED_FORM
