"""Python's cyclic garbage collector paused around bounded bursts of allocation.

A writing unit of work allocates short-lived objects by the hundred thousand when it is large
(a pulled page of a thousand records, an import, a thousand messages: dicts, tuples, entities,
rows), nearly all freed by reference counting as soon as they are written. The collector does
not know that: every few hundred allocations it scans the young objects, and now and then the
whole heap — the application's modules, SQLAlchemy's and pydantic's structures, the Qt objects
in the GUI. In the benchmarks that was a tenth of a pull and of a bulk write. It is paused for
the length of one writing transaction (``Store.unit_of_work``) and of the parsing of one pulled
page: bounded work, so a bounded amount of cyclic garbage, collected by the next automatic
collection once the pause ends.

The pause is counted: threads that pause at the same time (a sync cycle and a write from the
GUI) leave the collector as it was when the first one began, once the last one ends."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pausing = 0
_was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    global _pausing, _was_enabled
    with _lock:
        if _pausing == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _was_enabled:
                gc.enable()
