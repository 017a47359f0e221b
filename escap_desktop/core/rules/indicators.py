"""The evaluators' indicators, computed from one episode's entities or from many over a period.

The national evaluation asks for: active patients, duration of follow-up, multi-professional
evaluation, home evaluation, care plan produced / validated by / sent to the médecin traitant,
re-evaluations, hospitalisations and emergency visits, exits and their reasons. The definitions
chosen for each are in ``docs/billing.md``; the evaluation export and the dashboard share them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    BillingKind,
    BillingRecord,
    Consent,
    ConsentStatus,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    Membership,
    OtherSchemeKind,
    Patient,
    Prerequisite,
    Profession,
    Professional,
)
from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.core.errors import NotFoundError, ValidationError
from escap_desktop.core.rules import team
from escap_desktop.core.rules.periods import (
    DateSpan,
    active_membership_span,
    active_span,
    membership_span,
    was_accepted,
)


@dataclass(frozen=True, slots=True)
class EpisodeBundle:
    """Everything recorded about one ESCAP episode, gathered by a service from the store.

    ``professionals`` holds at least every professional named by the memberships, and whoever
    else the records mention (assessors, the médecin traitant) when they are known locally.
    """

    escap: Escap
    patient: Patient
    assessments: tuple[GridAssessment, ...] = ()
    consent: Consent | None = None
    memberships: tuple[Membership, ...] = ()
    professionals: tuple[Professional, ...] = ()
    actions: tuple[Action, ...] = ()
    events: tuple[Event, ...] = ()
    billing_records: tuple[BillingRecord, ...] = ()

    @classmethod
    def from_overview(cls, overview: EscapOverview) -> EpisodeBundle:
        """The bundle of the episode an ESCAP page shows (the store reads it in one go)."""
        known = {m.professional.id: m.professional for m in overview.members}
        if overview.medecin_traitant is not None:
            known.setdefault(overview.medecin_traitant.id, overview.medecin_traitant)
        return cls(
            escap=overview.escap,
            patient=overview.patient,
            assessments=overview.assessments,
            consent=overview.consent,
            memberships=tuple(m.membership for m in overview.members),
            professionals=tuple(known.values()),
            actions=overview.actions,
            events=overview.events,
            billing_records=overview.billing,
        )

    def incomplete_spans(self, until: date, tz: tzinfo | None = None) -> tuple[DateSpan, ...]:
        """The days the team was « Équipe incomplète », up to ``until`` (see
        :func:`team.incomplete_spans`); none when a member is unknown here (not decidable)."""
        try:
            return team.incomplete_spans(
                self.escap,
                self.patient,
                self.memberships,
                {p.id: p for p in self.professionals},
                until=until,
                tz=tz,
            )
        except NotFoundError:
            return ()

    def professional(self, professional_id: str | None) -> Professional | None:
        return next((p for p in self.professionals if p.id == professional_id), None)

    @property
    def inclusion_assessment(self) -> GridAssessment | None:
        """The first grid that is not a re-evaluation (the earliest grid if all are)."""
        ordered = sorted(self.assessments, key=lambda a: (a.assessed_on, a.is_reevaluation))
        initial = [a for a in ordered if not a.is_reevaluation]
        chosen = initial or ordered
        return chosen[0] if chosen else None

    @property
    def member_ids(self) -> tuple[str, ...]:
        """Professionals who accepted to join, in invitation order (departed ones included)."""
        ids: dict[str, None] = {}
        for membership in sorted(self.memberships, key=lambda m: m.invited_at):
            if membership.escap_id == self.escap.id and was_accepted(membership):
                ids.setdefault(membership.professional_id)
        return tuple(ids)


@dataclass(frozen=True, slots=True)
class EpisodeIndicators:
    """One episode's indicators; event counts are limited to the period asked for."""

    escap_id: str
    patient_id: str
    episode: int
    state: EscapState
    prerequisites: tuple[Prerequisite, ...]
    score: int | None
    threshold: int | None
    grid_id: str
    grid_version: str
    age_at_assessment: int | None
    assessed_on: date | None
    home_evaluation: bool
    consent_status: ConsentStatus | None
    consent_on: date | None
    team_complete_on: date | None
    exit_on: date | None
    exit_reason: ExitReason | None
    follow_up_days: int | None
    ongoing_at_end: bool
    incomplete_days: int | None
    team_size: int
    professions: tuple[Profession, ...]
    gp_declared: bool
    gp_member: bool
    plan_actions: int
    plan_produced: bool
    plan_validated_by_gp: bool
    plan_received_by_gp: bool
    multiprofessional_evaluation: bool
    reevaluations: int
    hospitalisations: int
    emergency_visits: int
    other_schemes: tuple[OtherSchemeKind, ...]


