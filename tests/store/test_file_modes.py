"""On a shared office PC, other accounts must not even read the encrypted files."""

from __future__ import annotations

import stat
from pathlib import Path

from escap_desktop.services.paths import resolve_data_dir
from escap_desktop.store import open_store, store_path


def test_new_data_folder_and_store_are_owner_only(tmp_path: Path) -> None:
    data_dir = resolve_data_dir(tmp_path / "nouveau" / "dossier")
    store = open_store(data_dir)
    with store.unit_of_work("0" * 32):
        pass
    store.close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for path in data_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name
    assert store_path(data_dir).exists()
