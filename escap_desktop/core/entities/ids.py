"""Identifiers and timestamps shared by every entity."""

from __future__ import annotations

import os
import threading

_ID_BYTES = 16
_DRAW = 256 * _ID_BYTES  # random bytes read at once: one system call per 256 ids


class _Randomness(threading.local):
    """The operating system's random bytes, read a few kilobytes at a time per thread."""

    def __init__(self) -> None:
        self.pool = b""
        self.offset = 0

    def take(self) -> bytes:
        if self.offset >= len(self.pool):
            self.pool, self.offset = os.urandom(_DRAW), 0
        start = self.offset
        self.offset = start + _ID_BYTES
        return self.pool[start : start + _ID_BYTES]

    def forget(self) -> None:
        self.pool, self.offset = b"", 0


_randomness = _Randomness()
# A child process must not hand out the ids its parent still holds in reserve.
os.register_at_fork(after_in_child=_randomness.forget)


def new_id() -> str:
    """A random, globally unique record id (no clock or machine in it, nothing to leak): 128
    random bits in 32 hex digits, the size of a UUID. The bits are the operating system's
    (``os.urandom``), read 4 KiB at a time rather than 16 bytes per id: an import, a pulled
    page or a bulk write makes tens of thousands, and each read is a system call."""
    return _randomness.take().hex()
