"""The commands that replace or delete the store refuse while ESCAP Desktop has it open.

A restore, "oublier ce poste" or a change of protection run from a terminal while the window is
open would pull the store from under a process still writing to it. Another process holding the
data folder's lock stands in for the open window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.services.forget import CONFIRMATION
from escap_desktop.services.practice import Practice
from tests.backup.conftest import BACKUP_PASSPHRASE, LOCAL_PASSPHRASE, fill_with_demo, folder_bytes
from tests.support.instance_holder import holding

Opener = Callable[..., Practice]
OPEN_ELSEWHERE = "escap : ESCAP Desktop est déjà ouvert sur ce poste avec ce dossier de données"


@pytest.fixture
def office(tmp_path: Path, open_folder: Opener, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESCAP_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE)
    monkeypatch.setenv("ESCAP_PASSPHRASE", LOCAL_PASSPHRASE)
    practice = open_folder(tmp_path / "cabinet", LOCAL_PASSPHRASE)
    fill_with_demo(practice, patients=3)
    practice.close()
    return tmp_path / "cabinet"


@pytest.fixture
def window_open(office: Path) -> Iterator[None]:
    with holding(office):
        yield


def _refused(capsys: pytest.CaptureFixture[str], purpose: str) -> None:
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith(OPEN_ELSEWHERE)
    assert last.endswith(f"fermez-la avant de {purpose}.")


def test_restore_is_refused_while_the_window_is_open(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "cabinet.escap-sauvegarde"
    assert main(["--data-dir", str(office), "backup", "--out", str(backup)]) == 0
    with holding(office):
        before = folder_bytes(office)
        code = main(["--data-dir", str(office), "restore", "--in", str(backup), "--oui"])
    assert code == 1
    _refused(capsys, "restaurer une sauvegarde")
    assert folder_bytes(office) == before


def test_forget_is_refused_while_the_window_is_open(
    office: Path, window_open: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = folder_bytes(office)
    assert main(["--data-dir", str(office), "forget", "--confirm", CONFIRMATION]) == 1
    _refused(capsys, "oublier ce poste")
    assert folder_bytes(office) == before


def test_a_change_of_protection_is_refused_while_the_window_is_open(
    office: Path,
    window_open: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESCAP_NEW_PASSPHRASE", "une toute nouvelle phrase de passe")
    before = folder_bytes(office)
    assert main(["--data-dir", str(office), "protection", "passphrase"]) == 1
    _refused(capsys, "changer la protection du coffre")
    assert folder_bytes(office) == before
