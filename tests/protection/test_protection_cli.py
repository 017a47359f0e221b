"""``escap protection passphrase|keyring|rekey`` through the real entry point."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.errors import PassphraseRequiredError, WrongPassphraseError
from escap_desktop.services.store_protection import (
    CONFIRMATION_DIFFERS_MESSAGE,
    NO_KEYRING_MESSAGE,
)
from escap_desktop.store import KeyMode, open_store, store_key_mode, store_path
from escap_desktop.store.keys import load_key_from_keyring, read_keyinfo
from tests.hardening.conftest import folder_bytes
from tests.protection.conftest import NEW_PASSPHRASE, OLD_PASSPHRASE, Opener, patient_names
from tests.protection.test_store_protection import opens_with_raw_key

WRONG_KEY = "Phrase de passe incorrecte : le coffre de données ne peut pas être ouvert."


@pytest.fixture(autouse=True)
def no_passphrase_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)
    monkeypatch.delenv("ESCAP_NEW_PASSPHRASE", raising=False)


@pytest.fixture
def office(tmp_path: Path, open_folder: Opener) -> Path:
    """A closed data folder in passphrase mode with 4 demo patients."""
    open_folder(tmp_path / "donnees", OLD_PASSPHRASE).close()
    return tmp_path / "donnees"


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the professional types at each getpass prompt, in order, on a terminal."""
    answers: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    yield answers
    assert answers == []  # every answer was asked for


def _run(folder: Path, *action: str) -> int:
    return main(["--data-dir", str(folder), "protection", *action])


def test_a_new_passphrase_from_a_script(
    office: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    open_folder: Opener,
) -> None:
    monkeypatch.setenv("ESCAP_PASSPHRASE", OLD_PASSPHRASE)
    monkeypatch.setenv("ESCAP_NEW_PASSPHRASE", NEW_PASSPHRASE)

    assert _run(office, "passphrase") == 0

    assert "protégé par une phrase de passe" in capsys.readouterr().out
    with pytest.raises(WrongPassphraseError):
        open_store(office, OLD_PASSPHRASE)
    assert len(patient_names(open_folder(office, NEW_PASSPHRASE))) == 4


def test_the_passphrases_typed_on_the_terminal(
    office: Path, typed: list[str], open_folder: Opener
) -> None:
    typed += [OLD_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE]

    assert _run(office, "passphrase") == 0

    assert len(patient_names(open_folder(office, NEW_PASSPHRASE))) == 4


def test_a_new_passphrase_typed_differently_twice_is_one_french_line(
    office: Path, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = folder_bytes(office)
    typed += [OLD_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE + " bis"]

    assert _run(office, "passphrase") == 1

    assert capsys.readouterr().err == f"escap : {CONFIRMATION_DIFFERS_MESSAGE}\n"
    assert folder_bytes(office) == before


def test_a_wrong_current_passphrase_leaves_the_files_untouched(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = folder_bytes(office)
    monkeypatch.setenv("ESCAP_PASSPHRASE", "pas la bonne phrase")
    monkeypatch.setenv("ESCAP_NEW_PASSPHRASE", NEW_PASSPHRASE)

    assert _run(office, "passphrase") == 1

    assert capsys.readouterr().err == f"escap : {WRONG_KEY}\n"
    assert folder_bytes(office) == before


def test_passphrase_to_keyring_and_back(
    office: Path, typed: list[str], capsys: pytest.CaptureFixture[str], open_folder: Opener
) -> None:
    typed.append(OLD_PASSPHRASE)
    assert _run(office, "keyring") == 0
    assert "trousseau du système" in capsys.readouterr().out
    assert store_key_mode(office) is KeyMode.KEYRING
    assert len(patient_names(open_folder(office))) == 4  # no passphrase asked any more
    open_folder(office).close()

    typed += [NEW_PASSPHRASE, NEW_PASSPHRASE]  # no current passphrase: the keyring opens it
    assert _run(office, "passphrase") == 0
    with pytest.raises(PassphraseRequiredError):
        open_store(office)
    assert len(patient_names(open_folder(office, NEW_PASSPHRASE))) == 4


def test_keyring_refused_without_a_keyring(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = folder_bytes(office)
    monkeypatch.setenv("ESCAP_PASSPHRASE", OLD_PASSPHRASE)
    keyring.set_keyring(keyring.backends.fail.Keyring())

    assert _run(office, "keyring") == 1

    assert capsys.readouterr().err == f"escap : {NO_KEYRING_MESSAGE}\n"
    assert folder_bytes(office) == before


def test_rekey_retires_the_old_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], open_folder: Opener
) -> None:
    folder = tmp_path / "donnees"
    open_folder(folder).close()
    info = read_keyinfo(store_path(folder))
    assert info is not None
    old_key = load_key_from_keyring(info.store_id)
    assert old_key is not None

    assert _run(folder, "rekey") == 0

    assert "rechiffré sous une nouvelle clé" in capsys.readouterr().out
    assert not opens_with_raw_key(store_path(folder), old_key)
    assert len(patient_names(open_folder(folder))) == 4


def test_no_store_is_one_french_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path / "vide", "rekey") == 1
    err = capsys.readouterr().err
    assert err.startswith("escap : Aucun coffre de données dans ")
    assert err.count("\n") == 1
