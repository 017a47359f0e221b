"""One episode's team as the rules read it, and its state kept in step with it.

A team changes in several places: a member removed or an answer recorded here, the patient's
médecin traitant changed in their record, or memberships merged from another member by the
sync. Each of them ends with :func:`follow_team`, so an ESCAP is « Équipe incomplète » exactly
when its team breaks the rule (``core.rules.lifecycle.follow_team`` decides), whoever changed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from escap_desktop.core.entities import Consent, Escap, Membership, Patient, Professional
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules import lifecycle
from escap_desktop.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class EpisodeTeam:
    """What the team rules need about one episode, read in one unit of work."""

    escap: Escap
    patient: Patient
    consent: Consent | None
    memberships: tuple[Membership, ...]
    professionals: dict[str, Professional]


def latest_consent(uow: UnitOfWork, escap_id: str) -> Consent | None:
    consents = uow.find(Consent, escap_id=escap_id)
    return consents[-1] if consents else None


def known_professionals(
    uow: UnitOfWork, memberships: list[Membership] | tuple[Membership, ...], patient: Patient
) -> dict[str, Professional]:
    """The members and the médecin traitant known in this store, by id (unknown ones left out:
    the team rule names them as missing from the directory)."""
    ids = {m.professional_id for m in memberships}
    if patient.medecin_traitant_id:
        ids.add(patient.medecin_traitant_id)
    found = {}
    for professional_id in ids:
        try:
            found[professional_id] = uow.get(Professional, professional_id)
        except NotFoundError:
            continue
    return found


def read_episode_team(uow: UnitOfWork, escap_id: str) -> EpisodeTeam:
    escap = uow.get(Escap, escap_id)
    patient = uow.get(Patient, escap.patient_id)
    memberships = tuple(uow.find(Membership, escap_id=escap_id))
    return EpisodeTeam(
        escap=escap,
        patient=patient,
        consent=latest_consent(uow, escap_id),
        memberships=memberships,
        professionals=known_professionals(uow, memberships, patient),
    )


def follow_team(uow: UnitOfWork, escap_id: str) -> Escap | None:
    """The episode, moved to « Équipe incomplète » or back to « Active » if its team calls for
    it, written in the same unit of work as the change that called for it.

    None when the episode or its patient is not in this store yet (a sync page still on its
    way): the page that brings them decides with the whole team.
    """
    try:
        team = read_episode_team(uow, escap_id)
    except NotFoundError:
        return None
    if not lifecycle.is_running(team.escap):
        return team.escap
    try:
        escap = lifecycle.follow_team(
            team.escap,
            patient=team.patient,
            consent=team.consent,
            memberships=team.memberships,
            professionals=team.professionals,
            at=uow.clock.now(),
        )
    except NotFoundError:
        return team.escap  # a member not in the local directory yet: same as above
    if escap != team.escap:
        uow.put(escap, patient_id=escap.patient_id)
    return escap