def check_period(date_from: date, date_to: date) -> DateSpan:
    """The period as a span; a reversed period is an input error, explained in French."""
    if date_from > date_to:
        raise ValidationError(
            f"La date de début ({date_from:%d/%m/%Y}) doit précéder la date de fin "
            f"({date_to:%d/%m/%Y}).",
            field="date_from",
        )
    return DateSpan(date_from, date_to)


def episode_span(escap: Escap, tz: tzinfo | None = None) -> DateSpan:
    """The episode's life, from its creation to its closure (open while not closed)."""
    start = paris_date(escap.created_at, tz)
    end = paris_date(escap.closed_at, tz) if escap.closed_at is not None else None
    return DateSpan(start, max(end, start) if end is not None else None)


def episode_in_period(
    bundle: EpisodeBundle, date_from: date, date_to: date, *, tz: tzinfo | None = None
) -> bool:
    """True when the episode existed during the period; a draft with no grid yet is left out."""
    period = check_period(date_from, date_to)
    if bundle.escap.state is EscapState.DRAFT and not bundle.assessments:
        return False
    return episode_span(bundle.escap, tz).overlaps(period)


def episode_indicators(
    bundle: EpisodeBundle, date_from: date, date_to: date, *, tz: tzinfo | None = None
) -> EpisodeIndicators:
    """Every indicator of one episode over the period ``date_from``..``date_to`` (included)."""
    period = check_period(date_from, date_to)
    escap, patient = bundle.escap, bundle.patient
    inclusion = bundle.inclusion_assessment
    active = active_span(escap, tz)
    follow_up = active.intersection(period) if active is not None else None
    members = [bundle.professional(pid) for pid in bundle.member_ids]
    professions = sorted(
        {p.profession for p in members if p is not None}, key=list(Profession).index
    )
    gp_id = patient.medecin_traitant_id
    plan = [a for a in bundle.actions if a.status is not ActionStatus.CANCELLED]
    consent = bundle.consent
    return EpisodeIndicators(
        escap_id=escap.id,
        patient_id=patient.id,
        episode=escap.episode,
        state=escap.state,
        prerequisites=inclusion.prerequisites_met if inclusion else (),
        score=inclusion.score if inclusion else None,
        threshold=inclusion.threshold if inclusion else None,
        grid_id=inclusion.grid_id if inclusion else "",
        grid_version=inclusion.grid_version if inclusion else "",
        age_at_assessment=patient.age_on(inclusion.assessed_on) if inclusion else None,
        assessed_on=inclusion.assessed_on if inclusion else None,
        home_evaluation=any(a.at_home for a in bundle.assessments),
        consent_status=consent.status if consent else None,
        consent_on=consent.signed_on if consent else None,
        team_complete_on=active.start if active else None,
        exit_on=paris_date(escap.closed_at, tz) if escap.closed_at else None,
        exit_reason=escap.exit_reason,
        follow_up_days=follow_up.days(date_to) if follow_up else None,
        ongoing_at_end=active is not None and active.contains(date_to),
        incomplete_days=_incomplete_days(bundle, period, tz) if active is not None else None,
        team_size=len(bundle.member_ids),
        professions=tuple(professions),
        gp_declared=gp_id is not None,
        gp_member=gp_id is not None and gp_id in bundle.member_ids,
        plan_actions=len(plan),
        plan_produced=bool(plan),
        plan_validated_by_gp=bool(plan) and all(a.mt_validated_on for a in plan),
        plan_received_by_gp=bool(plan) and all(a.mt_received_on for a in plan),
        multiprofessional_evaluation=_multiprofessional(bundle, plan),
        reevaluations=_reevaluations(bundle, period),
        hospitalisations=_count_events(bundle.events, EventKind.HOSPITALISATION, period),
        emergency_visits=_count_events(bundle.events, EventKind.EMERGENCY_VISIT, period),
        other_schemes=tuple(
            sorted({s.kind for s in patient.other_schemes}, key=list(OtherSchemeKind).index)
        ),
    )


