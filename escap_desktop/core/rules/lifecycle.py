"""The lifecycle of an ESCAP episode, as an explicit state machine.

::

    brouillon -> évaluée -> consentement recueilli -> équipe en constitution -> active
        \\___________\\______________\\_______________________\\_______________\\--> clôturée
                                          active <-> équipe incomplète --> clôturée

Any state but "clôturée" may be closed (with an exit reason). A closed episode never reopens:
following the patient again is a new episode (:func:`restart`: episode + 1, a new team id).
An active team that falls below the rule (fewer than 3 accepted health professionals, or
without the médecin traitant) is « Équipe incomplète » until it is complete again:
:func:`follow_team` moves it both ways from the memberships, wherever they changed (here, or
merged from another member).
A re-evaluation (a new grid) does not change the state.

Every refusal is a :class:`TransitionError` whose French message says why, then names the
current and the requested states. The ``can_*`` predicates let the GUI enable or disable buttons
without catching errors; ``ensure_*`` raise the same refusal for services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from escap_desktop.core.entities import (
    Consent,
    Escap,
    EscapState,
    ExitReason,
    GridAssessment,
    Membership,
    Patient,
    Professional,
)
from escap_desktop.core.errors import TransitionError
from escap_desktop.core.rules import consent as consent_rules
from escap_desktop.core.rules.team import team_problems
from escap_desktop.core.rules.wording import join_sentences, lower_first

S = EscapState

TRANSITIONS: Mapping[EscapState, frozenset[EscapState]] = MappingProxyType(
    {
        S.DRAFT: frozenset({S.ASSESSED, S.CLOSED}),
        S.ASSESSED: frozenset({S.CONSENTED, S.CLOSED}),
        S.CONSENTED: frozenset({S.FORMING, S.CLOSED}),
        S.FORMING: frozenset({S.ACTIVE, S.CLOSED}),
        S.ACTIVE: frozenset({S.INCOMPLETE, S.CLOSED}),
        S.INCOMPLETE: frozenset({S.ACTIVE, S.CLOSED}),
        S.CLOSED: frozenset(),
    }
)
"""The allowed transitions; a restart after closure is a new episode, not a transition."""

RUNNING_STATES = frozenset(state for state in S if state.running)
"""Activated and not closed: the team follows the patient, complete or not."""
_INVITING_STATES = frozenset({S.CONSENTED, S.FORMING}) | RUNNING_STATES
_TEAM_STATES = frozenset({S.FORMING}) | RUNNING_STATES
_REEVALUATION_STATES = frozenset({S.ASSESSED, S.CONSENTED, S.FORMING}) | RUNNING_STATES

_NO_CONSENT = "Impossible d'inviter des professionnels avant le recueil du consentement du patient."


@dataclass(frozen=True, slots=True)
class TransitionContext:
    """What the guards need; each step reads only its own part.

    ``at`` stamps ``activated_at`` / ``closed_at``. ``assessment`` is the grid for "évaluée" (and
    for closing as not eligible); ``consent`` for "consentement recueilli", for inviting and for
    activating; ``patient``, ``memberships`` and ``professionals`` for activating.
    """

    at: datetime
    assessment: GridAssessment | None = None
    consent: Consent | None = None
    patient: Patient | None = None
    memberships: tuple[Membership, ...] = ()
    professionals: Mapping[str, Professional] = field(default_factory=dict)
    exit_reason: ExitReason | None = None
    exit_note: str = ""


def _refusal(current: EscapState, target: EscapState, sentence: str) -> TransitionError:
    return TransitionError(
        f"{sentence} État actuel : « {current.label} » ; état demandé : « {target.label} »."
    )


def _forbidden_sentence(current: EscapState, target: EscapState) -> str:
    """Why a transition absent from the table is refused, in the professional's words."""
    if current is target:
        return f"L'ESCAP est déjà à l'état « {current.label} »."
    if current is S.CLOSED:
        return "L'ESCAP est clôturée : pour reprendre le suivi, démarrez un nouvel épisode."
    if target is S.DRAFT:
        return "Une ESCAP ne revient jamais à l'état brouillon."
    if target is S.ASSESSED:
        return (
            "L'ESCAP a déjà été évaluée : une nouvelle grille est une réévaluation, qui ne "
            "change pas son état."
        )
    if target is S.CONSENTED:
        if current is S.DRAFT:
            return (
                "Impossible de recueillir le consentement avant l'évaluation du patient par la "
                "grille d'inclusion."
            )
        return "Le consentement du patient a déjà été recueilli."
    if target is S.FORMING:
        if current in (S.DRAFT, S.ASSESSED):
            return _NO_CONSENT
        return (
            "L'équipe est déjà active : de nouveaux membres peuvent être invités sans changer "
            "l'état de l'ESCAP."
        )
    if target is S.INCOMPLETE:
        return "Seule une équipe active peut devenir incomplète."
    return "Impossible d'activer l'ESCAP avant d'avoir invité les professionnels de l'équipe."


