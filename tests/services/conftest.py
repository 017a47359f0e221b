"""A real practice on a real SQLCipher file, with a profile, for service tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    ClinicalSituation,
    IdentifierKind,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store
from tests.support.nir import make_nir


def professional(last: str, first: str, profession: Profession, rpps: str) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
        town="Lyon",
    )


POLYPATHOLOGY = ClinicalSituation(chronic_conditions=3)
"""Three chronic conditions: a patient over 65 meets the first prerequisite."""


def me_id(practice: Practice) -> str:
    """The local professional's id (the GP of these tests)."""
    current = practice.profile.current()
    assert current is not None
    return current[1].id


@pytest.fixture
def practice(tmp_path: Path, clock: FrozenClock) -> Iterator[Practice]:
    store = open_store(tmp_path, clock=clock)
    practice = build_practice(store, tmp_path)
    practice.profile.save(professional("Lefèvre", "Claire", Profession.MEDECIN, "10000000001"))
    yield practice
    practice.close()


@pytest.fixture
def patient_born_1940(practice: Practice) -> Patient:
    me = practice.profile.current()
    assert me is not None
    birth = date(1940, 3, 12)
    return practice.patients.create(
        Patient(
            birth_name="D'Almeida",
            first_names="Zoë Marie-Thérèse",
            birth_date=birth,
            sex=Sex.FEMALE,
            birth_place_code="69123",
            ins=make_nir(Sex.FEMALE, birth),
            medecin_traitant_id=me[1].id,
        )
    )
