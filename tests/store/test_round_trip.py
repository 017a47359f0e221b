"""Every entity comes back from the store exactly as it was put, nested parts included."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from escap_desktop.core.entities import (
    Action,
    AuditEntry,
    BillingRecord,
    Caregiver,
    Consent,
    Escap,
    EscapState,
    Event,
    GridAssessment,
    LocalProfile,
    Membership,
    MembershipStatus,
    Message,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Professional,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import Deletion, Store
from tests.store import samples
from tests.store.conftest import ACTOR


def _everything() -> list[object]:
    doctor = samples.professional()
    person = samples.patient(medecin_traitant_id=doctor.id)
    episode = samples.escap(person.id)
    return [
        doctor,
        person,
        episode,
        samples.membership(episode.id, doctor.id),
        samples.consent(episode.id, person.id),
        samples.assessment(episode.id, person.id),
        samples.action(episode.id),
        samples.message(episode.id),
        samples.event(episode.id),
        samples.billing(episode.id),
    ]


def test_every_entity_reads_back_equal_after_reopening(store: Store, key: bytes) -> None:
    entities = _everything()
    with store.unit_of_work(ACTOR) as uow:
        for entity in entities:
            uow.put(entity)
    store.close()

    with Store.open(store.path, key) as reopened, reopened.unit_of_work(ACTOR) as uow:
        for entity in entities:
            back = uow.get(type(entity), entity.id)  # type: ignore[attr-defined]
            assert back == entity
            for field in dataclasses.fields(entity):  # type: ignore[arg-type]
                value = getattr(back, field.name)
                assert type(value) is type(getattr(entity, field.name)), field.name


def test_values_keep_their_exact_python_types(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    grid = samples.assessment(episode.id, person.id)
    agreement = samples.consent(episode.id, person.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
        uow.put(episode)
        uow.put(grid)
        uow.put(agreement)
    with store.unit_of_work(ACTOR) as uow:
        back_episode = uow.get(Escap, episode.id)
        back_grid = uow.get(GridAssessment, grid.id)
        back_consent = uow.get(Consent, agreement.id)
        back_patient = uow.get(Patient, person.id)

    assert back_episode.state is EscapState.CLOSED
    # Stored in UTC; an instant given in another zone is the same instant, now in UTC.
    assert back_episode.activated_at == episode.activated_at
    assert back_episode.activated_at is not None
    assert back_episode.activated_at.tzinfo is UTC
    assert isinstance(back_consent.scopes, frozenset)
    assert back_consent.recipient_ids == ("p2" * 16, "p1" * 16)  # order kept
    assert back_grid.situation.stroke_discharge_date == date(2024, 11, 5)
    assert back_grid.prerequisites_met == grid.prerequisites_met
    assert [c.full_name for c in back_patient.caregivers] == ["Paul Martin", "Zoé Martin"]
    assert back_patient.other_schemes[0].kind is OtherSchemeKind.HAD


def test_a_naive_datetime_is_refused_rather_than_guessed(store: Store) -> None:
    person = samples.patient()
    naive = samples.escap(person.id, created_at=datetime(2025, 4, 1, 9, 0))
    with pytest.raises(StatementError, match="fuseau horaire"), store.unit_of_work(ACTOR) as uow:
        uow.put(naive)


def test_defaults_round_trip_too(store: Store) -> None:
    person = Patient(birth_name="DURAND", first_names="Jean", birth_date=date(1940, 1, 1), sex="M")  # type: ignore[arg-type]
    episode = Escap(patient_id=person.id, created_by=ACTOR, created_at=samples.at(1))
    note = Message(escap_id=episode.id, author_id=ACTOR, sent_at=samples.at(2), body="")
    with store.unit_of_work(ACTOR) as uow:
        for entity in (person, episode, note):
            uow.put(entity)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Patient, person.id) == person
        assert uow.get(Escap, episode.id) == episode
        assert uow.get(Message, note.id).read_by == frozenset()


def test_updating_a_patient_replaces_caregivers_and_schemes(store: Store) -> None:
    person = samples.patient()
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
    second = person.caregivers[1]
    changed = dataclasses.replace(
        person,
        used_name="",
        caregivers=(dataclasses.replace(second, phone="0700"), Caregiver(full_name="Léo")),
        other_schemes=(OtherScheme(kind=OtherSchemeKind.SSIAD, contact="SSIAD"),),
    )
    with store.unit_of_work(ACTOR) as uow:
        uow.put(changed)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Patient, person.id) == changed
        uow.put(dataclasses.replace(changed, caregivers=(), other_schemes=()))
    with store.unit_of_work(ACTOR) as uow:
        back = uow.get(Patient, person.id)
    assert back.caregivers == ()
    assert back.other_schemes == ()


def test_readers_of_a_message_follow_each_update(store: Store) -> None:
    note = samples.message("e" * 32, read_by=frozenset({"a" * 32}))
    with store.unit_of_work(ACTOR) as uow:
        uow.put(note)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(dataclasses.replace(note, read_by=frozenset({"b" * 32, "c" * 32})))
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Message, note.id).read_by == {"b" * 32, "c" * 32}


def test_local_profile_is_a_single_row(store: Store) -> None:
    with store.unit_of_work(ACTOR) as uow:
        assert uow.local_profile() is None
        uow.put(samples.local_profile("a" * 32))
    replacement = LocalProfile(professional_id="b" * 32, device_name="Fixe")
    with store.unit_of_work(ACTOR) as uow:
        assert uow.local_profile() == samples.local_profile("a" * 32)
        uow.put(replacement)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.local_profile() == replacement
        assert uow.find(LocalProfile) == [replacement]


def test_find_filters_on_fields_and_orders_by_date_then_id(store: Store) -> None:
    episode_id = "e" * 32
    late = samples.membership(episode_id, "p1" * 16, invited_at=samples.at(9))
    early = samples.membership(episode_id, "p2" * 16, invited_at=samples.at(2))
    declined = samples.membership(
        episode_id, "p3" * 16, invited_at=samples.at(5), status=MembershipStatus.DECLINED
    )
    elsewhere = samples.membership("f" * 32, "p1" * 16)
    with store.unit_of_work(ACTOR) as uow:
        for entity in (late, early, declined, elsewhere):
            uow.put(entity)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.find(Membership, escap_id=episode_id) == [early, declined, late]
        assert uow.find(Membership, escap_id=episode_id, status=MembershipStatus.ACCEPTED) == [
            early,
            late,
        ]
        assert uow.find(Membership, professional_id="p1" * 16) == [elsewhere, late]
        assert uow.find(Action) == []
        with pytest.raises(TypeError):
            uow.find(Message, read_by="x")


def test_missing_record_gives_a_french_not_found(store: Store) -> None:
    with store.unit_of_work(ACTOR) as uow:
        with pytest.raises(NotFoundError) as raised:
            uow.get(Patient, "9" * 32)
        assert str(raised.value) == f"Patient introuvable (identifiant {'9' * 32})."
        with pytest.raises(NotFoundError, match="Action du plan introuvable"):
            uow.delete(Action, "9" * 32)


def test_delete_removes_the_record_and_its_nested_rows(store: Store) -> None:
    person = samples.patient()
    note = samples.message("e" * 32)
    bill = samples.billing("e" * 32)
    seen: list[object] = []
    store.add_commit_hook(lambda uow, changed: seen.extend(changed))
    with store.unit_of_work(ACTOR) as uow:
        for entity in (person, note, bill):
            uow.put(entity)
    seen.clear()
    with store.unit_of_work(ACTOR) as uow:
        uow.delete(Patient, person.id)
        uow.delete(Message, note.id)
    with store.unit_of_work(ACTOR) as uow:
        with pytest.raises(NotFoundError):
            uow.get(Patient, person.id)
        assert uow.find(Message) == []
        assert uow.find(BillingRecord) == [bill]
        count = uow.session.execute(
            text(
                "SELECT (SELECT count(*) FROM patient_caregiver)"
                " + (SELECT count(*) FROM message_read)"
            )
        ).scalar_one()
    assert count == 0
    assert seen == [Deletion(person), Deletion(note)]


def test_every_kind_of_entity_is_accepted_by_find(store: Store) -> None:
    with store.unit_of_work(ACTOR) as uow:
        for kind in (
            Professional,
            Patient,
            Escap,
            Membership,
            Consent,
            GridAssessment,
            Action,
            Message,
            Event,
            BillingRecord,
            AuditEntry,
        ):
            assert uow.find(kind) == []
