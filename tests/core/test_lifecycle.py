from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from escap_desktop.core.entities import (
    ClinicalSituation,
    Consent,
    ConsentStatus,
    Escap,
    EscapState,
    ExitReason,
    GridAssessment,
    Membership,
    MembershipStatus,
    Profession,
)
from escap_desktop.core.errors import TransitionError
from escap_desktop.core.rules import lifecycle
from escap_desktop.core.rules.eligibility import build_assessment
from escap_desktop.core.rules.grid import default_grid_path, load_grid
from escap_desktop.core.rules.lifecycle import TRANSITIONS, TransitionContext
from tests.core.builders import NOW, make_escap, make_membership, make_patient, make_professional

S = EscapState
GRID = load_grid(default_grid_path())
GP = make_professional(Profession.MEDECIN)
NURSE = make_professional(Profession.INFIRMIER)
PHYSIO = make_professional(Profession.MASSEUR_KINESITHERAPEUTE)
DIRECTORY = {p.id: p for p in (GP, NURSE, PHYSIO)}
PATIENT = make_patient(medecin_traitant_id=GP.id)
DRAFT = make_escap(PATIENT)
LATER = NOW + timedelta(days=30)


def at(state: EscapState) -> Escap:
    return replace(DRAFT, state=state)


def assessment(escap: Escap, points: int = 13, **situation: object) -> GridAssessment:
    answers = {item.id: index < points for index, item in enumerate(GRID.items)}
    clinical = ClinicalSituation(**({"diabetes_type": 2, "on_insulin": True} | situation))  # type: ignore[arg-type]
    return build_assessment(GRID, answers, clinical, PATIENT, "pro-1", date(2025, 6, 15), escap.id)


def consent(escap: Escap, status: ConsentStatus = ConsentStatus.SIGNED) -> Consent:
    return Consent(
        escap_id=escap.id,
        patient_id=PATIENT.id,
        collected_by="pro-1",
        status=status,
        signed_on=date(2025, 6, 15) if status is ConsentStatus.SIGNED else None,
    )


def team(escap: Escap, *professionals: object) -> tuple[Membership, ...]:
    return tuple(make_membership(escap, p) for p in professionals)  # type: ignore[arg-type]


# --- The happy path --------------------------------------------------------------------------


def test_the_whole_life_of_an_escap() -> None:
    escap = lifecycle.assess(DRAFT, assessment(DRAFT), NOW)
    assert escap.state is S.ASSESSED
    signed = consent(escap)
    escap = lifecycle.record_consent(escap, signed, NOW)
    assert escap.state is S.CONSENTED
    escap = lifecycle.invite(escap, signed, NOW)
    assert escap.state is S.FORMING
    assert lifecycle.invite(escap, signed, NOW) == escap
    escap = lifecycle.activate(
        escap,
        patient=PATIENT,
        consent=signed,
        memberships=team(escap, GP, NURSE, PHYSIO),
        professionals=DIRECTORY,
        at=LATER,
    )
    assert (escap.state, escap.activated_at) == (S.ACTIVE, LATER)
    assert lifecycle.invite(escap, signed, NOW) == escap
    escap = lifecycle.close(escap, ExitReason.IMPROVED, LATER, note="  Objectifs atteints ")
    assert escap.state is S.CLOSED
    assert (escap.closed_at, escap.exit_reason, escap.exit_note) == (
        LATER,
        ExitReason.IMPROVED,
        "Objectifs atteints",
    )


def test_restart_is_a_new_episode_with_a_new_team() -> None:
    closed = replace(at(S.CLOSED), episode=2)
    new = lifecycle.restart(closed, at=LATER, created_by="pro-2")
    assert (new.state, new.episode, new.patient_id) == (S.DRAFT, 3, PATIENT.id)
    assert new.team_id != closed.team_id
    assert new.id != closed.id
    assert (new.created_by, new.created_at) == ("pro-2", LATER)
    assert new.exit_reason is None


@pytest.mark.parametrize("state", [s for s in S if s is not S.CLOSED])
def test_only_a_closed_escap_can_restart(state: EscapState) -> None:
    with pytest.raises(TransitionError, match="n'est pas clôturée"):
        lifecycle.restart(at(state), at=LATER, created_by="pro-1")


