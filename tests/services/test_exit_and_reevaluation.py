"""An exit recorded days after it happened, and a re-evaluation written with its timeline event,
through the services on a real encrypted store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from escap_desktop.core.clock import FrozenClock, paris_date, paris_instant
from escap_desktop.core.entities import (
    ActionStatus,
    BillingKind,
    DataCategory,
    Escap,
    EscapState,
    EventKind,
    ExitReason,
    Membership,
    Patient,
    Profession,
)
from escap_desktop.core.errors import ConsentError, ValidationError
from escap_desktop.core.rules.billing import BillingError
from escap_desktop.services.practice import Practice
from tests.services.conftest import POLYPATHOLOGY, me_id, professional


def _answers(practice: Practice, points: int) -> dict[str, bool]:
    ids = practice.escaps.current_grid().item_ids
    return {item_id: index < points for index, item_id in enumerate(ids)}


def _assessed(practice: Practice, patient: Patient, *, scopes: frozenset[DataCategory]) -> str:
    escap = practice.escaps.start(patient.id)
    practice.escaps.assess(escap.id, _answers(practice, 14), POLYPATHOLOGY)
    practice.escaps.prepare_consent(escap.id, scopes=scopes)
    practice.escaps.record_consent_signed(escap.id, signed_on=practice.clock.today())
    return escap.id


def _active_team(practice: Practice, patient: Patient) -> str:
    escap_id = _assessed(practice, patient, scopes=frozenset(DataCategory))
    practice.escaps.invite(escap_id, me_id(practice), "Médecin traitant")
    for last, first, profession, rpps in (
        ("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002"),
        ("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003"),
    ):
        colleague = practice.professionals.add(professional(last, first, profession, rpps))
        invited = practice.escaps.invite(escap_id, colleague.id)
        practice.escaps.answer_invitation(invited.id, accepted=True)
    practice.escaps.activate(escap_id)
    return escap_id


def _recorded_days_ago(practice: Practice, escap_id: str, days: int) -> None:
    """As if the episode (and its team's answers) had been recorded ``days`` before today, at
    9:00 in Paris, so the tests do not depend on the day they run."""
    at = paris_instant(practice.clock.today() - timedelta(days=days), 9)
    with practice.store.unit_of_work(me_id(practice)) as uow:
        escap = uow.get(Escap, escap_id)
        uow.put(
            replace(escap, created_at=at, activated_at=at if escap.activated_at else None),
            patient_id=escap.patient_id,
        )
        for membership in uow.find(Membership, escap_id=escap_id):
            uow.put(
                replace(
                    membership,
                    invited_at=at,
                    responded_at=at if membership.responded_at else None,
                ),
                patient_id=escap.patient_id,
            )


# --- exit date --------------------------------------------------------------------------------


def test_an_exit_recorded_three_days_later_keeps_the_day_it_happened(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    _recorded_days_ago(practice, escap_id, 10)
    me = me_id(practice)
    three_days_ago = clock.today() - timedelta(days=3)

    closed = practice.escaps.close(
        escap_id, ExitReason.DEATH, "Décès à domicile", closed_on=three_days_ago
    )

    stored = practice.escaps.get(escap_id)
    assert stored == closed
    assert stored.state is EscapState.CLOSED
    assert stored.closed_at is not None
    assert paris_date(stored.closed_at) == three_days_ago
    assert f"{stored.closed_at:%d/%m/%Y}" == f"{three_days_ago:%d/%m/%Y}"  # as the page shows it

    # The exit code is billed from the day of the exit on, not from the day it was recorded.
    with pytest.raises(BillingError, match="ne peut pas précéder la clôture de l'ESCAP"):
        practice.billing.bill(escap_id, BillingKind.EXIT, billed_on=three_days_ago - timedelta(1))
    practice.billing.bill(escap_id, BillingKind.EXIT, billed_on=three_days_ago)
    [mine] = [m for m in practice.billing.status(escap_id).members if m.professional_id == me]
    assert mine.exit_billed_on == three_days_ago


def test_an_exit_without_a_date_is_today(practice: Practice, patient_born_1940: Patient) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    closed = practice.escaps.close(escap_id, ExitReason.IMPROVED)
    assert closed.closed_at == practice.clock.now()
    assert paris_date(closed.closed_at) == practice.clock.today()


def test_an_exit_in_the_future_is_refused_and_nothing_is_saved(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    with pytest.raises(ValidationError) as refused:
        practice.escaps.close(
            escap_id, ExitReason.MOVE, closed_on=clock.today() + timedelta(days=1)
        )
    assert str(refused.value) == "La date de sortie ne peut pas être dans le futur."
    assert refused.value.field == "closed_on"
    assert practice.escaps.get(escap_id).state is EscapState.ACTIVE


def test_an_exit_before_the_escap_began_is_refused_with_that_day(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id = practice.escaps.start(patient_born_1940.id).id
    _recorded_days_ago(practice, escap_id, 2)
    started = clock.today() - timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        practice.escaps.close(escap_id, ExitReason.WITHDRAWAL, closed_on=started - timedelta(1))
    assert str(refused.value) == (
        "La date de sortie ne peut pas précéder le début de l'ESCAP "
        f"(commencée le {started:%d/%m/%Y})."
    )
    assert refused.value.field == "closed_on"
    assert practice.escaps.get(escap_id).state is EscapState.DRAFT
    assert practice.escaps.close(escap_id, ExitReason.WITHDRAWAL, closed_on=started).closed_at


def test_an_active_escap_cannot_close_before_its_team_was_active(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    _recorded_days_ago(practice, escap_id, 4)
    active_since = clock.today() - timedelta(days=4)
    with pytest.raises(ValidationError, match=f"active depuis le {active_since:%d/%m/%Y}"):
        practice.escaps.close(escap_id, ExitReason.DEATH, closed_on=date(2020, 1, 1))
    assert practice.escaps.get(escap_id).state is EscapState.ACTIVE


# --- re-evaluation ----------------------------------------------------------------------------


def test_a_reevaluation_writes_its_timeline_event_with_the_grid(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    assert practice.events.timeline(escap_id) == []  # the inclusion grid is no re-evaluation
    yesterday = clock.today() - timedelta(days=1)

    assessment, result = practice.escaps.assess(
        escap_id, _answers(practice, 16), POLYPATHOLOGY, assessed_on=yesterday
    )

    [event] = practice.events.timeline(escap_id)
    assert event.kind is EventKind.REEVALUATION
    assert event.occurred_on == yesterday
    assert event.note == f"Score 16 ; {result.summary}"
    assert event.assessment_id == assessment.id
    assert event.recorded_by == me_id(practice)
    with practice.store.unit_of_work(me_id(practice)) as uow:
        audited = {entry.entity_id for entry in uow.audit_entries(patient_born_1940.id)}
    assert {assessment.id, event.id} <= audited


def test_a_reevaluation_the_consent_does_not_allow_saves_neither_grid_nor_event(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id = _assessed(
        practice,
        patient_born_1940,
        scopes=frozenset({DataCategory.SOCIAL, DataCategory.ADMINISTRATIVE}),
    )
    before = practice.escaps.overview(escap_id).assessments
    with pytest.raises(ConsentError):
        practice.escaps.assess(escap_id, _answers(practice, 16), POLYPATHOLOGY)
    assert practice.escaps.overview(escap_id).assessments == before
    assert practice.events.timeline(escap_id) == []


def test_at_exit_the_plan_stops_its_open_actions_stay_as_history_not_as_next_action(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id = _active_team(practice, patient_born_1940)
    due = practice.clock.today() + timedelta(days=7)
    action = practice.plan.add(escap_id, "Passage infirmier pour le pilulier", due_on=due)

    def listed() -> tuple[str, date | None]:
        [summary] = [
            s for s in practice.patients.summaries() if s.patient_id == patient_born_1940.id
        ]
        return summary.next_action, summary.next_due_on

    assert listed() == ("Passage infirmier pour le pilulier", due)

    practice.escaps.close(escap_id, ExitReason.IMPROVED)

    assert listed() == ("", None)
    [kept] = practice.plan.actions(escap_id)
    assert kept.id == action.id
    assert kept.status is ActionStatus.TODO  # kept as history, untouched
