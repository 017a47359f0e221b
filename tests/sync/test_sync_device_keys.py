"""Without a keyring, the device keys live in a passphrase file beside the store."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.services.practice import build_practice
from escap_desktop.services.sync import SyncService
from escap_desktop.store import open_store
from escap_desktop.sync.device import DevicePassphraseRequiredError, key_file_path
from tests.sync.conftest import RELAY_URL, Relay
from tests.sync.team import PEOPLE, no_sleep, professional, run

PASSPHRASE = "cabinet de la croix-rousse 2026"


def test_device_keys_fall_back_to_the_store_passphrase(
    tmp_path: Path, sqlite_relay: Relay, clock: FrozenClock
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    # A practice without keyring: passphrase mode.
    store = open_store(tmp_path, PASSPHRASE, clock=clock)
    practice = build_practice(store, tmp_path)
    me = practice.profile.save(professional(*PEOPLE["nurse"]))

    def service() -> SyncService:
        return SyncService(
            store,
            lambda: me.id,
            escaps=practice.escaps,
            transport=sqlite_relay.transport,
            sleep=no_sleep,
        )

    try:
        sync = service()
        with pytest.raises(DevicePassphraseRequiredError, match="phrase de passe"):
            sync.set_up(RELAY_URL)
        fingerprint = sync.set_up(RELAY_URL, passphrase=PASSPHRASE)
        assert len(fingerprint) == 39
        key_file = key_file_path(store.path)
        assert key_file.parent == store.path.parent
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert fingerprint.replace(" ", "") not in key_file.read_text()

        # After a restart the keys need the passphrase again; nothing is kept in clear.
        restarted = service()
        assert restarted.fingerprint() == fingerprint  # the public half is in the store
        with pytest.raises(DevicePassphraseRequiredError):
            run(restarted.sync_once())
        restarted.unlock(PASSPHRASE)
        run(restarted.sync_once())
        assert restarted.status().online
    finally:
        practice.close()