# --- Every transition absent from the table --------------------------------------------------

FORBIDDEN = [(a, b) for a in S for b in S if b not in TRANSITIONS[a]]


def test_the_table_is_the_documented_chain() -> None:
    assert len(FORBIDDEN) == 49 - 12
    assert TRANSITIONS[S.ACTIVE] == {S.INCOMPLETE, S.CLOSED}
    assert TRANSITIONS[S.INCOMPLETE] == {S.ACTIVE, S.CLOSED}
    for state in (S.DRAFT, S.ASSESSED, S.CONSENTED, S.FORMING, S.ACTIVE, S.INCOMPLETE):
        assert S.CLOSED in TRANSITIONS[state]
    assert TRANSITIONS[S.CLOSED] == frozenset()


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_forbidden_transition_names_both_states(
    current: EscapState, target: EscapState
) -> None:
    escap = at(current)
    context = TransitionContext(
        NOW,
        assessment=assessment(escap),
        consent=consent(escap),
        patient=PATIENT,
        memberships=team(escap, GP, NURSE, PHYSIO),
        professionals=DIRECTORY,
        exit_reason=ExitReason.OTHER,
    )
    with pytest.raises(TransitionError) as error:
        lifecycle.transition(escap, target, context=context)
    assert error.value.message.endswith(
        f"État actuel : « {current.label} » ; état demandé : « {target.label} »."
    )


@pytest.mark.parametrize("current", [S.DRAFT, S.ASSESSED])
def test_inviting_before_consent(current: EscapState) -> None:
    escap = at(current)
    with pytest.raises(TransitionError) as error:
        lifecycle.invite(escap, consent(escap), NOW)
    assert error.value.message.startswith(
        "Impossible d'inviter des professionnels avant le recueil du consentement du patient."
    )


def test_activating_before_inviting() -> None:
    with pytest.raises(TransitionError, match="avant d'avoir invité les professionnels"):
        lifecycle.transition(at(S.CONSENTED), S.ACTIVE, context=TransitionContext(NOW))


def test_a_closed_escap_never_reopens() -> None:
    with pytest.raises(TransitionError, match="démarrez un nouvel épisode"):
        lifecycle.transition(at(S.CLOSED), S.ACTIVE, context=TransitionContext(NOW))


def test_a_second_first_assessment_is_a_reevaluation() -> None:
    escap = at(S.ACTIVE)
    with pytest.raises(TransitionError, match="une nouvelle grille est une réévaluation"):
        lifecycle.assess(escap, assessment(escap), NOW)


# --- Guards ----------------------------------------------------------------------------------


def test_assessing_needs_an_assessment() -> None:
    with pytest.raises(TransitionError, match="sans grille d'inclusion remplie"):
        lifecycle.transition(DRAFT, S.ASSESSED, context=TransitionContext(NOW))


def test_assessing_needs_an_assessment_of_this_escap() -> None:
    other = make_escap(PATIENT)
    with pytest.raises(TransitionError, match="concerne une autre ESCAP"):
        lifecycle.assess(DRAFT, assessment(other), NOW)


def test_an_ineligible_patient_can_only_be_closed_as_not_eligible() -> None:
    ineligible = assessment(DRAFT, points=12)
    with pytest.raises(TransitionError) as error:
        lifecycle.assess(DRAFT, ineligible, NOW)
    assert error.value.message == (
        "Le patient n'est pas éligible (score de 12 pour un seuil de 13) : l'ESCAP ne peut "
        "qu'être clôturée avec le motif « Patient non éligible ». État actuel : « Brouillon » ; "
        "état demandé : « Évaluée »."
    )
    closed = lifecycle.close(DRAFT, ExitReason.NOT_ELIGIBLE, NOW, assessment=ineligible)
    assert (closed.state, closed.exit_reason) == (S.CLOSED, ExitReason.NOT_ELIGIBLE)


def test_ineligibility_reasons_are_all_named() -> None:
    ineligible = assessment(DRAFT, points=3, diabetes_type=None, on_insulin=False, pregnant=True)
    with pytest.raises(
        TransitionError,
        match=(r"\(aucun prérequis rempli, score de 3 pour un seuil de 13, grossesse en cours\)"),
    ):
        lifecycle.assess(DRAFT, ineligible, NOW)


