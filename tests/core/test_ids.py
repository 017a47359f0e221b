"""Record ids: 32 hex digits, never twice, whichever thread draws them."""

from __future__ import annotations

import re
import threading

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
