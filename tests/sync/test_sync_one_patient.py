"""One patient, one record, on every member's computer — also for colleagues who already had
their own record of that patient before joining the team."""

from __future__ import annotations

from dataclasses import replace

from escap_desktop.core.entities import AuditKind, Caregiver, MergeReason, MergeState, Patient, Sex
from tests.sync.conftest import MemberFactory
from tests.sync.team import DEMO_PATIENT, Member, active_team, make_nir

BIRTH_NAME, FIRST_NAMES, BIRTH = DEMO_PATIENT
INS = make_nir(Sex.FEMALE, BIRTH)


def _own_record(member: Member, **changes: object) -> Patient:
    """The colleague's record of the patient, typed in their own software months ago."""
    patient = Patient(
        birth_name=BIRTH_NAME.upper(),
        first_names=FIRST_NAMES,
        birth_date=BIRTH,
        sex=Sex.FEMALE,
        **changes,  # type: ignore[arg-type]
    )
    return member.practice.patients.create(patient)


def _records_of_the_patient(member: Member) -> list[Patient]:
    with member.practice.store.unit_of_work(member.me.id) as uow:
        return [p for p in uow.find(Patient, birth_date=BIRTH)]


def _before(records: dict[str, Patient]):  # type: ignore[no-untyped-def]
    def prepare(gp: Member, nurse: Member, physio: Member) -> None:
        # The nurse had the INS, another phone, a caregiver; the physio typed no NIR at all.
        records["nurse"] = _own_record(
            nurse,
            ins=INS,
            phone="06 12 34 56 78",
            caregivers=(Caregiver(full_name="Paul D'Almeida", relationship="fils"),),
        )
        records["physio"] = _own_record(physio)
        # Her own trail of that record: she opened it.
        nurse.practice.patients.get(records["nurse"].id)

    return prepare


def test_colleagues_who_had_the_patient_end_with_one_record_each(
    sqlite_members: MemberFactory,
) -> None:
    records: dict[str, Patient] = {}
    gp, nurse, physio, escap = active_team(sqlite_members, before=_before(records))
    team_patient = gp.practice.escaps.get(escap.id).patient_id

    # The nurse's record had the same INS: merged at once into the team's, under its id.
    [kept] = _records_of_the_patient(nurse)
    assert kept.id == team_patient
    assert [r.patient_id for r in nurse.practice.patients.summaries()] == [team_patient]
    [case] = nurse.practice.patient_merges.pending()
    assert case.merge.state is MergeState.TO_REVIEW
    assert case.merge.reason is MergeReason.SAME_INS
    assert case.other.phone == "06 12 34 56 78"  # her version is kept whole
    trail = nurse.practice.audit.patient_trail(team_patient)
    own = [
        line for line in trail if line.actor_id == nurse.me.id and line.at <= case.merge.found_at
    ]
    assert {line.kind for line in own} >= {AuditKind.CREATED, AuditKind.VIEWED}  # her own record
    assert "Dossiers du même patient fusionnés (même matricule INS)" in {
        line.record for line in trail
    }

    # She keeps her phone number: the choice is an edit of the team's patient, for everyone.
    saved = nurse.practice.patient_merges.accept(
        case.merge.id, replace(kept, phone=case.other.phone)
    )
    assert saved.phone == "06 12 34 56 78"
    assert [c.full_name for c in saved.caregivers] == ["Paul D'Almeida"]  # nothing lost
    assert nurse.practice.patient_merges.pending() == []

    # The physio's record had the same traits but no INS: two records until he says.
    assert len(_records_of_the_patient(physio)) == 2
    [proposal] = physio.practice.patient_merges.pending()
    assert proposal.merge.state is MergeState.PROPOSED
    assert proposal.kept.id == team_patient
    physio.practice.patient_merges.accept(proposal.merge.id, proposal.kept)
    assert [p.id for p in _records_of_the_patient(physio)] == [team_patient]

    for member in (nurse, physio, gp, nurse, physio):
        member.cycle()
    for member in (gp, nurse, physio):
        [record] = _records_of_the_patient(member)
        assert record.id == team_patient, member.name
        assert record.phone == "06 12 34 56 78", member.name


def test_two_people_with_the_same_traits_stay_two_records(sqlite_members: MemberFactory) -> None:
    records: dict[str, Patient] = {}
    gp, _nurse, physio, _escap = active_team(sqlite_members, before=_before(records))
    [proposal] = physio.practice.patient_merges.pending()
    physio.practice.patient_merges.decline(proposal.merge.id)

    team_patient = gp.practice.patients.get(proposal.kept.id)
    gp.practice.patients.update(replace(team_patient, phone="04 78 00 00 00"))
    gp.cycle()
    physio.cycle()
    assert len(_records_of_the_patient(physio)) == 2
    assert physio.practice.patient_merges.pending() == []  # not proposed again
