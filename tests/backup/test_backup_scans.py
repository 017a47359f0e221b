"""The signed consent scans travel in a backup and open again after a restore, on this computer
or a new one, whatever protects either store; a backup whose scans do not check out is refused
before anything is replaced; scans written by the first versions (key derived from the store
key) stay readable and travel too.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import text

from escap_desktop.cli.main import main
from escap_desktop.core.entities import Consent, Escap
from escap_desktop.core.errors import StoreError
from escap_desktop.services.backup import (
    LocalProtection,
    create_backup,
    describe_backup,
    restore,
)
from escap_desktop.services.practice import Practice
from tests.backup.conftest import (
    BACKUP_PASSPHRASE,
    LOCAL_PASSPHRASE,
    cheap_kdf,
    fill_with_demo,
    folder_bytes,
)
from tests.support.first_version_scans import plant_first_version_scan
from tests.support.steps import run

Opener = Callable[..., Practice]

DAMAGED_SCANS = (
    "La sauvegarde est endommagée : un scan de formulaire de consentement qu'elle contient ne "
    "correspond plus à celui qui a été joint. Elle ne peut pas être restaurée ; le coffre et les "
    "scans actuels sont inchangés."
)


def signed_form_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Formulaire de consentement signé MARQUEUR-CLAIR-7731")
    page.save()
    return buffer.getvalue()


def photo_png(width: int = 40, height: int = 30) -> bytes:
    """A real (grey gradient) PNG, as a phone photo of the form would be, only smaller."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((x * 6 + y) % 256 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def escaps_with_consent(practice: Practice) -> list[Escap]:
    with practice.store.unit_of_work(None) as uow:
        return [e for e in uow.find(Escap) if uow.find(Consent, escap_id=e.id)]


def attach(practice: Practice, escap: Escap, folder: Path, name: str, content: bytes) -> None:
    path = folder / name
    path.write_bytes(content)
    practice.scans.attach_consent_scan(escap.id, path)


def make_backup(practice: Practice, target: Path) -> Any:
    return run(create_backup(practice.store, target, BACKUP_PASSPHRASE, kdf=cheap_kdf()))


@pytest.fixture
def pdf() -> bytes:
    return signed_form_pdf()


@pytest.fixture
def png() -> bytes:
    return photo_png()


@pytest.fixture
def source(tmp_path: Path, open_folder: Opener, pdf: bytes, png: bytes) -> Practice:
    """Keyring mode, a small demo practice, two consents with their scan."""
    practice = open_folder(tmp_path / "poste-a")
    fill_with_demo(practice, patients=12)
    first, second = escaps_with_consent(practice)[:2]
    attach(practice, first, tmp_path, "formulaire.pdf", pdf)
    attach(practice, second, tmp_path, "photo.png", png)
    return practice


def _scan_contents(practice: Practice) -> dict[str, bytes]:
    found = {}
    for escap in escaps_with_consent(practice):
        consent = practice.escaps.overview(escap.id).consent
        if consent is not None and consent.scan_path:
            found[escap.id] = bytes(practice.scans.read_consent_scan(escap.id))
    return found


@pytest.mark.parametrize("source_mode", ["trousseau", "phrase"])
def test_scans_open_after_a_restore_on_another_computer_with_a_new_key(
    tmp_path: Path, open_folder: Opener, pdf: bytes, png: bytes, source_mode: str
) -> None:
    source_passphrase = LOCAL_PASSPHRASE if source_mode == "phrase" else None
    practice = open_folder(tmp_path / "poste-a", source_passphrase)
    fill_with_demo(practice, patients=12)
    first, second = escaps_with_consent(practice)[:2]
    attach(practice, first, tmp_path, "formulaire.pdf", pdf)
    attach(practice, second, tmp_path, "photo.png", png)
    backup = tmp_path / "cabinet.escap-sauvegarde"

    written = make_backup(practice, backup)

    assert (written.scans, written.scans_left_out) == (2, 0)
    assert describe_backup(backup).scans == 2
    content = backup.read_bytes()
    assert b"MARQUEUR-CLAIR" not in content
    assert pdf[:200] not in content
    assert png[20:80] not in content
    # The other computer gets the other protection: the restored store has a brand new key.
    protection = LocalProtection() if source_passphrase else LocalProtection(LOCAL_PASSPHRASE)
    other = tmp_path / "poste-b"
    result = run(restore(backup, BACKUP_PASSPHRASE, other, protection))

    assert result.scans == 2
    assert result.previous_scans is None
    restored = open_folder(other, protection.passphrase)
    first_scan = restored.scans.read_consent_scan(first.id)
    assert bytes(first_scan) == pdf
    assert first_scan.media_type == "application/pdf"
    second_scan = restored.scans.read_consent_scan(second.id)
    assert bytes(second_scan) == png
    assert second_scan.media_type == "image/png"
    assert sorted(p.name for p in (other / "scans").iterdir()) == sorted(
        p.name for p in (tmp_path / "poste-a" / "scans").iterdir()
    )
    assert not [p for p in other.iterdir() if "restauration-" in p.name]


