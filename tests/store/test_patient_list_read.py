"""The patient list read straight from the SQLCipher connection gives exactly what SQLAlchemy
gives for the same statement: the same rows, in the same order, with the same Python values."""

from __future__ import annotations

from datetime import date

import pytest

from escap_desktop.core.entities import (
    EscapState,
    LocalProfile,
    Patient,
    Sex,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.store import Store, UnitOfWork, patient_list
from tests.store.list_patients import put_patients

ME = "a" * 32


def _fill(store: Store) -> None:
    with store.unit_of_work(ME) as uow:
        uow.put(LocalProfile(professional_id=ME))
        put_patients(uow, ME)


def _through_sqlalchemy(uow: UnitOfWork, search: str, states: set[EscapState] | None) -> list:
    """The same statement executed by SQLAlchemy, its rows mapped as the list maps them."""
    rows = uow.session.execute(patient_list.list_statement(search, states)).all()
    return [
        PatientSummary(
            patient_id=row[0],
            display_name=Patient(
                birth_name=row[1],
                used_name=row[2],
                first_names=row[3],
                used_first_name=row[4],
                birth_date=row[5],
                sex=Sex.FEMALE,
            ).display_name,
            birth_name=row[1],
            used_name=row[2],
            first_names=row[3],
            birth_date=row[5],
            ins=row[6],
            escap_id=row[7],
            escap_state=row[8],
            last_score=row[9],
            team_size=row[10],
            next_due_on=row[11],
            next_action=row[12],
            unread_messages=row[13],
        )
        for row in rows
    ]


@pytest.mark.parametrize(
    ("search", "states"),
    [
        ("", None),
        ("martin", None),
        ("o'b", None),
        ("oeuvrard", None),
        ("10/01", None),
        ("", {EscapState.ACTIVE, EscapState.CLOSED}),
        ("a%_", None),
        ("martin", {EscapState.DRAFT}),
    ],
)
def test_the_direct_read_equals_the_orm_read(
    store: Store, search: str, states: set[EscapState] | None
) -> None:
    _fill(store)
    with store.unit_of_work(ME) as uow:
        uow.patient_summaries()  # figures refreshed
        direct = patient_list.patient_summaries(uow.session, search, states)
        assert direct == _through_sqlalchemy(uow, search, states)
    assert all(isinstance(row.birth_date, date) for row in direct)
    assert all(row.escap_state is None or type(row.escap_state) is EscapState for row in direct)


def test_the_direct_read_sees_what_the_unit_of_work_wrote_before_it(store: Store) -> None:
    _fill(store)
    with store.unit_of_work(ME) as uow:
        uow.put(
            Patient(
                birth_name="Zola", first_names="Émile", birth_date=date(1940, 4, 2), sex=Sex.MALE
            )
        )
        assert [row.display_name for row in uow.patient_summaries("zola")] == ["ZOLA Émile"]


def test_an_empty_store_lists_nobody(store: Store) -> None:
    with store.unit_of_work(None) as uow:
        assert uow.patient_summaries() == []