def _incomplete_days(bundle: EpisodeBundle, period: DateSpan, tz: tzinfo | None) -> int:
    """Days of the period on which the team was incomplete (both ends included)."""
    assert period.end is not None
    total = 0
    for span in bundle.incomplete_spans(period.end, tz):
        common = span.intersection(period)
        if common is not None and common.end is not None:
            total += (common.end - common.start).days + 1
    return total


def _multiprofessional(bundle: EpisodeBundle, plan: list[Action]) -> bool:
    """At least two professions filled the grids or wrote the plan's actions."""
    authors = {a.assessor_id for a in bundle.assessments} | {a.created_by for a in plan}
    professions = {p.profession for pid in authors if (p := bundle.professional(pid)) is not None}
    return len(professions) >= 2


def _reevaluations(bundle: EpisodeBundle, period: DateSpan) -> int:
    """Re-evaluation grids plus re-evaluation events not linked to a grid, within the period."""
    grids = {
        a.id for a in bundle.assessments if a.is_reevaluation and period.contains(a.assessed_on)
    }
    unlinked = [
        e
        for e in bundle.events
        if e.kind is EventKind.REEVALUATION
        and period.contains(e.occurred_on)
        and (e.assessment_id is None or e.assessment_id not in {a.id for a in bundle.assessments})
    ]
    return len(grids) + len(unlinked)


def _count_events(events: Iterable[Event], kind: EventKind, period: DateSpan) -> int:
    return sum(1 for e in events if e.kind is kind and period.contains(e.occurred_on))


# --- over many episodes ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorSummary:
    """Totals over a period, for the dashboard and the 18-month report."""

    date_from: date
    date_to: date
    episodes: int
    patients: int
    active_patients: int
    inclusions: int
    exits: int
    exits_by_reason: tuple[tuple[ExitReason, int], ...]
    by_situation: tuple[tuple[Prerequisite, int], ...]
    mean_follow_up_days: float | None
    median_follow_up_days: float | None
    multiprofessional_evaluations: int
    home_evaluations: int
    plans_produced: int
    plans_validated_by_gp: int
    plans_received_by_gp: int
    gp_members: int
    reevaluations: int
    hospitalisations: int
    emergency_visits: int


def summarise_indicators(
    bundles: Iterable[EpisodeBundle], date_from: date, date_to: date, *, tz: tzinfo | None = None
) -> IndicatorSummary:
    """Totals over the episodes that existed during the period.

    Active patients had a team active on at least one day of the period; inclusions are teams
    completed (activated) in the period; exits are closures in the period.
    """
    period = check_period(date_from, date_to)
    kept = [b for b in bundles if episode_in_period(b, date_from, date_to, tz=tz)]
    rows = [episode_indicators(b, date_from, date_to, tz=tz) for b in kept]
    active_patients = {
        b.patient.id
        for b in kept
        if (span := active_span(b.escap, tz)) is not None and span.overlaps(period)
    }
    exits = [r for r in rows if r.exit_on is not None and period.contains(r.exit_on)]
    reasons = Counter(r.exit_reason or ExitReason.OTHER for r in exits)
    situations = Counter(p for r in rows for p in r.prerequisites)
    durations = [r.follow_up_days for r in rows if r.follow_up_days is not None]
    return IndicatorSummary(
        date_from=date_from,
        date_to=date_to,
        episodes=len(rows),
        patients=len({r.patient_id for r in rows}),
        active_patients=len(active_patients),
        inclusions=sum(
            1 for r in rows if r.team_complete_on and period.contains(r.team_complete_on)
        ),
        exits=len(exits),
        exits_by_reason=tuple(
            (reason, reasons[reason]) for reason in ExitReason if reasons[reason]
        ),
        by_situation=tuple((p, situations[p]) for p in Prerequisite if situations[p]),
        mean_follow_up_days=statistics.fmean(durations) if durations else None,
        median_follow_up_days=float(statistics.median(durations)) if durations else None,
        multiprofessional_evaluations=sum(r.multiprofessional_evaluation for r in rows),
        home_evaluations=sum(r.home_evaluation for r in rows),
        plans_produced=sum(r.plan_produced for r in rows),
        plans_validated_by_gp=sum(r.plan_validated_by_gp for r in rows),
        plans_received_by_gp=sum(r.plan_received_by_gp for r in rows),
        gp_members=sum(r.gp_member for r in rows),
        reevaluations=sum(r.reevaluations for r in rows),
        hospitalisations=sum(r.hospitalisations for r in rows),
        emergency_visits=sum(r.emergency_visits for r in rows),
    )