def _consent_problem(
    escap: Escap, consent: Consent | None, *, activation: bool = False
) -> str | None:
    """Why the consent does not allow going on (the team, or with ``activation`` the ESCAP's
    activation), or None; the table is :data:`consent_rules.CONSENT_RULES`."""
    if consent is not None and consent.escap_id != escap.id:
        return "le consentement fourni concerne une autre ESCAP."
    allowed = consent_rules.allows(consent)
    if allowed.activation or (allowed.team and not activation):
        return None
    return allowed.why_not


def _invitation_problem(escap: Escap, consent: Consent | None) -> str | None:
    problem = _consent_problem(escap, consent)
    if problem is None:
        return None
    return _NO_CONSENT if consent is None else f"Impossible d'inviter : {problem}"


def _assessment_problem(escap: Escap, assessment: GridAssessment | None) -> str | None:
    if assessment is None:
        return "Impossible de passer à l'état évaluée sans grille d'inclusion remplie."
    if assessment.escap_id != escap.id:
        return "La grille d'inclusion fournie concerne une autre ESCAP."
    if assessment.eligible:
        return None
    reasons = []
    if not assessment.prerequisites_met:
        reasons.append("aucun prérequis rempli")
    if assessment.score < assessment.threshold:
        reasons.append(f"score de {assessment.score} pour un seuil de {assessment.threshold}")
    if assessment.situation.pregnant:
        reasons.append("grossesse en cours")
    detail = f" ({', '.join(reasons)})" if reasons else ""
    return (
        f"Le patient n'est pas éligible{detail} : l'ESCAP ne peut qu'être clôturée avec le motif "
        f"« {ExitReason.NOT_ELIGIBLE.label} »."
    )


def _guard(escap: Escap, target: EscapState, context: TransitionContext) -> str | None:
    """Why an allowed transition cannot happen now (a French sentence), or None."""
    if target is S.ASSESSED:
        return _assessment_problem(escap, context.assessment)
    if target is S.CONSENTED:
        problem = _consent_problem(escap, context.consent)
        return f"Impossible d'enregistrer le consentement : {problem}" if problem else None
    if target is S.FORMING:
        return _invitation_problem(escap, context.consent)
    if target is S.INCOMPLETE:
        if context.patient is None:
            raise ValueError("checking a team needs the patient in the context")
        if team_problems(context.patient, context.memberships, context.professionals):
            return None
        return "L'équipe remplit les règles : elle n'est pas incomplète."
    if target is S.ACTIVE:
        if context.patient is None:
            raise ValueError("activating an ESCAP needs the patient in the context")
        problems = team_problems(context.patient, context.memberships, context.professionals)
        consent = _consent_problem(escap, context.consent, activation=True)
        if consent:
            problems.append(consent)
        if not problems:
            return None
        return f"Impossible d'activer l'ESCAP : {lower_first(join_sentences(problems))}"
    return _close_problem(context)


def _close_problem(context: TransitionContext) -> str | None:
    reason = context.exit_reason
    if reason is None:
        return "Impossible de clôturer l'ESCAP sans motif de sortie."
    if reason is ExitReason.NOT_ELIGIBLE and (
        context.assessment is None or context.assessment.eligible
    ):
        return (
            f"Le motif « {reason.label} » demande une grille d'inclusion qui conclut à la "
            "non-éligibilité du patient."
        )
    return None


def transition(escap: Escap, target: EscapState, *, context: TransitionContext) -> Escap:
    """The ESCAP in ``target`` state, or TransitionError saying why not (both states named)."""
    current = escap.state
    if target not in TRANSITIONS[current]:
        raise _refusal(current, target, _forbidden_sentence(current, target))
    problem = _guard(escap, target, context)
    if problem is not None:
        raise _refusal(current, target, problem)
    if target is S.ACTIVE:
        # A team complete again keeps its activation day: it is the same ESCAP going on.
        return replace(escap, state=target, activated_at=escap.activated_at or context.at)
    if target is S.CLOSED:
        return replace(
            escap,
            state=target,
            closed_at=context.at,
            exit_reason=context.exit_reason,
            exit_note=context.exit_note.strip(),
        )
    return replace(escap, state=target)


