"""Real practices on real SQLCipher files, in keyring or passphrase mode, for protection tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store, store_exists
from tests.hardening.conftest import demo_practice

OLD_PASSPHRASE = "phrase de passe du cabinet"
NEW_PASSPHRASE = "nouvelle phrase du poste infirmier"

Opener = Callable[..., Practice]


@pytest.fixture
def open_folder() -> Iterator[Opener]:
    """Opens a data folder (a new one gets 4 demo patients); closed at the end of the test."""
    opened: list[Practice] = []

    def opener(data_dir: Path, passphrase: str | None = None) -> Practice:
        if store_exists(data_dir):
            practice = build_practice(open_store(data_dir, passphrase), data_dir)
        else:
            practice = demo_practice(data_dir, passphrase)
        opened.append(practice)
        return practice

    yield opener
    for practice in opened:
        practice.close()


def patient_names(practice: Practice) -> list[str]:
    return sorted(row.display_name for row in practice.patients.summaries())
