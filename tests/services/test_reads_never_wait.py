"""The patient list and the duplicate check read a snapshot: while a sync page or an import holds
the store's write lock, they answer at once with what was last committed — they neither wait
for the writer (the list would freeze while the professional types) nor block it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

from escap_desktop.core.entities import Patient, Sex
from escap_desktop.services.practice import Practice
from tests.services.conftest import me_id
from tests.support.nir import make_nir

TIMEOUT_S = 30


def _patient(name: str, birth: date) -> Patient:
    return Patient(
        birth_name=name,
        first_names="Jeanne",
        birth_date=birth,
        sex=Sex.FEMALE,
        birth_place_code="69123",
        ins=make_nir(Sex.FEMALE, birth),
    )


@contextmanager
def _writer_holding_the_lock(practice: Practice, patient: Patient) -> Iterator[None]:
    """Another thread writes ``patient`` and keeps its transaction open until the block ends."""
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with practice.store.unit_of_work(me_id(practice)) as uow:
                uow.put(patient, patient_id=patient.id)
                uow.session.flush()  # the write lock is taken: BEGIN IMMEDIATE, rows written
                written.set()
                release.wait(TIMEOUT_S)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
            written.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert written.wait(TIMEOUT_S)
    try:
        yield
    finally:
        release.set()
        thread.join(TIMEOUT_S)
    assert not failures


def test_the_list_and_the_duplicate_check_answer_while_a_writer_holds_the_store(
    practice: Practice,
) -> None:
    kept = practice.patients.create(_patient("Martin", date(1938, 5, 2)))
    arriving = _patient("Bernard", date(1941, 7, 9))

    with _writer_holding_the_lock(practice, arriving):
        # Answered during the write (it would otherwise wait for the lock, then fail in French
        # at the busy timeout): the last committed state, without the patient being written.
        names = [row.display_name for row in practice.patients.summaries()]
        assert names == [kept.display_name]
        same_person = replace(kept, id="autre", first_names="Jeanne")
        assert practice.patients.possible_duplicates(same_person)

    names = {row.display_name for row in practice.patients.summaries()}
    assert names == {kept.display_name, arriving.display_name}
