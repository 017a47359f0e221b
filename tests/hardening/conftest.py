"""Small real practices on real SQLCipher files, and what the fault tests check on them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import keyring.errors
from keyring.backend import KeyringBackend

from escap_desktop.core.entities import Escap, EscapState
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import Store, open_store
from escap_desktop.store.engine import connect_keyed
from escap_desktop.store.trusted_keyring import trust_backend

PASSPHRASE = "phrase de passe du cabinet"


class LockedKeyring(KeyringBackend):
    """A keyring that exists but refuses every access, as a locked one does."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("verrouillé")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("verrouillé")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("verrouillé")


trust_backend(LockedKeyring)  # an OS keyring that is locked, as a double


def fill_with_demo(practice: Practice, patients: int = 4, seed: int = 5) -> None:
    grid = practice.escaps.current_grid()
    for _ in generate_demo(
        practice.store, grid, practice.billing.config, patients=patients, seed=seed
    ):
        pass


def demo_practice(data_dir: Path, passphrase: str | None = None, patients: int = 4) -> Practice:
    """A demo practice in a data folder, as the app makes it (keyring, or passphrase mode)."""
    practice = build_practice(open_store(data_dir, passphrase), data_dir)
    fill_with_demo(practice, patients)
    return practice


def team_escap(store: Store) -> Escap:
    """An ESCAP whose team is forming or active, so messages can be posted in it."""
    with store.unit_of_work(None) as uow:
        escaps = uow.find(Escap)
    for escap in escaps:
        if escap.state in (EscapState.FORMING, EscapState.ACTIVE):
            return escap
    raise AssertionError("the demo has no ESCAP with a team")


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, to prove an operation changed (or created) nothing."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def integrity(path: Path, key: bytes) -> str:
    """``PRAGMA integrity_check`` through a keyed SQLCipher connection: "ok" when sound."""
    connection = connect_keyed(path, key)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "\n".join(str(row[0]) for row in rows)


def present_ids(path: Path, key: bytes, table: str, ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    connection = connect_keyed(path, key)
    try:
        rows = connection.execute(f"SELECT id FROM {table}").fetchall()
    finally:
        connection.close()
    return wanted & {str(row[0]) for row in rows}
