"""A real keyring that writes secrets in a readable file (keyrings.alt), as some machines have.

The app must refuse it (``store/trusted_keyring.py``); :func:`as_an_earlier_version` lets a test
write into it what an earlier version did, when such a backend was still accepted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from escap_desktop.store import trusted_keyring


def plaintext_keyring(folder: Path) -> PlaintextKeyring:
    """The machine's keyring from now on: a PlaintextKeyring file in ``folder`` (the tests'
    autouse keyring fixture puts the previous one back afterwards)."""
    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    return backend


@contextlib.contextmanager
def as_an_earlier_version(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inside: the plaintext backend is accepted, as it was before the allow-list."""
    with monkeypatch.context() as earlier:
        name = f"{PlaintextKeyring.__module__}.{PlaintextKeyring.__qualname__}"
        earlier.setattr(trusted_keyring, "_TRUSTED", {*trusted_keyring._TRUSTED, name})
        yield
