"""A keyring that keeps keys in a readable file is no keyring: refused, and left if used before.

keyrings.alt's PlaintextKeyring is a real backend: it writes each secret into a config file that
anyone who can read the file can use. These tests point it at a file of the test's folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.errors import KeyringUnavailableError, StoreError, WrongPassphraseError
from escap_desktop.services.practice import (
    InsecureKeyringError,
    build_practice,
    keyring_verdict,
    open_practice,
)
from escap_desktop.services.sync import SyncService
from escap_desktop.store import Store, open_store
from escap_desktop.store.keys import KeyMode, read_keyinfo
from escap_desktop.store.opening import store_path
from tests.support.plaintext_keyring import as_an_earlier_version, plaintext_keyring
from tests.sync.conftest import RELAY_URL, Relay
from tests.sync.team import PEOPLE, no_sleep, professional

PASSPHRASE = "cabinet de la croix-rousse 2026"


@pytest.fixture
def plaintext(tmp_path: Path) -> PlaintextKeyring:
    return plaintext_keyring(tmp_path)


def test_a_plaintext_keyring_is_refused_and_keeps_nothing(
    tmp_path: Path, plaintext: PlaintextKeyring, clock: FrozenClock
) -> None:
    with pytest.raises(KeyringUnavailableError) as refused:
        open_store(tmp_path / "cabinet", clock=clock)
    assert "PlaintextKeyring" in refused.value.message
    assert "ne chiffre pas les secrets" in refused.value.message
    assert (
        not Path(plaintext.file_path).exists()
        or "coffre" not in Path(plaintext.file_path).read_text()
    )
    assert keyring_verdict().startswith("refusé. Le trousseau disponible sur cet ordinateur (")
    # The passphrase it asks for instead works.
    open_store(tmp_path / "cabinet", PASSPHRASE, clock=clock).close()


def _earlier_version_store(
    folder: Path, relay: Relay, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> str:
    """What an earlier version did with that keyring: the store key and the device keys in it.
    Returns the device's fingerprint."""
    with as_an_earlier_version(monkeypatch):
        store = open_store(folder, clock=clock)
        practice = build_practice(store, folder)
        me = practice.profile.save(professional(*PEOPLE["nurse"]))
        sync = SyncService(
            store, lambda: me.id, escaps=practice.escaps, transport=relay.transport, sleep=no_sleep
        )
        fingerprint = sync.set_up(RELAY_URL)
        practice.close()
    return fingerprint


def test_keys_left_in_a_plaintext_keyring_are_moved_out_under_a_passphrase(
    tmp_path: Path,
    plaintext: PlaintextKeyring,
    sqlite_relay: Relay,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "cabinet"
    fingerprint = _earlier_version_store(folder, sqlite_relay, clock, monkeypatch)
    keyring_file = Path(plaintext.file_path)
    before = keyring_file.read_text()
    assert "coffre_2d" in before  # the store key entry (the file escapes "-")
    assert "device_2dkeys" in before
    info = read_keyinfo(store_path(folder))
    assert info is not None
    assert info.mode is KeyMode.KEYRING
    leaked = bytes.fromhex(plaintext.get_password("escap-desktop", f"coffre-{info.store_id}"))
    Store.open(store_path(folder), leaked, clock).close()  # the file alone opens the store

    with pytest.raises(InsecureKeyringError) as asked:
        open_practice(folder, clock=clock)
    assert "« PlaintextKeyring »" in asked.value.message
    assert "Choisissez une phrase de passe" in asked.value.message

    practice = open_practice(folder, PASSPHRASE, clock=clock)
    try:
        assert practice.protection.uses_passphrase()
        me = practice.profile.current()
        assert me is not None
        assert me[1].last_name == PEOPLE["nurse"][0]
        sync = SyncService(
            practice.store,
            lambda: me[1].id,
            escaps=practice.escaps,
            transport=sqlite_relay.transport,
            sleep=no_sleep,
        )
        assert sync.fingerprint() == fingerprint
        sync.unlock(PASSPHRASE)  # the device keys now live in the passphrase file
    finally:
        practice.close()

    after = keyring_file.read_text()
    assert "coffre_2d" not in after
    assert "device_2dkeys" not in after
    assert plaintext.get_password("escap-desktop", f"coffre-{info.store_id}") is None
    with pytest.raises((WrongPassphraseError, StoreError)):
        Store.open(store_path(folder), leaked, clock)  # the leaked key opens nothing now
    # Reopening asks for the passphrase, as any passphrase store.
    open_practice(folder, PASSPHRASE, clock=clock).close()
