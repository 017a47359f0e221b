"""One ESCAP Desktop at a time per data folder.

Two windows on the same store would each sync, each remember their own drafts and each believe
their list is current; a restore or a "forget this computer" run from the command line while the
window is open would pull the store from under it. The lock is an OS file lock: the system
releases it when the process ends, even killed, so a crash never leaves a stale lock behind. Its
file lives in the user's state folder, named after the data folder, and not in the data folder
itself: nothing is added to what a backup, a restore or "oublier ce poste" handles.

Within one process the lock is re-entrant: the window holds it for its whole life, and the
restore it runs itself takes it again without refusing itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import platformdirs

from escap_desktop.core.errors import StoreInUseError
from escap_desktop.services.paths import APP_NAME

_guard = threading.Lock()
_held: dict[Path, tuple[BinaryIO, int]] = {}


def _lock(handle: BinaryIO) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: BinaryIO) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    handle.close()


def _lock_file(folder: Path) -> Path:
    name = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:32] + ".verrou"
    for base in (platformdirs.user_state_dir(APP_NAME, appauthor=False), tempfile.gettempdir()):
        locks = Path(base) / "verrous"
        try:
            locks.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            continue
        return locks / name
    return Path(tempfile.gettempdir()) / f"escap-desktop-{name}"


def acquire(folder: Path, purpose: str = "l'ouvrir") -> None:
    """Takes the data folder for this process; StoreInUseError when another process has it.

    ``purpose`` ends the French message: "fermez-la avant de {purpose}"."""
    key = Path(folder).resolve()
    with _guard:
        if key in _held:
            handle, count = _held[key]
            _held[key] = (handle, count + 1)
            return
        handle = _lock_file(key).open("a+b")
        if not _lock(handle):
            handle.close()
            raise StoreInUseError(
                "ESCAP Desktop est déjà ouvert sur ce poste avec ce dossier de données "
                f"({key}) : utilisez la fenêtre déjà ouverte, ou fermez-la avant de {purpose}."
            )
        _held[key] = (handle, 1)


def release(folder: Path) -> None:
    key = Path(folder).resolve()
    with _guard:
        if key not in _held:
            return
        handle, count = _held[key]
        if count > 1:
            _held[key] = (handle, count - 1)
            return
        del _held[key]
        _unlock(handle)


@contextlib.contextmanager
def exclusive_use(folder: Path, purpose: str) -> Iterator[None]:
    """For the commands that replace or delete the store (restore, forget, change of key)."""
    acquire(folder, purpose)
    try:
        yield
    finally:
        release(folder)
