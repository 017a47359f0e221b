"""``escap backup`` and ``escap restore`` as a script runs them (passphrases from the env)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.services.practice import Practice
from tests.backup.conftest import BACKUP_PASSPHRASE, LOCAL_PASSPHRASE, fill_with_demo, folder_bytes

Opener = Callable[..., Practice]


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("ESCAP_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE)
    monkeypatch.setenv("ESCAP_PASSPHRASE", LOCAL_PASSPHRASE)
    return monkeypatch


@pytest.fixture
def office(tmp_path: Path, open_folder: Opener) -> Path:
    """A data folder in passphrase mode (no keyring: what a script on a server would have)."""
    practice = open_folder(tmp_path / "cabinet", LOCAL_PASSPHRASE)
    fill_with_demo(practice, patients=5)
    practice.close()
    return tmp_path / "cabinet"


def test_backup_then_restore_on_another_computer(
    office: Path,
    tmp_path: Path,
    scripted: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    open_folder: Opener,
) -> None:
    target = tmp_path / "cabinet.escap-sauvegarde"

    assert main(["--data-dir", str(office), "backup", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Sauvegarde écrite : {target}" in out
    assert "Gardez la phrase de passe à part" in out

    other = tmp_path / "nouveau-poste"
    code = main(
        [
            "--data-dir",
            str(other),
            "restore",
            "--in",
            str(target),
            "--protection",
            "phrase",
            "--oui",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Sauvegarde du " in out
    assert f"Coffre restauré dans {other}." in out
    assert "mis de côté" not in out
    assert len(open_folder(other, LOCAL_PASSPHRASE).patients.summaries()) == 5


def test_restore_with_a_wrong_passphrase_is_one_french_line_and_exit_1(
    office: Path,
    tmp_path: Path,
    scripted: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "cabinet.escap-sauvegarde"
    assert main(["--data-dir", str(office), "backup", "--out", str(target)]) == 0
    before = folder_bytes(office)
    scripted.setenv("ESCAP_BACKUP_PASSPHRASE", "une autre phrase de passe")
    capsys.readouterr()

    code = main(["--data-dir", str(office), "restore", "--in", str(target), "--oui"])

    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "escap : Phrase de passe incorrecte : ce n'est pas celle qui a servi à créer cette "
        "sauvegarde."
    )
    assert folder_bytes(office) == before


def test_restore_in_a_script_needs_an_explicit_yes(
    office: Path,
    tmp_path: Path,
    scripted: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "cabinet.escap-sauvegarde"
    assert main(["--data-dir", str(office), "backup", "--out", str(target)]) == 0
    before = folder_bytes(office)
    capsys.readouterr()

    code = main(["--data-dir", str(office), "restore", "--in", str(target)])

    assert code == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("escap : Confirmation impossible hors d'un terminal : ajoutez --oui.")
    )
    assert folder_bytes(office) == before


def test_backup_refuses_a_short_backup_passphrase(
    office: Path, tmp_path: Path, scripted: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted.setenv("ESCAP_BACKUP_PASSPHRASE", "court")
    code = main(["--data-dir", str(office), "backup", "--out", str(tmp_path / "x")])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "escap : Protection de la sauvegarde : trop courte : encore 7 caractère(s) au moins."
    )
    assert not (tmp_path / "x").exists()
