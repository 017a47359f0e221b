"""GUI test fixtures: a real practice (SQLCipher store in a temporary folder, in-memory keyring)
with the local professional's profile already saved, and the professionals of a small town."""

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
from escap_desktop.services.practice import Practice, open_practice
from tests.support.nir import with_key


def nir(first_13: str) -> str:
    """A NIR with its key."""
    return with_key(first_13)


def professional(
    last: str, first: str, profession: Profession, rpps: str, town: str = "Saint-Étienne"
) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
        town=town,
    )


ME = professional("Lefèvre", "Marie", Profession.MEDECIN, "10001234567")
NURSE = professional("N'Diaye", "Awa", Profession.INFIRMIER, "10007654321")
PHYSIO = professional("Dupont-Moretti", "Jean", Profession.MASSEUR_KINESITHERAPEUTE, "10001112223")
PHARMACIST = professional("Garnier", "Élise", Profession.PHARMACIEN, "10003334445")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    folder.mkdir()
    return folder


@pytest.fixture
def practice(data_dir: Path, clock: FrozenClock) -> Iterator[Practice]:
    """An open practice whose profile is Dr Marie Lefèvre, GP, on the test's clock."""
    opened = open_practice(data_dir, clock=clock)
    opened.profile.save(ME)
    yield opened
    opened.close()


def answers(practice: Practice, points: int) -> dict[str, bool]:
    """Grid answers worth ``points`` (every item of the bundled grid is worth 1 point)."""
    items = practice.escaps.current_grid().items
    return {item.id: index < points for index, item in enumerate(items)}


def assessed_patient(practice: Practice, last_name: str = "Martin") -> tuple[str, str]:
    """A patient over 65 with 3 chronic conditions and an eligible grid: (patient id, escap id).

    Set up through the services, as the inclusion wizard would (its own tests drive it). Each
    name gets its own INS (one patient, one record: the same INS is never recorded twice)."""
    order = 456 if last_name == "Martin" else 500 + sum(map(ord, last_name)) % 400
    patient = practice.patients.create(
        Patient(
            birth_name=last_name,
            first_names="Léa",
            birth_date=date(1948, 3, 5),
            sex=Sex.FEMALE,
            ins=nir(f"2480375123{order:03d}"),
        )
    )
    escap = practice.escaps.start(patient.id)
    practice.escaps.assess(escap.id, answers(practice, 14), ClinicalSituation(chronic_conditions=3))
    return patient.id, escap.id


def forming_team(practice: Practice) -> tuple[str, str]:
    """Consent signed, the GP (the local professional) and two colleagues invited."""
    patient_id, escap_id = assessed_patient(practice)
    practice.escaps.record_consent_signed(escap_id, signed_on=practice.clock.today())
    me = practice.profile.current()
    assert me is not None
    practice.patients.set_medecin_traitant(patient_id, me[1].id)
    practice.escaps.invite(escap_id, me[1].id, "Médecin traitant")
    for colleague in (NURSE, PHYSIO):
        saved = practice.professionals.add(colleague)
        practice.escaps.invite(escap_id, saved.id)
    return patient_id, escap_id
