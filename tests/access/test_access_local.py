"""A social worker's own store: medical records of an ESCAP she belongs to stay out of sight.

The records are put in her store as the sync module would have applied them (before this
change, or from a device that sealed them with the wrong key): what the services hand the GUI
is what is checked, with her real SQLCipher store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    Action,
    ClinicalSituation,
    Consent,
    ConsentStatus,
    DataCategory,
    Escap,
    EscapState,
    Event,
    EventKind,
    IdentifierKind,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.core.errors import ConsentError, NotFoundError
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store
from tests.sync.team import DEMO_PATIENT, make_nir

SENT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _practice(folder: Path, me: Professional, clock: FrozenClock) -> tuple[Practice, Professional]:
    folder.mkdir()
    practice = build_practice(open_store(folder, clock=clock), folder)
    return practice, practice.profile.save(me)


@pytest.fixture
def social(tmp_path: Path, clock: FrozenClock) -> Iterator[tuple[Practice, Professional]]:
    me = Professional(
        "Roussel", "Inès", Profession.ASSISTANT_SERVICE_SOCIAL, IdentifierKind.NONE, town="Lyon"
    )
    practice, me = _practice(tmp_path / "social", me, clock)
    yield practice, me
    practice.close()


def _escap_with_gp_records(practice: Practice, me: Professional) -> tuple[Escap, Professional]:
    """An ESCAP whose GP wrote medical and social records, as received through sync."""
    birth_name, first_names, birth = DEMO_PATIENT
    gp = practice.professionals.add(
        Professional("Lefèvre", "Claire", Profession.MEDECIN, identifier="10000000001")
    )
    patient = practice.patients.create(
        Patient(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth,
            sex=Sex.FEMALE,
            birth_place_code="69123",
            ins=make_nir(Sex.FEMALE, birth),
            medecin_traitant_id=gp.id,
        )
    )
    escap = practice.escaps.start(patient.id)
    with practice.store.unit_of_work(me.id) as uow:
        uow.put(replace(escap, state=EscapState.ACTIVE))
        uow.put(
            Consent(
                escap.id,
                patient.id,
                gp.id,
                status=ConsentStatus.SIGNED,
                signed_on=practice.clock.today(),
                recipient_ids=(gp.id, me.id),
            )
        )
        for professional_id in (me.id, gp.id):
            uow.put(
                Membership(escap.id, professional_id, gp.id, SENT, status=MembershipStatus.ACCEPTED)
            )
        uow.put(Message(escap.id, gp.id, SENT, "HbA1c à 9 %", DataCategory.MEDICAL))
        uow.put(Message(escap.id, gp.id, SENT, "Dossier APA à monter", DataCategory.SOCIAL))
        uow.put(Action(escap.id, "Adapter l'insuline", gp.id, SENT, category=DataCategory.MEDICAL))
        uow.put(Action(escap.id, "Portage de repas", gp.id, SENT, category=DataCategory.SOCIAL))
        uow.put(Event(escap.id, EventKind.HOSPITALISATION, date(2026, 11, 20), gp.id))
    return practice.escaps.get(escap.id), gp


def test_a_social_worker_reads_only_social_and_administrative_records(
    social: tuple[Practice, Professional],
) -> None:
    practice, me = social
    escap, _gp = _escap_with_gp_records(practice, me)

    assert practice.escaps.categories(escap.id) == (
        DataCategory.SOCIAL,
        DataCategory.ADMINISTRATIVE,
    )
    assert [m.body for m in practice.messages.thread(escap.id)] == ["Dossier APA à monter"]
    assert [a.title for a in practice.plan.actions(escap.id)] == ["Portage de repas"]
    assert practice.events.timeline(escap.id) == []
    overview = practice.escaps.overview(escap.id)
    assert [m.body for m in overview.messages] == ["Dossier APA à monter"]
    assert [a.title for a in overview.actions] == ["Portage de repas"]
    assert overview.events == ()
    assert overview.consent is not None  # administrative: every member sees it
    assert len(overview.members) == 2

    # Marking the thread read touches only what she can see.
    assert practice.messages.mark_read(escap.id) == 1


def test_a_social_worker_cannot_write_or_change_medical_records(
    social: tuple[Practice, Professional],
) -> None:
    practice, me = social
    escap, _gp = _escap_with_gp_records(practice, me)
    with pytest.raises(ConsentError, match="Votre profession ne donne pas accès aux données méd"):
        practice.messages.post(escap.id, "Tension à 16", DataCategory.MEDICAL)
    with pytest.raises(ConsentError, match="données médicales"):
        practice.plan.add(escap.id, "Bilan sanguin", category=DataCategory.MEDICAL)
    with pytest.raises(ConsentError):
        practice.events.record(escap.id, EventKind.EMERGENCY_VISIT, date(2026, 11, 21))
    with practice.store.unit_of_work(me.id) as uow:
        medical_action = next(
            a for a in uow.find(Action, escap_id=escap.id) if a.category is DataCategory.MEDICAL
        )
    with pytest.raises(NotFoundError):
        practice.plan.complete(medical_action.id)
    social_action = practice.plan.actions(escap.id)[0]
    with pytest.raises(ConsentError):
        practice.plan.update(Action(**{**_fields(social_action), "category": DataCategory.MEDICAL}))

    practice.messages.post(escap.id, "Visite à domicile faite", DataCategory.SOCIAL)
    assert len(practice.messages.thread(escap.id)) == 2


def test_a_consent_without_medical_scope_hides_others_medical_data_from_the_gp_too(
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    me = Professional(
        "Lefèvre", "Claire", Profession.MEDECIN, identifier="10000000001", town="Lyon"
    )
    practice, me = _practice(tmp_path / "gp", me, clock)
    try:
        birth_name, first_names, birth = DEMO_PATIENT
        patient = practice.patients.create(
            Patient(
                birth_name=birth_name,
                first_names=first_names,
                birth_date=birth,
                sex=Sex.FEMALE,
                birth_place_code="69123",
                ins=make_nir(Sex.FEMALE, birth),
                medecin_traitant_id=me.id,
            )
        )
        escap = practice.escaps.start(patient.id)
        assert practice.escaps.categories(escap.id) == tuple(DataCategory)
        ids = practice.escaps.current_grid().item_ids
        practice.escaps.assess(
            escap.id,
            {item: index < 14 for index, item in enumerate(ids)},
            ClinicalSituation(chronic_conditions=3),
        )
        assert len(practice.escaps.overview(escap.id).assessments) == 1  # no consent yet

        practice.escaps.prepare_consent(
            escap.id, scopes=frozenset({DataCategory.SOCIAL, DataCategory.ADMINISTRATIVE})
        )
        practice.escaps.record_consent_signed(escap.id, signed_on=clock.today(), signatory="Zoë")
        practice.escaps.invite(escap.id, me.id, "Médecin traitant")
        # Her own grid stays hers to read; medical records of others are hidden.
        assert len(practice.escaps.overview(escap.id).assessments) == 1
        with practice.store.unit_of_work(me.id) as uow:
            uow.put(Message(escap.id, "nurse", SENT, "Plaie surinfectée", DataCategory.MEDICAL))
        assert practice.escaps.categories(escap.id) == (
            DataCategory.SOCIAL,
            DataCategory.ADMINISTRATIVE,
        )
        with pytest.raises(ConsentError, match="consentement du patient ne couvre pas"):
            practice.messages.post(escap.id, "Traitement modifié", DataCategory.MEDICAL)
        practice.messages.post(escap.id, "Aide ménagère demandée", DataCategory.SOCIAL)
        assert [m.body for m in practice.messages.thread(escap.id)] == ["Aide ménagère demandée"]
    finally:
        practice.close()


def _fields(action: Action) -> dict[str, object]:
    return {name: getattr(action, name) for name in Action.__dataclass_fields__}
