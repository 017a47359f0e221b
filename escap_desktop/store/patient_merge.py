"""Two records of one patient on this computer: merged, proposed, decided (see
``core.entities.patient_merge``).

The record that stays is always the one a team shares (the id every member knows): the other,
a record only this computer had, gives it its episodes, consents and grids, and its audit trail
is read with the kept record's (the trail is append-only: its entries are never rewritten).
A record already shared with another team is never absorbed — its id is known elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from escap_desktop.core.entities import (
    AuditKind,
    Caregiver,
    IdentityDocument,
    IdentityStatus,
    MergeReason,
    MergeState,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    PatientMerge,
    Sex,
)
from escap_desktop.core.entities.patient_merge import differing_traits
from escap_desktop.core.errors import NotFoundError, ValidationError
from escap_desktop.core.rules import identity
from escap_desktop.store.audit_phrases import merge_phrase
from escap_desktop.store.models import (
    ConsentRow,
    EscapRow,
    GridAssessmentRow,
    PatientListRow,
    PatientMergeRow,
    PatientRow,
)
from escap_desktop.store.sync_models import SyncSharedRow, SyncTeamRow
from escap_desktop.store.unit_of_work import UnitOfWork

_REPOINTED = (EscapRow, ConsentRow, GridAssessmentRow)
"""The records that name their patient directly (the others name the episode)."""


def link_received_patient(uow: UnitOfWork, received: Patient) -> PatientMerge | None:
    """A team's patient just arrived here for the first time: a record of the same INS that
    only this computer had is merged into it; one with the same traits is proposed."""
    candidates = {p.id: p for p in uow.find(Patient, birth_date=received.birth_date)}
    if received.ins:
        candidates.update({p.id: p for p in uow.find(Patient, ins=received.ins)})
    declined = _declined_pairs(uow, received.id)
    for duplicate in identity.possible_duplicates(received, candidates.values()):
        other = duplicate.patient
        if other.id in declined or is_shared_elsewhere(uow, other.id):
            continue
        if duplicate.same_ins:
            state = MergeState.TO_REVIEW if differing_traits(received, other) else MergeState.DONE
            return absorb(uow, received, other, MergeReason.SAME_INS, state)
        return propose(uow, received.id, other)
    return None


def is_shared_elsewhere(uow: UnitOfWork, patient_id: str) -> bool:
    """Sent to (or received from) a team, or followed in an episode that has a relay team."""
    session = uow.session
    shared = session.scalars(
        select(SyncSharedRow.team_id).where(
            SyncSharedRow.entity_type == "Patient", SyncSharedRow.entity_id == patient_id
        )
    ).first()
    if shared is not None:
        return True
    episodes = select(EscapRow.id).where(EscapRow.patient_id == patient_id)
    team = session.scalars(select(SyncTeamRow.team_id).where(SyncTeamRow.escap_id.in_(episodes)))
    return team.first() is not None


def absorb(
    uow: UnitOfWork,
    kept: Patient,
    other: Patient,
    reason: MergeReason,
    state: MergeState = MergeState.DONE,
    *,
    existing: PatientMerge | None = None,
) -> PatientMerge:
    """``other``'s episodes, consents and grids now belong to ``kept``; ``other`` is kept whole
    in the merge record, and both trails say so."""
    if is_shared_elsewhere(uow, other.id):
        raise ValidationError(
            "Ce dossier est déjà partagé avec une autre équipe : il ne peut pas être fusionné "
            "dans un autre. Fusionnez plutôt l'autre dossier dans celui-ci.",
            field="birth_name",
        )
    session = uow.session
    session.flush()
    for row_type in _REPOINTED:
        session.execute(
            update(row_type)
            .where(row_type.patient_id == other.id)
            .values(patient_id=kept.id)
            .execution_options(synchronize_session=False)
        )
    session.execute(delete(PatientListRow).where(PatientListRow.patient_id == other.id))
    row = session.get(PatientRow, other.id)
    if row is not None:
        session.delete(row)
    session.flush()
    uow.forget_patient_rows(other.id)
    merge = _save(
        uow,
        existing
        or PatientMerge(
            kept_id=kept.id, other=other, reason=reason, state=state, found_at=uow.clock.now()
        ),
        state,
        decided=state is MergeState.DONE and existing is not None,
    )
    phrase = merge_phrase(reason)
    uow.audit(AuditKind.UPDATED, "Patient", kept.id, patient_id=kept.id, summary=phrase)
    uow.audit(AuditKind.UPDATED, "Patient", other.id, patient_id=other.id, summary=phrase)
    uow.mark_patient_list_stale(kept.id)
    return merge


def propose(uow: UnitOfWork, kept_id: str, other: Patient) -> PatientMerge:
    """Same traits, no INS to tell: both records stay until the professional decides."""
    for merge in pending_merges(uow):
        if {merge.kept_id, merge.other.id} == {kept_id, other.id}:
            return merge
    return _save(
        uow,
        PatientMerge(
            kept_id=kept_id,
            other=other,
            reason=MergeReason.SAME_TRAITS,
            state=MergeState.PROPOSED,
            found_at=uow.clock.now(),
        ),
        MergeState.PROPOSED,
    )


def decide(uow: UnitOfWork, merge: PatientMerge, state: MergeState) -> PatientMerge:
    return _save(uow, merge, state, decided=True)


def pending_merges(uow: UnitOfWork) -> list[PatientMerge]:
    rows = uow.session.scalars(
        select(PatientMergeRow)
        .where(PatientMergeRow.state.in_((MergeState.PROPOSED, MergeState.TO_REVIEW)))
        .order_by(PatientMergeRow.found_at, PatientMergeRow.id)
    )
    return [_entity(row) for row in rows]


def get_merge(uow: UnitOfWork, merge_id: str) -> PatientMerge:
    row = uow.session.get(PatientMergeRow, merge_id)
    if row is None:
        raise NotFoundError("Cette fusion de dossiers n'existe plus (déjà traitée ?).")
    return _entity(row)


def merged_into(uow: UnitOfWork, kept_id: str) -> list[str]:
    """The ids of the records absorbed by ``kept_id`` (their trails are part of its trail)."""
    return list(
        uow.session.scalars(
            select(PatientMergeRow.other_id).where(
                PatientMergeRow.kept_id == kept_id,
                PatientMergeRow.state.in_((MergeState.TO_REVIEW, MergeState.DONE)),
            )
        )
    )


def _declined_pairs(uow: UnitOfWork, patient_id: str) -> set[str]:
    rows = uow.session.scalars(
        select(PatientMergeRow).where(
            PatientMergeRow.state == MergeState.DECLINED,
            (PatientMergeRow.kept_id == patient_id) | (PatientMergeRow.other_id == patient_id),
        )
    )
    return {row.other_id if row.kept_id == patient_id else row.kept_id for row in rows}


def _save(
    uow: UnitOfWork, merge: PatientMerge, state: MergeState, *, decided: bool = False
) -> PatientMerge:
    if decided:
        merge = replace(merge, state=state, decided_by=uow.actor_id, decided_at=uow.clock.now())
    else:
        merge = replace(merge, state=state)
    row = uow.session.get(PatientMergeRow, merge.id) or PatientMergeRow(id=merge.id)
    row.kept_id = merge.kept_id
    row.other_id = merge.other.id
    row.other_version = json.dumps(_patient_to_json(merge.other), ensure_ascii=False)
    row.reason = merge.reason.value
    row.state = merge.state.value
    row.found_at = merge.found_at
    row.decided_by = merge.decided_by
    row.decided_at = merge.decided_at
    uow.session.add(row)
    return merge


def _entity(row: PatientMergeRow) -> PatientMerge:
    return PatientMerge(
        kept_id=row.kept_id,
        other=_patient_from_json(json.loads(row.other_version)),
        reason=MergeReason(row.reason),
        state=MergeState(row.state),
        found_at=row.found_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        id=row.id,
    )


def _patient_to_json(patient: Patient) -> dict[str, Any]:
    values = asdict(patient)
    for name in ("birth_date", "identity_verified_on"):
        if values[name] is not None:
            values[name] = values[name].isoformat()
    for scheme in values["other_schemes"]:
        if scheme["since"] is not None:
            scheme["since"] = scheme["since"].isoformat()
    return values


def _patient_from_json(values: dict[str, Any]) -> Patient:
    verified_on = values.get("identity_verified_on")
    document = values.get("identity_document")
    return Patient(
        **{
            **values,
            "birth_date": date.fromisoformat(values["birth_date"]),
            "sex": Sex(values["sex"]),
            "identity_status": IdentityStatus(values["identity_status"]),
            "identity_document": IdentityDocument(document) if document else None,
            "identity_verified_on": date.fromisoformat(verified_on) if verified_on else None,
            "caregivers": tuple(Caregiver(**c) for c in values.get("caregivers", ())),
            "other_schemes": tuple(
                OtherScheme(
                    kind=OtherSchemeKind(s["kind"]),
                    since=date.fromisoformat(s["since"]) if s.get("since") else None,
                    contact=s.get("contact", ""),
                    id=s["id"],
                )
                for s in values.get("other_schemes", ())
            ),
        }
    )