# --- One function per step -------------------------------------------------------------------


def assess(escap: Escap, assessment: GridAssessment, at: datetime) -> Escap:
    """Brouillon -> évaluée, with an eligible assessment of this ESCAP."""
    return transition(escap, S.ASSESSED, context=TransitionContext(at, assessment=assessment))


def record_consent(
    escap: Escap, consent: Consent, at: datetime, *, previous: Consent | None = None
) -> Escap:
    """Évaluée -> consentement recueilli, with a signed consent in force.

    The signed form that confirms an oral consent (``previous``) changes the consent, not the
    state: the team may already be forming, and may now be activated.
    """
    confirms_oral = (
        consent_rules.standing(previous) is consent_rules.ConsentStanding.ORAL_PENDING
        and consent_rules.standing(consent) is consent_rules.ConsentStanding.SIGNED
        and escap.state in (S.CONSENTED, S.FORMING)
    )
    if confirms_oral:
        return escap
    return transition(escap, S.CONSENTED, context=TransitionContext(at, consent=consent))


def invite(escap: Escap, consent: Consent | None, at: datetime) -> Escap:
    """The ESCAP once a professional is invited: the first invitation starts forming the team.

    Later invitations (team forming or active) leave the state as it is. The consent must be in
    force. Whether this professional may be invited is :func:`team.check_invitation`.
    """
    if escap.state in _TEAM_STATES:
        problem = _invitation_problem(escap, consent)
        if problem is not None:
            raise TransitionError(f"{problem} État actuel : « {escap.state.label} ».")
        return escap
    return transition(escap, S.FORMING, context=TransitionContext(at, consent=consent))


def activate(
    escap: Escap,
    *,
    patient: Patient,
    consent: Consent | None,
    memberships: tuple[Membership, ...] | list[Membership],
    professionals: Mapping[str, Professional],
    at: datetime,
) -> Escap:
    """Équipe en constitution -> active, when the team rules hold and the consent is in force."""
    context = _team_context(at, patient, consent, memberships, professionals)
    return transition(escap, S.ACTIVE, context=context)


def _team_context(
    at: datetime,
    patient: Patient,
    consent: Consent | None,
    memberships: tuple[Membership, ...] | list[Membership],
    professionals: Mapping[str, Professional],
) -> TransitionContext:
    """What activating, and following a running team, read."""
    return TransitionContext(
        at,
        consent=consent,
        patient=patient,
        memberships=tuple(memberships),
        professionals=professionals,
    )


def follow_team(
    escap: Escap,
    *,
    patient: Patient,
    consent: Consent | None,
    memberships: tuple[Membership, ...] | list[Membership],
    professionals: Mapping[str, Professional],
    at: datetime,
) -> Escap:
    """The running ESCAP in the state its team calls for: « Équipe incomplète » as soon as the
    team breaks the rule, « Active » again once it holds (the same guards as activation).

    Any other state is returned as it is. Services call it after every change of a team, and
    the sync after every merge, so the state never lags behind the memberships.
    """
    if escap.state not in RUNNING_STATES:
        return escap
    broken = bool(team_problems(patient, memberships, professionals))
    target = S.INCOMPLETE if broken else S.ACTIVE
    if target is escap.state:
        return escap
    context = _team_context(at, patient, consent, memberships, professionals)
    try:
        return transition(escap, target, context=context)
    except TransitionError:
        return escap  # back to « Active » waits for what activation needs (a signed consent)


INCOMPLETE_LIST_ACTION = "Équipe incomplète : inviter un professionnel de santé"
"""The next action the patient list and "Mes ESCAP" show for an incomplete team (before any
action of the plan: the team must be completed first)."""


def incomplete_next_step(problems: list[str]) -> str:
    """What the ESCAP page, the patient list and "Mes ESCAP" say of an incomplete team."""
    why = f" {join_sentences(problems)}" if problems else ""
    return (
        f"Équipe incomplète.{why} Invitez un professionnel de santé désigné par le patient : "
        "l'ESCAP redevient active dès que l'équipe est complète."
    )


def close(
    escap: Escap,
    reason: ExitReason | None,
    at: datetime,
    *,
    note: str = "",
    assessment: GridAssessment | None = None,
) -> Escap:
    """Any open state -> clôturée, with an exit reason (NOT_ELIGIBLE needs that assessment)."""
    context = TransitionContext(at, assessment=assessment, exit_reason=reason, exit_note=note)
    return transition(escap, S.CLOSED, context=context)


