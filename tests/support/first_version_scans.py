"""A consent scan as the first versions of ESCAP Desktop left it, for upgrade tests."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import nacl.secret

from escap_desktop.services.practice import Practice


def plant_first_version_scan(practice: Practice, escap_id: str, content: bytes) -> Path:
    """Seals ``content`` the way the first versions did (keyed BLAKE2b of the store key, as they
    wrote it; no scan key kept in the store) and points the ESCAP's consent at it, so a test can
    prove such scans still open after whatever it does next. Returns the sealed file."""
    derived = practice.store.derive_key(b"escap-desktop/consent-scans/v1", b"escap-scan-key")
    scans = Path(practice.data_dir) / "scans"
    scans.mkdir(mode=0o700)
    sealed = scans / ("ab" * 16 + ".scan")
    sealed.write_bytes(b"ESCAPSCN\x01" + bytes(nacl.secret.SecretBox(derived).encrypt(content)))
    consent = practice.escaps.overview(escap_id).consent
    assert consent is not None
    consent = replace(
        consent,
        scan_path=f"scans/{sealed.name}",
        scan_sha256=hashlib.sha256(content).hexdigest(),
    )
    with practice.store.unit_of_work(consent.collected_by) as uow:
        uow.put(consent, patient_id=consent.patient_id)
    return sealed
