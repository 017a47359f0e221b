"""The evaluators' indicators, on small hand-made episodes whose answers are known."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    BillingKind,
    BillingRecord,
    ClinicalSituation,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    Membership,
    MembershipStatus,
    Patient,
    Prerequisite,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.core.entities.summaries import EscapOverview, MemberView
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.indicators import (
    EpisodeBundle,
    episode_indicators,
    professional_activity,
    summarise_indicators,
)

FROM, TO = date(2025, 1, 1), date(2025, 12, 31)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


GP = Professional("Leclerc", "Marie-Hélène", Profession.MEDECIN, identifier="10000000001")
NURSE = Professional("Fauvel", "Aurélie", Profession.INFIRMIER, identifier="10000000002")
PHYSIO = Professional("Tessier", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE)
PATIENT = Patient("Quéméneur", "Yvonne", date(1942, 6, 15), Sex.FEMALE, medecin_traitant_id=GP.id)


def grid(
    escap: Escap, day: date, by: Professional, *, reevaluation: bool = False
) -> GridAssessment:
    return GridAssessment(
        escap_id=escap.id,
        patient_id=PATIENT.id,
        assessor_id=by.id,
        assessed_on=day,
        grid_id="g",
        grid_version="1",
        answers={},
        score=15,
        threshold=13,
        situation=ClinicalSituation(),
        prerequisites_met=(Prerequisite.PALLIATIVE,),
        eligible=True,
        at_home=reevaluation,
        is_reevaluation=reevaluation,
    )


def membership(escap: Escap, who: Professional, accepted: date, **fields: object) -> Membership:
    made = Membership(
        escap.id,
        who.id,
        GP.id,
        noon(accepted),
        status=MembershipStatus.ACCEPTED,
        responded_at=noon(accepted),
    )
    return replace(made, **fields)


def action(escap: Escap, by: Professional, **fields: object) -> Action:
    return replace(Action(escap.id, "Passage infirmier", by.id, noon(date(2025, 3, 1))), **fields)


@pytest.fixture
def closed_episode() -> EpisodeBundle:
    """Activated 01/03/2025, closed 30/06/2025 (death), GP + nurse + physio in the team."""
    escap = Escap(
        patient_id=PATIENT.id,
        created_by=NURSE.id,
        created_at=noon(date(2025, 2, 20)),
        state=EscapState.CLOSED,
        activated_at=noon(date(2025, 3, 1)),
        closed_at=noon(date(2025, 6, 30)),
        exit_reason=ExitReason.DEATH,
    )
    first = grid(escap, date(2025, 2, 21), NURSE)
    second = grid(escap, date(2025, 5, 2), PHYSIO, reevaluation=True)
    return EpisodeBundle(
        escap=escap,
        patient=PATIENT,
        assessments=(second, first),
        memberships=(
            membership(escap, GP, date(2025, 2, 25)),
            membership(escap, NURSE, date(2025, 2, 25)),
            membership(escap, PHYSIO, date(2025, 2, 26)),
            membership(escap, PHYSIO, date(2025, 2, 26), status=MembershipStatus.DECLINED),
        ),
        professionals=(GP, NURSE, PHYSIO),
        actions=(
            action(escap, NURSE, mt_validated_on=date(2025, 3, 3), mt_received_on=date(2025, 3, 4)),
            action(escap, GP, mt_validated_on=date(2025, 3, 3)),
            action(escap, NURSE, status=ActionStatus.CANCELLED),
        ),
        events=(
            Event(escap.id, EventKind.HOSPITALISATION, date(2025, 4, 1), NURSE.id),
            Event(escap.id, EventKind.EMERGENCY_VISIT, date(2025, 4, 10), NURSE.id),
            Event(escap.id, EventKind.EMERGENCY_VISIT, date(2024, 12, 10), NURSE.id),
            Event(
                escap.id,
                EventKind.REEVALUATION,
                date(2025, 5, 2),
                PHYSIO.id,
                assessment_id=second.id,
            ),
            Event(escap.id, EventKind.REEVALUATION, date(2025, 6, 1), GP.id),
        ),
        billing_records=(
            BillingRecord(escap.id, NURSE.id, BillingKind.ENTRY, "E", date(2025, 3, 2)),
            BillingRecord(escap.id, GP.id, BillingKind.EXIT, "S", date(2025, 7, 1)),
        ),
    )


def test_episode_indicators(closed_episode: EpisodeBundle) -> None:
    ind = episode_indicators(closed_episode, FROM, TO, tz=UTC)

    assert ind.assessed_on == date(2025, 2, 21)
    assert ind.age_at_assessment == 82
    assert ind.prerequisites == (Prerequisite.PALLIATIVE,)
    assert ind.home_evaluation is True
    assert ind.team_complete_on == date(2025, 3, 1)
    assert ind.exit_on == date(2025, 6, 30)
    assert ind.exit_reason is ExitReason.DEATH
    assert ind.follow_up_days == 121
    assert ind.ongoing_at_end is False
    assert ind.team_size == 3
    assert ind.professions == (
        Profession.MEDECIN,
        Profession.INFIRMIER,
        Profession.MASSEUR_KINESITHERAPEUTE,
    )
    assert ind.gp_member is True
    assert ind.plan_actions == 2
    assert ind.plan_validated_by_gp is True
    assert ind.plan_received_by_gp is False
    assert ind.multiprofessional_evaluation is True
    assert ind.reevaluations == 2
    assert ind.hospitalisations == 1
    assert ind.emergency_visits == 1


def test_follow_up_and_counts_stop_at_the_period_end(closed_episode: EpisodeBundle) -> None:
    ind = episode_indicators(closed_episode, FROM, date(2025, 4, 5), tz=UTC)

    assert ind.follow_up_days == 35
    assert ind.ongoing_at_end is True
    assert ind.emergency_visits == 0
    assert ind.reevaluations == 0


def test_single_profession_is_not_a_multiprofessional_evaluation(
    closed_episode: EpisodeBundle,
) -> None:
    only_nurse = replace(
        closed_episode,
        assessments=closed_episode.assessments[1:],
        actions=tuple(a for a in closed_episode.actions if a.created_by == NURSE.id),
    )
    assert episode_indicators(only_nurse, FROM, TO, tz=UTC).multiprofessional_evaluation is False


def test_reversed_period_is_refused(closed_episode: EpisodeBundle) -> None:
    with pytest.raises(ValidationError, match=r"La date de début .* doit précéder"):
        episode_indicators(closed_episode, TO, FROM)


def test_summary_counts(closed_episode: EpisodeBundle) -> None:
    other_patient = replace(PATIENT, id="autre-patient", medecin_traitant_id=None)
    active = replace(
        closed_episode,
        patient=other_patient,
        escap=replace(
            closed_episode.escap,
            id="active",
            patient_id=other_patient.id,
            state=EscapState.ACTIVE,
            closed_at=None,
            exit_reason=None,
        ),
        actions=(),
    )
    draft = replace(
        closed_episode,
        escap=replace(
            closed_episode.escap,
            id="draft",
            state=EscapState.DRAFT,
            activated_at=None,
            closed_at=None,
            exit_reason=None,
        ),
        assessments=(),
    )

    summary = summarise_indicators([closed_episode, active, draft], FROM, TO, tz=UTC)

    assert summary.episodes == 2
    assert summary.patients == 2
    assert summary.active_patients == 2
    assert summary.inclusions == 2
    assert summary.exits == 1
    assert summary.exits_by_reason == ((ExitReason.DEATH, 1),)
    assert summary.by_situation == ((Prerequisite.PALLIATIVE, 2),)
    assert summary.mean_follow_up_days == pytest.approx((121 + 305) / 2)
    assert summary.plans_produced == 1
    assert summary.plans_validated_by_gp == 1
    assert summary.gp_members == 1


def test_professional_activity(closed_episode: EpisodeBundle) -> None:
    rows = {a.professional_id: a for a in professional_activity([closed_episode], FROM, TO, tz=UTC)}

    assert set(rows) == {GP.id, NURSE.id, PHYSIO.id}
    assert rows[NURSE.id].assessments == 1
    assert rows[NURSE.id].entries_billed == 1
    assert rows[GP.id].exits_billed == 1
    assert rows[PHYSIO.id].episodes == 1
    assert rows[PHYSIO.id].active_episodes == 1


def test_bundle_from_the_escap_page_overview(closed_episode: EpisodeBundle) -> None:
    by_id = {p.id: p for p in closed_episode.professionals}
    overview = EscapOverview(
        patient=PATIENT,
        escap=closed_episode.escap,
        members=tuple(
            MemberView(m, by_id[m.professional_id], m.professional_id == GP.id)
            for m in closed_episode.memberships
            if m.professional_id != GP.id
        ),
        consent=None,
        assessments=closed_episode.assessments,
        actions=closed_episode.actions,
        messages=(),
        events=closed_episode.events,
        billing=closed_episode.billing_records,
        medecin_traitant=GP,
    )

    bundle = EpisodeBundle.from_overview(overview)

    assert {p.id for p in bundle.professionals} == {GP.id, NURSE.id, PHYSIO.id}
    assert bundle.billing_records == closed_episode.billing_records
    assert episode_indicators(bundle, FROM, TO, tz=UTC).team_size == 2
