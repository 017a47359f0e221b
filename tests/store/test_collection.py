"""The garbage collector is paused for a writing unit of work only, and always comes back as it
was: after a failed transaction, and after pauses that overlap in two threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from escap_desktop.store import Store
from escap_desktop.store.collection import collection_paused
from tests.store import samples
from tests.store.conftest import ACTOR


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_a_writing_unit_of_work_pauses_the_collector_and_gives_it_back(store: Store) -> None:
    with store.unit_of_work(ACTOR) as uow:
        assert not gc.isenabled()
        uow.put(samples.patient())
    assert gc.isenabled()
    with store.reading():
        assert gc.isenabled()  # a read allocates little: nothing to pause

    def fail() -> None:
        with store.unit_of_work(ACTOR) as uow:
            uow.put(samples.patient())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fail()
    assert gc.isenabled()


def test_overlapping_pauses_end_with_the_last_one() -> None:
    inside, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        with collection_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other_thread)
    with collection_paused():
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause goes on
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
