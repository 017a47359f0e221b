"""The whole life of an ESCAP through the services, on a real encrypted store."""

from __future__ import annotations

from datetime import date

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    BillingKind,
    EscapState,
    ExitReason,
    MembershipStatus,
    Patient,
    Profession,
    Sex,
)
from escap_desktop.core.errors import TeamRuleError, TransitionError, ValidationError
from escap_desktop.services.practice import Practice
from tests.services.conftest import POLYPATHOLOGY, professional


def _answers(practice: Practice, points: int) -> dict[str, bool]:
    ids = practice.escaps.current_grid().item_ids
    return {item_id: index < points for index, item_id in enumerate(ids)}


def test_eligible_patient_goes_from_draft_to_active_team_then_exit(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap = practice.escaps.start(patient_born_1940.id)
    assessment, result = practice.escaps.assess(escap.id, _answers(practice, 13), POLYPATHOLOGY)
    assert result.eligible
    assert assessment.score == 13
    assert practice.escaps.get(escap.id).state is EscapState.ASSESSED

    with pytest.raises(TransitionError, match="avant le recueil du consentement"):
        practice.escaps.invite(escap.id, practice.profile.current()[1].id)  # type: ignore[index]

    practice.escaps.prepare_consent(escap.id)
    practice.escaps.record_consent_signed(
        escap.id, signed_on=clock.today(), signatory="Zoë D'Almeida"
    )
    assert practice.escaps.get(escap.id).state is EscapState.CONSENTED

    me = practice.profile.current()[1]  # type: ignore[index]
    nurse = practice.professionals.add(
        professional("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002")
    )
    physio = practice.professionals.add(
        professional("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003")
    )
    mine = practice.escaps.invite(escap.id, me.id, "Médecin traitant")
    assert mine.status is MembershipStatus.ACCEPTED  # inviting oneself is joining
    invited_nurse = practice.escaps.invite(escap.id, nurse.id, "Soins infirmiers")
    practice.escaps.answer_invitation(invited_nurse.id, accepted=True)

    with pytest.raises(TransitionError, match="2 professionnels acceptés"):
        practice.escaps.activate(escap.id)

    invited_physio = practice.escaps.invite(escap.id, physio.id, "Rééducation")
    practice.escaps.answer_invitation(invited_physio.id, accepted=True)
    active = practice.escaps.activate(escap.id)
    assert active.state is EscapState.ACTIVE

    with pytest.raises(TeamRuleError, match="médecin traitant ne peut pas quitter"):
        practice.escaps.remove_member(mine.id)

    message = practice.messages.post(escap.id, "Passage ce matin, glycémie stable.")
    assert practice.messages.thread(escap.id) == [message]
    action = practice.plan.add(escap.id, "Surveillance glycémie", responsible_id=nurse.id)
    practice.plan.complete(action.id)

    for member in (me, nurse, physio):
        practice.billing.bill(escap.id, BillingKind.ENTRY, professional_id=member.id)
    assert practice.billing.status(escap.id).payment_condition_met

    closed = practice.escaps.close(escap.id, ExitReason.IMPROVED)
    assert closed.state is EscapState.CLOSED
    overview = practice.escaps.overview(escap.id)
    assert len(overview.accepted_members) == 3
    assert overview.actions[0].completed_on == clock.today()

    restarted = practice.escaps.restart(patient_born_1940.id)
    assert restarted.episode == 2
    assert restarted.state is EscapState.DRAFT


def test_twelve_points_is_saved_but_not_eligible(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap = practice.escaps.start(patient_born_1940.id)
    assessment, result = practice.escaps.assess(escap.id, _answers(practice, 12), POLYPATHOLOGY)
    assert not result.eligible
    assert "Il manque 1 point" in result.threshold_line
    assert practice.escaps.overview(escap.id).assessments == (assessment,)
    assert practice.escaps.get(escap.id).state is EscapState.DRAFT
    closed = practice.escaps.close(escap.id, ExitReason.NOT_ELIGIBLE)
    assert closed.exit_reason is ExitReason.NOT_ELIGIBLE


def test_withdrawing_consent_closes_the_escap(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap = practice.escaps.start(patient_born_1940.id)
    practice.escaps.assess(escap.id, _answers(practice, 20), POLYPATHOLOGY)
    practice.escaps.record_consent_signed(escap.id, signed_on=clock.today())
    closed = practice.escaps.withdraw_consent(escap.id)
    assert closed.state is EscapState.CLOSED
    assert closed.exit_reason is ExitReason.CONSENT_WITHDRAWN
    with pytest.raises(TransitionError):
        practice.messages.post(escap.id, "Trop tard")


def test_invalid_nir_is_refused_with_its_reason(practice: Practice) -> None:
    with pytest.raises(ValidationError, match="clé du NIR") as error:
        practice.patients.create(
            Patient(
                birth_name="Martin",
                first_names="Léa",
                birth_date=date(1950, 1, 1),
                sex=Sex.FEMALE,
                ins="250016912304299",
            )
        )
    assert error.value.field == "ins"