def test_not_eligible_as_exit_reason_needs_an_ineligible_assessment() -> None:
    with pytest.raises(TransitionError, match="demande une grille d'inclusion qui conclut"):
        lifecycle.close(DRAFT, ExitReason.NOT_ELIGIBLE, NOW)
    with pytest.raises(TransitionError, match="demande une grille d'inclusion qui conclut"):
        lifecycle.close(DRAFT, ExitReason.NOT_ELIGIBLE, NOW, assessment=assessment(DRAFT))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ConsentStatus.PRINTED, "le formulaire de consentement est imprimé mais n'est pas encore"),
        (ConsentStatus.REFUSED, "le patient a refusé de consentir"),
        (ConsentStatus.WITHDRAWN, "le patient a retiré son consentement"),
    ],
)
def test_consent_must_be_signed_and_in_force(status: ConsentStatus, reason: str) -> None:
    escap = at(S.ASSESSED)
    with pytest.raises(
        TransitionError, match=f"Impossible d'enregistrer le consentement : {reason}"
    ):
        lifecycle.record_consent(escap, consent(escap, status), NOW)


def test_a_signed_consent_later_withdrawn_is_not_in_force() -> None:
    escap = at(S.ASSESSED)
    withdrawn = replace(consent(escap), withdrawn_on=date(2025, 6, 20))
    with pytest.raises(TransitionError, match="retiré son consentement"):
        lifecycle.record_consent(escap, withdrawn, NOW)


def test_a_consent_of_another_escap_is_refused() -> None:
    escap = at(S.ASSESSED)
    with pytest.raises(TransitionError, match="concerne une autre ESCAP"):
        lifecycle.record_consent(escap, consent(make_escap(PATIENT)), NOW)


def test_inviting_needs_the_consent_in_force() -> None:
    escap = at(S.CONSENTED)
    with pytest.raises(TransitionError) as error:
        lifecycle.invite(escap, None, NOW)
    assert error.value.message.startswith(
        "Impossible d'inviter des professionnels avant le recueil du consentement du patient."
    )
    with pytest.raises(TransitionError, match="Impossible d'inviter : le patient a retiré"):
        lifecycle.invite(escap, consent(escap, ConsentStatus.WITHDRAWN), NOW)
    active = at(S.ACTIVE)
    with pytest.raises(TransitionError, match="Impossible d'inviter : le patient a retiré"):
        lifecycle.invite(active, consent(active, ConsentStatus.WITHDRAWN), NOW)


def activation(escap: Escap, memberships: tuple[Membership, ...], **changes: object) -> Escap:
    arguments: dict[str, object] = {
        "patient": PATIENT,
        "consent": consent(escap),
        "memberships": memberships,
        "professionals": DIRECTORY,
        "at": NOW,
    } | changes
    return lifecycle.activate(escap, **arguments)  # type: ignore[arg-type]


def test_activating_with_two_members_is_refused() -> None:
    escap = at(S.FORMING)
    with pytest.raises(TransitionError) as error:
        activation(escap, team(escap, GP, NURSE))
    assert error.value.message == (
        "Impossible d'activer l'ESCAP : l'équipe compte 2 professionnels acceptés ; il en faut "
        "au moins 3. État actuel : « Équipe en constitution » ; état demandé : « Active »."
    )


def test_activating_with_a_declined_member_is_refused() -> None:
    escap = at(S.FORMING)
    memberships = (
        *team(escap, GP, NURSE),
        make_membership(escap, PHYSIO, MembershipStatus.DECLINED),
    )
    with pytest.raises(TransitionError, match="l'équipe compte 2 professionnels acceptés"):
        activation(escap, memberships)


def test_activating_without_the_gp_is_refused() -> None:
    escap = at(S.FORMING)
    other_doctor = make_professional(Profession.MEDECIN)
    directory = DIRECTORY | {other_doctor.id: other_doctor}
    with pytest.raises(TransitionError, match="le médecin traitant du patient doit faire partie"):
        activation(escap, team(escap, other_doctor, NURSE, PHYSIO), professionals=directory)


