"""Reading whole episodes out of the store for the exports and the dashboard.

The evaluation export and the dashboard need every episode at once: loading each table once and
grouping in memory costs a handful of queries, where one ESCAP page read per episode would cost
ten per episode (and write a "record viewed" audit entry for every patient).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol, TypeVar

from escap_desktop.core.entities import (
    Action,
    BillingRecord,
    Consent,
    Escap,
    Event,
    GridAssessment,
    Membership,
    Patient,
    Professional,
)
from escap_desktop.core.rules.indicators import EpisodeBundle
from escap_desktop.store.unit_of_work import UnitOfWork


class _OfEscap(Protocol):
    @property
    def escap_id(self) -> str: ...


E = TypeVar("E", bound=_OfEscap)


def _by_escap(records: Iterable[E]) -> dict[str, list[E]]:
    grouped: dict[str, list[E]] = defaultdict(list)
    for record in records:
        grouped[record.escap_id].append(record)
    return grouped


def load_all_episodes(uow: UnitOfWork) -> list[EpisodeBundle]:
    """Every episode of the store with its records, oldest first."""
    escaps = uow.find(Escap)
    patients = {p.id: p for p in uow.find(Patient)}
    return _bundles(
        escaps,
        patients,
        {p.id: p for p in uow.find(Professional)},
        assessments=_by_escap(uow.find(GridAssessment)),
        consents=_by_escap(uow.find(Consent)),
        memberships=_by_escap(uow.find(Membership)),
        actions=_by_escap(uow.find(Action)),
        events=_by_escap(uow.find(Event)),
        billing=_by_escap(uow.find(BillingRecord)),
    )


def load_patient_episodes(uow: UnitOfWork, patient_id: str) -> list[EpisodeBundle]:
    """One patient's episodes, first to last; NotFoundError (French) for an unknown patient."""
    patient = uow.get(Patient, patient_id)
    escaps = sorted(uow.find(Escap, patient_id=patient_id), key=lambda e: (e.episode, e.created_at))

    def of(entity_type: type[E]) -> dict[str, list[E]]:
        return {e.id: uow.find(entity_type, escap_id=e.id) for e in escaps}

    return _bundles(
        escaps,
        {patient.id: patient},
        {p.id: p for p in uow.find(Professional)},
        assessments=of(GridAssessment),
        consents=of(Consent),
        memberships=of(Membership),
        actions=of(Action),
        events=of(Event),
        billing=of(BillingRecord),
    )


def _bundles(
    escaps: list[Escap],
    patients: dict[str, Patient],
    professionals: dict[str, Professional],
    *,
    assessments: dict[str, list[GridAssessment]],
    consents: dict[str, list[Consent]],
    memberships: dict[str, list[Membership]],
    actions: dict[str, list[Action]],
    events: dict[str, list[Event]],
    billing: dict[str, list[BillingRecord]],
) -> list[EpisodeBundle]:
    bundles = []
    for escap in escaps:
        patient = patients.get(escap.patient_id)
        if patient is None:  # an episode received before its patient: nothing to show yet
            continue
        grids = tuple(assessments.get(escap.id, ()))
        members = tuple(memberships.get(escap.id, ()))
        plan = tuple(actions.get(escap.id, ()))
        records = tuple(billing.get(escap.id, ()))
        consent_list = consents.get(escap.id, [])
        # Whoever the records name, so indicators such as the multi-professional evaluation
        # (assessors' professions) and the FHIR practitioners are complete.
        named = [m.professional_id for m in members]
        named += [patient.medecin_traitant_id] if patient.medecin_traitant_id else []
        named += [a.assessor_id for a in grids]
        named += [a.created_by for a in plan]
        named += [a.responsible_id for a in plan if a.responsible_id]
        named += [r.professional_id for r in records]
        known = {pid: professionals[pid] for pid in named if pid in professionals}
        bundles.append(
            EpisodeBundle(
                escap=escap,
                patient=patient,
                assessments=grids,
                consent=consent_list[-1] if consent_list else None,
                memberships=members,
                professionals=tuple(known.values()),
                actions=plan,
                events=tuple(events.get(escap.id, ())),
                billing_records=records,
            )
        )
    bundles.sort(key=lambda b: (b.escap.created_at, b.escap.episode, b.escap.id))
    return bundles
