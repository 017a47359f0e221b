"""A keyring kept in a file, for benchmarks only: start-up is measured in keyring mode (what a
professional with Windows' credential manager or macOS' keychain gets) in child processes, where
the tests' in-memory keyring would be empty. Selected with
``PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring`` and ``ESCAP_BENCH_KEYRING`` naming the file.
The file holds the benchmark's own key for a store of fictitious patients, nothing else. The app
refuses such a backend (``store/trusted_keyring.py``); the benchmark's child process allows this
one explicitly with ``trust_backend``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["ESCAP_BENCH_KEYRING"])

    def _read(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path.read_text("utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._read()
        entries[f"{service}\x00{username}"] = password
        self._path.write_text(json.dumps(entries), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._read()
        entries.pop(f"{service}\x00{username}", None)
        self._path.write_text(json.dumps(entries), "utf-8")
