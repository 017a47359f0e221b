"""A store that cannot be opened is explained in French, through the command line and the
practice the GUI opens, and nothing of it is overwritten.

tests/store covers these faults at the store level (``open_store``/``Store.open``) and
tests/backup the newer store through ``escap backup``; here each fault goes through
``escap patients`` (exit 1, one line) and ``open_practice`` (typed error), and the data folder
must be byte for byte what it was, with no file added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.errors import StoreError, WrongPassphraseError
from escap_desktop.services.practice import open_practice
from escap_desktop.store import KeyringLockedError, store_path
from escap_desktop.store.engine import DAMAGED_MESSAGE, WRONG_KEY_MESSAGE
from escap_desktop.store.keys import KEYRING_LOCKED_MESSAGE
from escap_desktop.store.local_store import NEWER_VERSION_MESSAGE
from escap_desktop.store.opening import KEYRING_GONE_MESSAGE
from tests.hardening.conftest import PASSPHRASE, LockedKeyring, demo_practice, folder_bytes


def _overwrite_middle(data_dir: Path) -> None:
    path = store_path(data_dir)
    content = bytearray(path.read_bytes())
    quarter = len(content) // 4
    content[quarter : 3 * quarter] = b"\xa5" * (2 * quarter)
    path.write_bytes(bytes(content))


def _truncate_to_half(data_dir: Path) -> None:
    path = store_path(data_dir)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _truncate_mid_page(data_dir: Path) -> None:
    path = store_path(data_dir)
    path.write_bytes(path.read_bytes()[:-1000])


def _make_newer(data_dir: Path) -> None:
    practice = open_practice(data_dir)
    with practice.store.unit_of_work(None) as uow:
        uow.session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    practice.close()


def _refusing_keyring(data_dir: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())


def _locked_keyring(data_dir: Path) -> None:
    keyring.set_keyring(LockedKeyring())


def _open_and_list(data_dir: Path, passphrase: str | None) -> None:
    """What the GUI does first; some damage only shows when the pages are read."""
    practice = open_practice(data_dir, passphrase)
    try:
        practice.patients.summaries()
    finally:
        practice.close()


@dataclass(frozen=True)
class Fault:
    damage: Callable[[Path], None]
    message: str
    error: type[StoreError]
    passphrase: str | None = None  # the store's own, in passphrase mode
    typed: str | None = None  # what the professional types (ESCAP_PASSPHRASE)


FAULTS = {
    "milieu-écrasé": Fault(_overwrite_middle, DAMAGED_MESSAGE, StoreError),
    "tronqué-de-moitié": Fault(_truncate_to_half, DAMAGED_MESSAGE, StoreError),
    "version-plus-récente": Fault(_make_newer, NEWER_VERSION_MESSAGE, StoreError),
    "mauvaise-phrase": Fault(
        lambda _: None,
        WRONG_KEY_MESSAGE,
        WrongPassphraseError,
        passphrase=PASSPHRASE,
        typed="phrase de passe du cabinet ?",
    ),
    "trousseau-absent": Fault(_refusing_keyring, KEYRING_GONE_MESSAGE, StoreError),
    "trousseau-verrouillé": Fault(_locked_keyring, KEYRING_LOCKED_MESSAGE, KeyringLockedError),
}


@pytest.mark.parametrize("name", FAULTS)
def test_each_fault_is_one_french_line_and_a_typed_error_and_nothing_changes(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fault = FAULTS[name]
    data_dir = tmp_path / "donnees"
    demo_practice(data_dir, fault.passphrase).close()
    fault.damage(data_dir)
    before = folder_bytes(data_dir)
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)
    if fault.typed is not None:
        monkeypatch.setenv("ESCAP_PASSPHRASE", fault.typed)

    code = main(["--data-dir", str(data_dir), "patients"])

    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert captured.err.startswith("escap : ")
    assert captured.err.count("\n") == 1
    assert fault.message in captured.err
    assert folder_bytes(data_dir) == before

    with pytest.raises(fault.error) as raised:
        _open_and_list(data_dir, fault.typed)
    assert str(raised.value) == fault.message
    assert folder_bytes(data_dir) == before


def test_a_store_cut_inside_its_last_page_is_refused_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "donnees"
    demo_practice(data_dir).close()
    _truncate_mid_page(data_dir)
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)

    assert main(["--data-dir", str(data_dir), "patients"]) == 1

    assert DAMAGED_MESSAGE in capsys.readouterr().err


def test_a_locked_keyring_is_not_answered_with_a_passphrase_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "donnees"
    demo_practice(data_dir).close()
    keyring.set_keyring(LockedKeyring())
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)

    assert main(["--data-dir", str(data_dir), "patients"]) == 1

    assert "ESCAP_PASSPHRASE" not in capsys.readouterr().err
