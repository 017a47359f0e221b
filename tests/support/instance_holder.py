"""Another ESCAP Desktop process holding a data folder's instance lock, as a running window does."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HOLDER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from escap_desktop.services import instance_lock\n"
    "instance_lock.acquire(Path(sys.argv[1]))\n"
    "print('HELD', flush=True)\n"
    "time.sleep(120)\n"
)


@contextlib.contextmanager
def holding(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """A real second process, since the lock is per process; yields once it holds the lock and
    kills it at the end if still alive."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "HELD"
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stdout.close()
