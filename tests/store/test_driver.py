"""The statements the store sends straight to the driver (``store/driver.py``) stay inside the
unit of work's transaction, are seen by the engine's cursor events, and fail as SQLAlchemy's
errors do — what the rest of the store (French messages, rollback, benchmarks) relies on."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError

from escap_desktop.core.entities import Escap, Message
from escap_desktop.store import Store
from tests.store import samples
from tests.store.conftest import ACTOR


class _InterruptedError(Exception):
    """Raised inside a unit of work to roll it back."""


def _episode(store: Store) -> Escap:
    person = samples.patient()
    episode = samples.escap(person.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([person, episode])
    return episode


def test_rows_written_by_the_driver_roll_back_with_their_unit_of_work(store: Store) -> None:
    episode = _episode(store)
    message = samples.message(episode.id)

    def write_then_fail() -> None:
        with store.unit_of_work(ACTOR) as uow:
            uow.add(message, patient_id=episode.patient_id)
            assert uow.latest(Message, "sent_at", escap_id=episode.id) == message.sent_at
            raise _InterruptedError

    with pytest.raises(_InterruptedError):
        write_then_fail()
    with store.reading() as uow:
        assert uow.find(Message, escap_id=episode.id) == []


def test_the_driver_statements_are_seen_by_the_cursor_events(store: Store) -> None:
    episode = _episode(store)
    seen: list[tuple[str, bool]] = []

    def listen(_c: Any, _k: Any, sql: str, _p: Any, _x: Any, many: bool) -> None:
        seen.append((sql, many))

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        with store.unit_of_work(ACTOR) as uow:
            uow.add(samples.message(episode.id), patient_id=episode.patient_id)
            uow.get(Escap, episode.id)
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
    assert any(sql.startswith('INSERT INTO "message"') and many for sql, many in seen)
    assert any(sql.startswith("SELECT escap.id") for sql, _many in seen)


def test_a_refused_statement_fails_as_sqlalchemys_error_and_nothing_is_kept(store: Store) -> None:
    episode = _episode(store)
    first = samples.message(episode.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.add(first, patient_id=episode.patient_id)
    other = samples.message(episode.id)
    # ``add`` vouches that a record is new: this one is not, and its primary key refuses it.

    def add_both() -> None:
        with store.unit_of_work(ACTOR) as uow:
            uow.add(other, patient_id=episode.patient_id)
            uow.add(first, patient_id=episode.patient_id)

    with pytest.raises(IntegrityError):
        add_both()
    with store.reading() as uow:
        assert uow.find(Message, escap_id=episode.id) == [first]