def test_restoring_on_the_same_computer_keeps_the_replaced_scans_aside(
    source: Practice, tmp_path: Path, open_folder: Opener, pdf: bytes
) -> None:
    data_dir = tmp_path / "poste-a"
    backup = tmp_path / "cabinet.escap-sauvegarde"
    make_backup(source, backup)
    first = escaps_with_consent(source)[0]
    attach(source, first, tmp_path, "rescan.png", photo_png(12, 9))  # after the backup
    later_files = sorted(p.name for p in (data_dir / "scans").iterdir())
    source.close()

    result = run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert result.previous_scans == data_dir / (result.previous.name.removesuffix(".db") + ".scans")
    assert sorted(p.name for p in result.previous_scans.iterdir()) == later_files
    restored = open_folder(data_dir)
    assert bytes(restored.scans.read_consent_scan(first.id)) == pdf


def test_scans_attached_before_the_upgrade_stay_readable_and_travel(
    tmp_path: Path, open_folder: Opener, pdf: bytes
) -> None:
    """A store of the first versions: its scans are sealed under a key derived from the store
    key (keyed BLAKE2b, below as those versions wrote it) and it keeps no scan key."""
    data_dir = tmp_path / "poste-a"
    practice = open_folder(data_dir, LOCAL_PASSPHRASE)
    fill_with_demo(practice, patients=8)
    escap = escaps_with_consent(practice)[0]
    with practice.store.unit_of_work(None) as uow:
        assert uow.session.execute(text("SELECT count(*) FROM local_secret")).scalar() == 0
    old_file = plant_first_version_scan(practice, escap.id, pdf)
    sealed = old_file.read_bytes()
    practice.close()

    upgraded = open_folder(data_dir, LOCAL_PASSPHRASE)
    assert bytes(upgraded.scans.read_consent_scan(escap.id)) == pdf
    assert old_file.read_bytes() == sealed  # kept as it was, not rewritten
    backup = tmp_path / "ancien.escap-sauvegarde"
    assert make_backup(upgraded, backup).scans == 1
    other = tmp_path / "poste-b"
    run(restore(backup, BACKUP_PASSPHRASE, other, LocalProtection()))

    assert bytes(open_folder(other).scans.read_consent_scan(escap.id)) == pdf


def test_a_scan_already_lost_here_is_left_out_and_the_backup_still_restores(
    source: Practice, tmp_path: Path, open_folder: Opener, pdf: bytes, png: bytes
) -> None:
    first, second = escaps_with_consent(source)[:2]
    consent = source.escaps.overview(second.id).consent
    assert consent is not None
    (tmp_path / "poste-a" / consent.scan_path).unlink()
    backup = tmp_path / "cabinet.escap-sauvegarde"

    written = make_backup(source, backup)

    assert (written.scans, written.scans_left_out) == (1, 1)
    run(restore(backup, BACKUP_PASSPHRASE, tmp_path / "poste-b", LocalProtection()))
    restored = open_folder(tmp_path / "poste-b")
    assert bytes(restored.scans.read_consent_scan(first.id)) == pdf
    with pytest.raises(StoreError, match="introuvable"):
        restored.scans.read_consent_scan(second.id)


# -- damaged backups ----------------------------------------------------------------------------


def _sections(data: bytes) -> tuple[int, dict[str, Any], int]:
    """(header length, header, offset of the first scan) of a backup file."""
    _magic, _version, header_len = struct.unpack(">8sHI", data[:14])
    header = json.loads(data[14 : 14 + header_len])
    return header_len, header, 14 + header_len + header["db_size"]


def _rewrite(path: Path, change: Callable[[dict[str, Any], bytearray], None]) -> None:
    """Changes the scan section and the header, then re-computes every checksum, as a forger
    (or a bug) would: only the check of each scan against its consent can catch it."""
    data = path.read_bytes()
    header_len, header, first_scan = _sections(data)
    scans = bytearray(data[first_scan:-32])
    change(header, scans)
    offset = 0
    for entry in header["scans"]:
        entry["sha256"] = hashlib.sha256(scans[offset : offset + entry["size"]]).hexdigest()
        offset += entry["size"]
    encoded = json.dumps(header, sort_keys=True).encode()
    body = (
        struct.pack(">8sHI", b"ESCAPSAV", header["format"], len(encoded))
        + encoded
        + data[14 + header_len : first_scan]
        + bytes(scans)
    )
    path.write_bytes(body + hashlib.sha256(body).digest())


