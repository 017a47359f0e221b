"""Real practices in real data folders (one per "computer"), filled by the demo generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import nacl.pwhash
import pytest

from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import Practice, open_practice
from escap_desktop.store.keys import KdfParams, new_salt

BACKUP_PASSPHRASE = "sauvegarde du cabinet 2026"
LOCAL_PASSPHRASE = "phrase du poste infirmier"


def cheap_kdf() -> KdfParams:
    """Argon2id at its minimum limits: the same code path, without 0.4 s per derivation."""
    return KdfParams(
        salt=new_salt(),
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN,
    )


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a data folder, scans included, to prove a refused restore changed nothing."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fill_with_demo(practice: Practice, patients: int, seed: int = 3) -> None:
    for _ in generate_demo(
        practice.store,
        practice.escaps.current_grid(),
        practice.billing.config,
        patients=patients,
        seed=seed,
    ):
        pass


@pytest.fixture
def open_folder() -> Iterator[Callable[..., Practice]]:
    """Opens practices and closes whatever is still open at the end of the test."""
    opened: list[Practice] = []

    def opener(data_dir: Path, passphrase: str | None = None) -> Practice:
        practice = open_practice(data_dir, passphrase)
        opened.append(practice)
        return practice

    yield opener
    for practice in opened:
        practice.close()