def test_activating_without_a_declared_gp_is_refused() -> None:
    escap = at(S.FORMING)
    with pytest.raises(TransitionError, match="le patient n'a pas de médecin traitant déclaré"):
        activation(
            escap,
            team(escap, GP, NURSE, PHYSIO),
            patient=replace(PATIENT, medecin_traitant_id=None),
        )


def test_activating_after_consent_withdrawal_is_refused() -> None:
    escap = at(S.FORMING)
    with pytest.raises(TransitionError, match="le patient a retiré son consentement"):
        activation(
            escap, team(escap, GP, NURSE, PHYSIO), consent=consent(escap, ConsentStatus.WITHDRAWN)
        )


def test_closing_needs_an_exit_reason() -> None:
    with pytest.raises(TransitionError, match="sans motif de sortie"):
        lifecycle.close(at(S.ACTIVE), None, NOW)


@pytest.mark.parametrize("state", [s for s in S if s is not S.CLOSED])
def test_consent_withdrawal_closes_any_open_escap(state: EscapState) -> None:
    closed = lifecycle.withdraw_consent(at(state), LATER, note="Courrier du 20/06")
    assert (closed.state, closed.exit_reason, closed.closed_at) == (
        S.CLOSED,
        ExitReason.CONSENT_WITHDRAWN,
        LATER,
    )


def test_consent_withdrawal_on_a_closed_escap_is_refused() -> None:
    with pytest.raises(TransitionError, match="déjà à l'état « Clôturée »"):
        lifecycle.withdraw_consent(at(S.CLOSED), LATER)


# --- Re-evaluation ---------------------------------------------------------------------------


def test_a_reevaluation_while_active_keeps_the_state() -> None:
    escap = at(S.ACTIVE)
    assert lifecycle.record_reevaluation(escap, assessment(escap, points=5)) == escap


def test_a_reevaluation_needs_an_evaluated_open_escap_of_its_own() -> None:
    with pytest.raises(TransitionError, match="n'est pas une réévaluation"):
        lifecycle.record_reevaluation(DRAFT, assessment(DRAFT))
    closed = at(S.CLOSED)
    with pytest.raises(TransitionError, match="une réévaluation n'est plus possible"):
        lifecycle.record_reevaluation(closed, assessment(closed))
    with pytest.raises(TransitionError, match="concerne une autre ESCAP"):
        lifecycle.record_reevaluation(at(S.ACTIVE), assessment(make_escap(PATIENT)))


# --- Predicates ------------------------------------------------------------------------------

PREDICATES = {
    "can_assess": {S.DRAFT},
    "can_record_consent": {S.ASSESSED},
    "can_invite": {S.CONSENTED, S.FORMING, S.ACTIVE, S.INCOMPLETE},
    "can_activate": {S.FORMING},
    "can_post_message": {S.FORMING, S.ACTIVE, S.INCOMPLETE},
    "can_edit_plan": {S.FORMING, S.ACTIVE, S.INCOMPLETE},
    "can_reevaluate": {S.ASSESSED, S.CONSENTED, S.FORMING, S.ACTIVE, S.INCOMPLETE},
    "can_close": set(S) - {S.CLOSED},
    "can_withdraw_consent": set(S) - {S.CLOSED},
    "can_restart": {S.CLOSED},
}


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_predicates_match_the_states_where_the_action_is_possible(name: str) -> None:
    predicate = getattr(lifecycle, name)
    assert {state for state in S if predicate(at(state))} == PREDICATES[name]


def test_allowed_targets_follow_the_table() -> None:
    assert lifecycle.allowed_targets(at(S.FORMING)) == {S.ACTIVE, S.CLOSED}


@pytest.mark.parametrize("state", [S.DRAFT, S.ASSESSED, S.CONSENTED])
def test_messages_and_plan_wait_for_the_team(state: EscapState) -> None:
    with pytest.raises(
        TransitionError, match="n'est possible qu'une fois l'équipe en constitution"
    ):
        lifecycle.ensure_can_post_message(at(state))
    with pytest.raises(TransitionError, match="La modification du plan d'actions n'est possible"):
        lifecycle.ensure_can_edit_plan(at(state))


def test_a_closed_escap_takes_no_message_nor_plan_change() -> None:
    with pytest.raises(TransitionError, match="L'ESCAP est clôturée : l'envoi de messages"):
        lifecycle.ensure_can_post_message(at(S.CLOSED))
    with pytest.raises(TransitionError, match="clôturée : la modification du plan"):
        lifecycle.ensure_can_edit_plan(at(S.CLOSED))


