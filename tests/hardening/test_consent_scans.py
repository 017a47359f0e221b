"""Scans of signed consent forms: only PDF/JPEG/PNG by content, bounded, stored encrypted,
read back only if they are the very file attached."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from escap_desktop.core.entities import Consent, Escap, Patient, Sex
from escap_desktop.core.errors import NotFoundError, StoreError, ValidationError
from escap_desktop.services.practice import Practice
from escap_desktop.services.scans import MAX_SCAN_BYTES
from tests.hardening.conftest import demo_practice, team_escap
from tests.services.conftest import make_nir

PDF = b"%PDF-1.7\n% formulaire signe MARQUEUR-CLAIR-5521\n" + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x42" * 5000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x17" * 5000


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Practice]:
    opened = demo_practice(tmp_path / "donnees")
    yield opened
    opened.close()


@pytest.fixture
def escap(practice: Practice) -> Escap:
    return team_escap(practice.store)


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _consent(practice: Practice, escap: Escap) -> Consent:
    consent = practice.escaps.overview(escap.id).consent
    assert consent is not None
    return consent


def _scans(practice: Practice) -> list[Path]:
    folder = practice.data_dir / "scans"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("formulaire.pdf", PDF, "application/pdf"),
        ("photo-sans-extension", JPEG, "image/jpeg"),
        ("scan.txt", PNG, "image/png"),  # the content decides, not the name
    ],
)
def test_an_attached_scan_is_stored_encrypted_and_reads_back(
    practice: Practice, escap: Escap, tmp_path: Path, name: str, content: bytes, media_type: str
) -> None:
    assert practice.scans.check_scan_file(_file(tmp_path, name, content)) == media_type
    consent = practice.scans.attach_consent_scan(escap.id, tmp_path / name)

    [stored] = _scans(practice)
    assert consent.scan_path == f"scans/{stored.name}"
    assert _consent(practice, escap).scan_path == consent.scan_path
    assert re.fullmatch(r"[0-9a-f]{32}\.scan", stored.name)  # nothing of the patient or file
    raw = stored.read_bytes()
    assert content[:40] not in raw
    assert b"MARQUEUR-CLAIR" not in raw
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    scan = practice.scans.read_consent_scan(escap.id)
    assert bytes(scan) == content
    assert scan.media_type == media_type
    assert practice.audit.patient_trail(escap.patient_id)[-1].action == "Consultation"


def _refused(practice: Practice, escap: Escap, path: Path, expected: str) -> None:
    before = _consent(practice, escap)
    with pytest.raises(ValidationError, match=expected):
        practice.scans.check_scan_file(path)
    with pytest.raises(ValidationError, match=expected) as raised:
        practice.scans.attach_consent_scan(escap.id, path)
    assert raised.value.field == "scan_path"
    assert _scans(practice) == []
    assert _consent(practice, escap) == before


def test_other_types_are_refused_whatever_their_name(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    for name, content in [
        ("scan.pdf", b"Ceci n'est pas un PDF"),
        ("image.png", b"GIF89a" + bytes(100)),
        ("archive.pdf", b"PK\x03\x04" + bytes(100)),
        ("presque.pdf", b"%PD"),
    ]:
        _refused(practice, escap, _file(tmp_path, name, content), "PDF, JPEG ou PNG")


def test_empty_oversized_and_missing_files_are_refused(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    _refused(practice, escap, _file(tmp_path, "vide.pdf", b""), "vide")
    huge = tmp_path / "enorme.pdf"
    with huge.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(MAX_SCAN_BYTES + 1)  # sparse: no need to write 15 MB
    _refused(practice, escap, huge, "dépasse 15 Mo")
    _refused(practice, escap, tmp_path / "absent.pdf", "introuvable")
    _refused(practice, escap, tmp_path, "n'est pas un fichier")


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    pipe = tmp_path / "scan.pdf"
    os.mkfifo(pipe)
    _refused(practice, escap, pipe, "n'est pas un fichier")


def test_a_new_scan_replaces_the_previous_one(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    practice.scans.attach_consent_scan(escap.id, _file(tmp_path, "a.pdf", PDF))
    first = _scans(practice)
    practice.scans.attach_consent_scan(escap.id, _file(tmp_path, "b.png", PNG))
    second = _scans(practice)
    assert len(second) == 1
    assert second != first
    assert bytes(practice.scans.read_consent_scan(escap.id)) == PNG


def test_an_altered_or_swapped_scan_is_refused(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    practice.scans.attach_consent_scan(escap.id, _file(tmp_path, "a.pdf", PDF))
    [stored] = _scans(practice)
    sealed = stored.read_bytes()
    altered = bytearray(sealed)
    altered[len(altered) // 2] ^= 0x01
    stored.write_bytes(bytes(altered))
    with pytest.raises(StoreError, match="illisible"):
        practice.scans.read_consent_scan(escap.id)

    # Another genuine scan put in its place decrypts, but is not the one this consent recorded.
    with practice.store.unit_of_work(None) as uow:
        other = next(
            e for e in uow.find(Escap) if e.id != escap.id and uow.find(Consent, escap_id=e.id)
        )
    practice.scans.attach_consent_scan(other.id, _file(tmp_path, "b.png", PNG))
    other_file = practice.data_dir / _consent(practice, other).scan_path
    stored.write_bytes(other_file.read_bytes())
    with pytest.raises(StoreError, match="ne correspond pas"):
        practice.scans.read_consent_scan(escap.id)

    stored.unlink()
    with pytest.raises(StoreError, match="introuvable"):
        practice.scans.read_consent_scan(escap.id)


def test_a_scan_path_outside_the_scans_folder_is_never_followed(
    practice: Practice, escap: Escap, tmp_path: Path
) -> None:
    outside = _file(tmp_path, "ailleurs.pdf", PDF)
    consent = replace(_consent(practice, escap), scan_path=str(outside), scan_sha256="0" * 64)
    with practice.store.unit_of_work(consent.collected_by) as uow:
        uow.put(consent, patient_id=consent.patient_id)
    with pytest.raises(StoreError, match="joignez-le de nouveau"):
        practice.scans.read_consent_scan(escap.id)
    practice.scans.attach_consent_scan(escap.id, _file(tmp_path, "nouveau.png", PNG))
    assert outside.exists()  # the old path was not ours to delete


def test_without_a_consent_there_is_nothing_to_attach_to(
    practice: Practice, tmp_path: Path
) -> None:
    birth = date(1941, 6, 2)
    patient = practice.patients.create(
        Patient("Nouvel", "Arthur", birth, Sex.MALE, "69123", ins=make_nir(Sex.MALE, birth))
    )
    draft = practice.escaps.start(patient.id)
    with pytest.raises(NotFoundError, match="Aucun consentement"):
        practice.scans.attach_consent_scan(draft.id, _file(tmp_path, "a.pdf", PDF))
    assert _scans(practice) == []
    with pytest.raises(NotFoundError, match="Aucun consentement"):
        practice.scans.read_consent_scan(draft.id)