@dataclass(frozen=True, slots=True)
class ProfessionalActivity:
    """What one professional did in the period, for the per-professional evaluation file."""

    professional_id: str
    profession: Profession
    episodes: int
    patients: int
    active_episodes: int
    assessments: int
    entries_billed: int
    exits_billed: int
    actions_responsible: int


def professional_activity(
    bundles: Iterable[EpisodeBundle], date_from: date, date_to: date, *, tz: tzinfo | None = None
) -> list[ProfessionalActivity]:
    """One line per professional who was a member, or filled a grid, during the period.

    ``episodes`` counts memberships that overlap the period; ``active_episodes`` those during
    which the team was active in the period (the figure the allowances build on).
    """
    period = check_period(date_from, date_to)
    known: dict[str, Professional] = {}
    episodes: dict[str, set[str]] = {}
    patients: dict[str, set[str]] = {}
    active: dict[str, set[str]] = {}
    counts: dict[str, Counter[str]] = {}
    for bundle in bundles:
        if not episode_in_period(bundle, date_from, date_to, tz=tz):
            continue
        escap = bundle.escap
        for professional in bundle.professionals:
            known.setdefault(professional.id, professional)
        for membership in bundle.memberships:
            pid = membership.professional_id
            span = membership_span(membership, tz)
            if membership.escap_id != escap.id or span is None or not span.overlaps(period):
                continue
            episodes.setdefault(pid, set()).add(escap.id)
            patients.setdefault(pid, set()).add(escap.patient_id)
            in_team = active_membership_span(escap, membership, tz)
            if in_team is not None and in_team.overlaps(period):
                active.setdefault(pid, set()).add(escap.id)
        for assessment in bundle.assessments:
            if period.contains(assessment.assessed_on):
                counts.setdefault(assessment.assessor_id, Counter())["assessments"] += 1
        for record in bundle.billing_records:
            if record.escap_id == escap.id and period.contains(record.billed_on):
                key = "entries" if record.kind is BillingKind.ENTRY else "exits"
                counts.setdefault(record.professional_id, Counter())[key] += 1
        for action in bundle.actions:
            if action.responsible_id and action.status is not ActionStatus.CANCELLED:
                counts.setdefault(action.responsible_id, Counter())["actions"] += 1
    involved = [
        pid for pid in known if pid in episodes or counts.get(pid, Counter())["assessments"]
    ]
    return [
        ProfessionalActivity(
            professional_id=pid,
            profession=known[pid].profession,
            episodes=len(episodes.get(pid, ())),
            patients=len(patients.get(pid, ())),
            active_episodes=len(active.get(pid, ())),
            assessments=counts.get(pid, Counter())["assessments"],
            entries_billed=counts.get(pid, Counter())["entries"],
            exits_billed=counts.get(pid, Counter())["exits"],
            actions_responsible=counts.get(pid, Counter())["actions"],
        )
        for pid in involved
    ]
