"""Team rules: at least 3 accepted health professionals, the médecin traitant among them.

The médecin traitant is the pivot of the team (earlier coordination schemes failed when the GP
was left out), so the app refuses to activate a team without them and to let them go while the
team is active. Only ACCEPTED members count: invited, declined, departed and removed ones do
not, and social or medico-social actors (aide à domicile...) take part without counting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta, tzinfo
from types import MappingProxyType

from escap_desktop.core.entities import (
    Escap,
    Membership,
    MembershipStatus,
    Patient,
    Prerequisite,
    Profession,
    Professional,
)
from escap_desktop.core.errors import NotFoundError, TeamRuleError
from escap_desktop.core.rules.periods import DateSpan, active_span, membership_span
from escap_desktop.core.rules.wording import join_sentences, plural

MINIMUM_HEALTH_MEMBERS = 3

SPECIALTIES: Mapping[Prerequisite, tuple[str, ...]] = MappingProxyType(
    {
        Prerequisite.POLYPATHOLOGY_OVER_65: ("Gériatre",),
        Prerequisite.STROKE_RECENT: ("Neurologue",),
        Prerequisite.PALLIATIVE: ("Équipe ou médecin de soins palliatifs",),
        Prerequisite.DIABETES_INSULIN: ("Endocrinologue-diabétologue",),
    }
)
"""The specialist who joins "according to the pathologies", for each prerequisite."""

_MT_STATUS_DETAIL = {
    MembershipStatus.INVITED: " (son invitation attend sa réponse)",
    MembershipStatus.DECLINED: " (il a décliné l'invitation)",
    MembershipStatus.LEFT: " (il a quitté l'équipe)",
    MembershipStatus.REMOVED: " (il a été retiré de l'équipe)",
}


def _professional(professionals: Mapping[str, Professional], professional_id: str) -> Professional:
    try:
        return professionals[professional_id]
    except KeyError:
        raise NotFoundError(
            "Un membre de l'équipe est introuvable dans l'annuaire local : resynchronisez ou "
            "ajoutez ce professionnel."
        ) from None


def accepted_health_members(
    memberships: Iterable[Membership], professionals: Mapping[str, Professional]
) -> tuple[Membership, ...]:
    """The accepted members who are health professionals, one per professional."""
    members: dict[str, Membership] = {}
    for membership in memberships:
        if membership.status is not MembershipStatus.ACCEPTED:
            continue
        if _professional(
            professionals, membership.professional_id
        ).profession.is_health_professional:
            members.setdefault(membership.professional_id, membership)
    return tuple(members.values())


def team_problems(
    patient: Patient,
    memberships: Iterable[Membership],
    professionals: Mapping[str, Professional],
) -> list[str]:
    """Every reason the team cannot be active, in French; empty when it is valid.

    ``memberships`` are those of one ESCAP episode; ``professionals`` maps each member's id
    (and the médecin traitant's) to their record.
    """
    memberships = list(memberships)
    problems: list[str] = []
    count = len(accepted_health_members(memberships, professionals))
    if count < MINIMUM_HEALTH_MEMBERS:
        others = any(
            membership.status is MembershipStatus.ACCEPTED
            and not _professional(
                professionals, membership.professional_id
            ).profession.is_health_professional
            for membership in memberships
        )
        accepted = plural(count, "professionnel accepté", "professionnels acceptés")
        note = " (seuls les professionnels de santé comptent)" if others else ""
        problems.append(
            f"L'équipe compte {count} {accepted} ; il en faut au moins "
            f"{MINIMUM_HEALTH_MEMBERS}{note}."
        )
    mt_id = patient.medecin_traitant_id
    if mt_id is None:
        problems.append(
            "Le patient n'a pas de médecin traitant déclaré : renseignez-le dans sa fiche, il "
            "doit faire partie de l'équipe."
        )
        return problems
    mt = professionals.get(mt_id)
    if mt is not None and mt.profession is not Profession.MEDECIN:
        problems.append(
            f"Le médecin traitant déclaré ({mt.display_name}) n'est pas enregistré comme "
            "médecin : corrigez la fiche du patient ou celle du professionnel."
        )
    statuses = {m.status for m in memberships if m.professional_id == mt_id}
    if MembershipStatus.ACCEPTED not in statuses:
        detail = next(
            (_MT_STATUS_DETAIL[status] for status in _MT_STATUS_DETAIL if status in statuses), ""
        )
        problems.append(f"Le médecin traitant du patient doit faire partie de l'équipe{detail}.")
    return problems


def check_team(
    patient: Patient,
    memberships: Iterable[Membership],
    professionals: Mapping[str, Professional],
) -> None:
    """TeamRuleError naming every problem of :func:`team_problems` in one sentence."""
    problems = team_problems(patient, memberships, professionals)
    if problems:
        raise TeamRuleError(join_sentences(problems))


def check_invitation(escap: Escap, memberships: Iterable[Membership], professional_id: str) -> None:
    """A professional is invited at most once per episode, whatever became of that invitation.

    A restart (new episode) may invite them again. Memberships of other episodes are ignored.
    """
    for membership in memberships:
        if membership.escap_id != escap.id or membership.professional_id != professional_id:
            continue
        status = membership.status
        if status is MembershipStatus.ACCEPTED:
            message = "Ce professionnel fait déjà partie de l'équipe de cette ESCAP."
        elif status is MembershipStatus.INVITED:
            message = "Ce professionnel est déjà invité dans cette ESCAP ; sa réponse est attendue."
        else:
            message = (
                f"Ce professionnel a déjà été invité dans cet épisode de l'ESCAP "
                f"({status.label.lower()}) : il ne peut pas être invité une seconde fois."
            )
        raise TeamRuleError(message)


def check_departure(escap: Escap, patient: Patient, membership: Membership) -> None:
    """Only a member or an invitee leaves; the médecin traitant cannot leave, nor be removed,
    while the ESCAP runs (active or incomplete)."""
    if membership.status not in (MembershipStatus.ACCEPTED, MembershipStatus.INVITED):
        raise TeamRuleError(
            f"Ce professionnel ne fait plus partie de l'équipe ({membership.status.label.lower()})"
            " : il n'y a rien à retirer."
        )
    if escap.state.running and membership.professional_id == patient.medecin_traitant_id:
        raise TeamRuleError(
            "Le médecin traitant ne peut pas quitter l'équipe tant que l'ESCAP est active : "
            "le patient doit d'abord déclarer un autre médecin traitant membre de l'équipe, ou "
            "l'ESCAP doit être clôturée."
        )


def team_on(
    memberships: Iterable[Membership], day: date, tz: tzinfo | None = None
) -> list[Membership]:
    """The memberships accepted on ``day`` (from acceptance to departure, both days included),
    as ACCEPTED: the team as it stood that day, for :func:`team_problems`."""
    members = []
    for membership in memberships:
        span = membership_span(membership, tz)
        if span is not None and span.contains(day):
            members.append(replace(membership, status=MembershipStatus.ACCEPTED))
    return members


def incomplete_spans(
    escap: Escap,
    patient: Patient,
    memberships: Iterable[Membership],
    professionals: Mapping[str, Professional],
    *,
    until: date,
    tz: tzinfo | None = None,
) -> tuple[DateSpan, ...]:
    """The days, from activation to closure (or ``until``), on which the team broke the rule.

    Rebuilt from the membership dates, so every member computes the same spans from the same
    merged records; the store keeps no history of states. A member counts up to their departure
    day included (as for billing and allowances); the médecin traitant is the one declared now.
    """
    active = active_span(escap, tz)
    if active is None:
        return ()
    last = active.end if active.end is not None and active.end <= until else until
    mine = [m for m in memberships if m.escap_id == escap.id]
    changes = {active.start}
    for membership in mine:
        span = membership_span(membership, tz)
        if span is not None:
            changes.add(span.start)
            if span.end is not None:
                changes.add(span.end + timedelta(days=1))
    starts = sorted(day for day in changes if active.start <= day <= last)
    spans: list[DateSpan] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else last
        if not team_problems(patient, team_on(mine, start, tz), professionals):
            continue
        if spans and spans[-1].end == start - timedelta(days=1):
            spans[-1] = DateSpan(spans[-1].start, end)
        else:
            spans.append(DateSpan(start, end))
    return tuple(spans)


def suggest_specialties(prerequisites: Iterable[Prerequisite]) -> list[str]:
    """French names of the specialists to bring in for the prerequisites met, without repeats."""
    met = set(prerequisites)
    suggestions: list[str] = []
    for prerequisite in Prerequisite:
        if prerequisite in met:
            suggestions += [s for s in SPECIALTIES[prerequisite] if s not in suggestions]
    return suggestions


def designation_problems(
    designated: Iterable[Professional], medecin_traitant_id: str | None
) -> list[str]:
    """Why the team the patient designates could never become valid (too few health
    professionals, no médecin traitant among them), told before anyone is invited.

    The same rule as :func:`team_problems`, on the professionals designated rather than on the
    accepted memberships: nobody has answered yet, so nothing else can count.
    """
    designated = list(designated)
    count = sum(1 for p in designated if p.profession.is_health_professional)
    problems: list[str] = []
    if count < MINIMUM_HEALTH_MEMBERS:
        noun = plural(count, "professionnel de santé désigné", "professionnels de santé désignés")
        problems.append(
            f"L'équipe doit compter au moins {MINIMUM_HEALTH_MEMBERS} professionnels de santé, "
            f"dont le médecin traitant : {count} {noun} pour l'instant."
        )
    if medecin_traitant_id is None or all(p.id != medecin_traitant_id for p in designated):
        problems.append(
            "Le médecin traitant du patient doit faire partie de l'équipe : choisissez-le dans "
            "la liste (« Médecin traitant »)."
        )
    return problems


def may_administer(
    escap: Escap, patient: Patient, memberships: Iterable[Membership], professional_id: str | None
) -> bool:
    """Whether a professional's devices administer the ESCAP's team on the relay (remove
    members, renew the keys, name other administrators): the médecin traitant's and the
    ESCAP's creator's, while they are accepted members.

    Two professionals rather than the one device that created the team: a GP whose laptop is
    lost, replaced or simply offline no longer blocks the team, and the pivot of the team (the
    médecin traitant) can always act on it, whoever opened the episode."""
    if professional_id is None or professional_id not in (
        escap.created_by,
        patient.medecin_traitant_id,
    ):
        return False
    return any(
        membership.professional_id == professional_id
        and membership.status is MembershipStatus.ACCEPTED
        for membership in memberships
    )
