"""Where ESCAP Desktop keeps its files on this computer."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ESCAP Desktop"
DATA_DIR_ENV = "ESCAP_DATA_DIR"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``--data-dir``, else ``$ESCAP_DATA_DIR``, else the user data folder.

    The folder is created if needed, so callers can write into it straight away.
    """
    chosen = (
        cli_value
        or os.environ.get(DATA_DIR_ENV)
        or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    )
    path = Path(chosen).expanduser().resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