def withdraw_consent(escap: Escap, at: datetime, *, note: str = "") -> Escap:
    """The patient withdraws consent: the ESCAP closes at once, whatever its open state."""
    return close(escap, ExitReason.CONSENT_WITHDRAWN, at, note=note)


def restart(escap: Escap, *, at: datetime, created_by: str) -> Escap:
    """A new episode for the same patient after a closure: brouillon, episode + 1, new team id."""
    if escap.state is not S.CLOSED:
        raise TransitionError(
            "Impossible de démarrer un nouvel épisode : l'ESCAP en cours n'est pas clôturée "
            f"(état actuel : « {escap.state.label} »)."
        )
    return Escap(
        patient_id=escap.patient_id,
        created_by=created_by,
        created_at=at,
        episode=escap.episode + 1,
    )


def record_reevaluation(escap: Escap, assessment: GridAssessment) -> Escap:
    """A new grid on an evaluated ESCAP (typically active): allowed, the state does not change.

    An ineligible re-evaluation does not close the ESCAP by itself: the team decides, and may
    then :func:`close` it with that assessment as ``NOT_ELIGIBLE``.
    """
    if escap.state not in _REEVALUATION_STATES:
        sentence = (
            "L'ESCAP est clôturée : une réévaluation n'est plus possible."
            if escap.state is S.CLOSED
            else "La première grille d'inclusion fait passer l'ESCAP à l'état évaluée : ce "
            "n'est pas une réévaluation."
        )
        raise TransitionError(f"{sentence} État actuel : « {escap.state.label} ».")
    if assessment.escap_id != escap.id:
        raise TransitionError("La grille d'inclusion fournie concerne une autre ESCAP.")
    return escap


# --- Predicates for the GUI, and their raising twins for services ----------------------------


def allowed_targets(escap: Escap) -> frozenset[EscapState]:
    return TRANSITIONS[escap.state]


def can_assess(escap: Escap) -> bool:
    return escap.state is S.DRAFT


def can_record_consent(escap: Escap) -> bool:
    return escap.state is S.ASSESSED


def can_invite(escap: Escap) -> bool:
    return escap.state in _INVITING_STATES


def is_running(escap: Escap) -> bool:
    """Activated and not closed (active or incomplete)."""
    return escap.state in RUNNING_STATES


def can_activate(escap: Escap) -> bool:
    """The state allows it; :func:`team.team_problems` says whether the team is ready."""
    return escap.state is S.FORMING


def can_post_message(escap: Escap) -> bool:
    return escap.state in _TEAM_STATES


def can_edit_plan(escap: Escap) -> bool:
    return escap.state in _TEAM_STATES


def can_reevaluate(escap: Escap) -> bool:
    return escap.state in _REEVALUATION_STATES


def can_close(escap: Escap) -> bool:
    return escap.state is not S.CLOSED


def can_withdraw_consent(escap: Escap) -> bool:
    return escap.state is not S.CLOSED


def can_restart(escap: Escap) -> bool:
    return escap.state is S.CLOSED


def _team_only(escap: Escap, what: str) -> None:
    if escap.state is S.CLOSED:
        raise TransitionError(f"L'ESCAP est clôturée : {what} n'est plus possible.")
    if escap.state not in _TEAM_STATES:
        raise TransitionError(
            f"{what[:1].upper()}{what[1:]} n'est possible qu'une fois l'équipe en constitution "
            f"(état actuel : « {escap.state.label} »)."
        )


def ensure_can_post_message(escap: Escap) -> None:
    _team_only(escap, "l'envoi de messages dans l'équipe")


PLAN_RUNS_IN = _TEAM_STATES
"""The states in which the plan of actions runs. At exit the plan stops: its open actions stay
in the records as history (as they were — evaluation counts what was planned), but no screen,
list or reminder shows them as a next action any more."""


def plan_runs(state: EscapState) -> bool:
    return state in PLAN_RUNS_IN


def ensure_can_edit_plan(escap: Escap) -> None:
    _team_only(escap, "la modification du plan d'actions")


def ensure_can_invite(escap: Escap) -> None:
    if escap.state is S.CLOSED:
        raise TransitionError(
            "L'ESCAP est clôturée : pour inviter de nouveau, démarrez un nouvel épisode."
        )
    if not can_invite(escap):
        raise TransitionError(f"{_NO_CONSENT} État actuel : « {escap.state.label} ».")
