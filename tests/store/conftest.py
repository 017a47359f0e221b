"""A fresh, real SQLCipher store per test, in the test's own temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from escap_desktop.store import Store
from escap_desktop.store.keys import new_key

ACTOR = "0" * 32


@pytest.fixture
def key() -> bytes:
    return new_key()


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "coffre.db"


@pytest.fixture
def store(store_file: Path, key: bytes) -> Iterator[Store]:
    opened = Store.open(store_file, key)
    yield opened
    opened.close()
