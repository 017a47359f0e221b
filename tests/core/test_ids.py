"""Record ids: 32 hex digits, never twice — across threads, and in a process forked from one
that still holds random bytes in reserve."""

from __future__ import annotations

import os
import re
import sys
import threading

import pytest

from escap_desktop.core.entities import new_id


def test_ids_are_32_hex_digits_and_never_repeat_across_threads() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def draw(into: list[str]) -> None:
        into.extend(new_id() for _ in range(3000))

    threads = [threading.Thread(target=draw, args=(ids,)) for ids in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [identifier for ids in per_thread for identifier in ids]
    assert all(re.fullmatch(r"[0-9a-f]{32}", identifier) for identifier in every)
    assert len(set(every)) == len(every) == 12000


@pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")
def test_a_forked_process_does_not_reuse_the_ids_its_parent_holds_in_reserve() -> None:
    new_id()  # the parent now holds random bytes for the next ids
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, " ".join(new_id() for _ in range(10)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        in_child = set(pipe.read().split())
    in_parent = {new_id() for _ in range(10)}
    assert len(in_child) == 10
    assert not in_child & in_parent