def _flip_in_first_scan(header: dict[str, Any], scans: bytearray) -> None:
    scans[header["scans"][0]["size"] // 2] ^= 0x01


def _swap_the_scans(header: dict[str, Any], scans: bytearray) -> None:
    """Two genuine scans of the same store, each under the other's name."""
    first, second = header["scans"]
    first["name"], second["name"] = second["name"], first["name"]


def _flip_without_fixing(path: Path) -> None:
    data = bytearray(path.read_bytes())
    _header_len, _header, first_scan = _sections(bytes(data))
    data[first_scan + 100] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip_without_fixing, "La sauvegarde est endommagée (son contenu ne correspond plus"),
        (lambda path: _rewrite(path, _flip_in_first_scan), DAMAGED_SCANS),
        (lambda path: _rewrite(path, _swap_the_scans), DAMAGED_SCANS),
    ],
    ids=["octet-change", "scan-altere-sommes-refaites", "scans-intervertis"],
)
def test_a_damaged_scan_fails_the_restore_and_leaves_store_and_scans_unchanged(
    source: Practice,
    tmp_path: Path,
    open_folder: Opener,
    damage: Callable[[Path], None],
    message: str,
    pdf: bytes,
) -> None:
    backup = tmp_path / "cabinet.escap-sauvegarde"
    make_backup(source, backup)
    first = escaps_with_consent(source)[0]
    source.close()
    data_dir = tmp_path / "poste-a"
    before = folder_bytes(data_dir)
    assert any(name.startswith("scans/") for name in before)
    damage(backup)

    with pytest.raises(StoreError) as raised:
        run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert str(raised.value).startswith(message)
    assert folder_bytes(data_dir) == before
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        {name.split("/")[0] for name in before}
    )
    assert bytes(open_folder(data_dir).scans.read_consent_scan(first.id)) == pdf


def test_a_scan_name_pointing_outside_the_scans_folder_is_refused(
    source: Practice, tmp_path: Path
) -> None:
    backup = tmp_path / "cabinet.escap-sauvegarde"
    make_backup(source, backup)

    def escape(header: dict[str, Any], _scans: bytearray) -> None:
        header["scans"][0]["name"] = "../" + "ab" * 16 + ".scan"

    _rewrite(backup, escape)
    with pytest.raises(StoreError, match="La sauvegarde est endommagée"):
        describe_backup(backup)
    with pytest.raises(StoreError, match="La sauvegarde est endommagée"):
        run(restore(backup, BACKUP_PASSPHRASE, tmp_path / "poste-b", LocalProtection()))
    assert not (tmp_path / ("ab" * 16 + ".scan")).exists()


# -- older backups ------------------------------------------------------------------------------


def _as_format_1(path: Path) -> None:
    """The same store as the first versions wrote it: format 1, no scan list, no scans."""
    data = path.read_bytes()
    header_len, header, first_scan = _sections(data)
    database = data[14 + header_len : first_scan]
    header["format"] = 1
    del header["scans"]
    encoded = json.dumps(header, sort_keys=True).encode()
    body = struct.pack(">8sHI", b"ESCAPSAV", 1, len(encoded)) + encoded + database
    path.write_bytes(body + hashlib.sha256(body).digest())


def test_a_backup_of_the_first_format_still_restores(
    source: Practice, tmp_path: Path, open_folder: Opener
) -> None:
    backup = tmp_path / "ancien.escap-sauvegarde"
    make_backup(source, backup)
    names = sorted(s.display_name for s in source.patients.summaries())
    _as_format_1(backup)
    source.close()
    data_dir = tmp_path / "poste-a"
    scans_before = folder_bytes(data_dir / "scans")

    assert describe_backup(backup).scans == 0
    result = run(restore(backup, BACKUP_PASSPHRASE, data_dir, LocalProtection()))

    assert result.scans == 0
    assert sorted(s.display_name for s in open_folder(data_dir).patients.summaries()) == names
    # The scans belong with the store they open with: aside with it, unchanged.
    assert result.previous_scans is not None
    assert folder_bytes(result.previous_scans) == scans_before
    assert not (data_dir / "scans").exists()


# -- the command line ---------------------------------------------------------------------------


def test_escap_backup_and_restore_carry_the_scans(
    source: Practice,
    tmp_path: Path,
    open_folder: Opener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pdf: bytes,
    png: bytes,
) -> None:
    first, second = escaps_with_consent(source)[:2]
    source.close()
    monkeypatch.setenv("ESCAP_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE)
    monkeypatch.setenv("ESCAP_PASSPHRASE", LOCAL_PASSPHRASE)
    target = tmp_path / "cabinet.escap-sauvegarde"

    assert main(["--data-dir", str(tmp_path / "poste-a"), "backup", "--out", str(target)]) == 0
    assert "Scans de formulaires de consentement inclus : 2." in capsys.readouterr().out
    other = tmp_path / "poste-b"
    restore_args = ["restore", "--in", str(target), "--protection", "phrase", "--oui"]
    code = main(["--data-dir", str(other), *restore_args])

    assert code == 0
    out = capsys.readouterr().out
    assert "Scans de formulaires de consentement restaurés : 2." in out
    restored = open_folder(other, LOCAL_PASSPHRASE)
    assert bytes(restored.scans.read_consent_scan(first.id)) == pdf
    assert bytes(restored.scans.read_consent_scan(second.id)) == png