@pytest.mark.parametrize("state", [S.FORMING, S.ACTIVE])
def test_messages_and_plan_are_open_to_the_team(state: EscapState) -> None:
    lifecycle.ensure_can_post_message(at(state))
    lifecycle.ensure_can_edit_plan(at(state))


def test_ensure_can_invite() -> None:
    for state in (S.CONSENTED, S.FORMING, S.ACTIVE):
        lifecycle.ensure_can_invite(at(state))
    with pytest.raises(TransitionError, match="avant le recueil du consentement"):
        lifecycle.ensure_can_invite(at(S.ASSESSED))
    with pytest.raises(TransitionError, match="démarrez un nouvel épisode"):
        lifecycle.ensure_can_invite(at(S.CLOSED))


# --- An active team that falls below the rule --------------------------------------------------


def _follow(escap: Escap, memberships: tuple[Membership, ...], when: object = LATER) -> Escap:
    return lifecycle.follow_team(
        escap,
        patient=PATIENT,
        consent=consent(escap),
        memberships=memberships,
        professionals=DIRECTORY,
        at=when,  # type: ignore[arg-type]
    )


def test_an_active_team_down_to_two_is_incomplete_then_active_again_on_the_same_day() -> None:
    active = replace(at(S.ACTIVE), activated_at=NOW)
    full = team(active, GP, NURSE, PHYSIO)
    assert _follow(active, full) == active
    two = (full[0], full[1], replace(full[2], status=MembershipStatus.REMOVED))
    incomplete = _follow(active, two)
    assert incomplete.state is S.INCOMPLETE
    assert S.INCOMPLETE.label == "Équipe incomplète"
    assert lifecycle.is_running(incomplete)
    assert lifecycle.can_invite(incomplete)
    assert lifecycle.can_edit_plan(incomplete)
    assert lifecycle.can_post_message(incomplete)
    assert lifecycle.can_reevaluate(incomplete)
    assert not lifecycle.can_activate(incomplete)  # it comes back by itself, not by a button
    back = _follow(incomplete, full)
    assert (back.state, back.activated_at) == (S.ACTIVE, NOW)


def test_a_team_without_its_medecin_traitant_is_incomplete() -> None:
    active = at(S.ACTIVE)
    another_gp = make_professional(Profession.MEDECIN)
    directory = DIRECTORY | {another_gp.id: another_gp}
    memberships = team(active, NURSE, PHYSIO, another_gp)
    incomplete = lifecycle.follow_team(
        active,
        patient=PATIENT,
        consent=consent(active),
        memberships=memberships,
        professionals=directory,
        at=LATER,
    )
    assert incomplete.state is S.INCOMPLETE


@pytest.mark.parametrize("state", [S.DRAFT, S.ASSESSED, S.CONSENTED, S.FORMING, S.CLOSED])
def test_only_a_running_team_follows_its_members(state: EscapState) -> None:
    escap = at(state)
    assert _follow(escap, ()) == escap


def test_a_complete_team_is_never_marked_incomplete_by_hand() -> None:
    active = at(S.ACTIVE)
    context = TransitionContext(
        NOW, patient=PATIENT, memberships=team(active, GP, NURSE, PHYSIO), professionals=DIRECTORY
    )
    with pytest.raises(TransitionError, match="elle n'est pas incomplète"):
        lifecycle.transition(active, S.INCOMPLETE, context=context)


def test_an_incomplete_team_can_be_closed_and_invite() -> None:
    incomplete = at(S.INCOMPLETE)
    assert lifecycle.invite(incomplete, consent(incomplete), NOW) == incomplete
    closed = lifecycle.close(incomplete, ExitReason.MOVE, LATER)
    assert closed.state is S.CLOSED


def test_the_next_step_of_an_incomplete_team_says_what_to_do() -> None:
    text = lifecycle.incomplete_next_step(["L'équipe compte 2 professionnels acceptés."])
    assert text.startswith("Équipe incomplète. L'équipe compte 2 professionnels acceptés.")
    assert "Invitez un professionnel de santé" in text
