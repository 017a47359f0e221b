"""The patient list, computed by SQLite in one statement.

The list is opened many times a day and must stay instant with thousands of patients, so every
column (current episode, last score, team size, next action, unread messages) is a correlated
subquery served by an index of migration 0002, rather than entities loaded and counted in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from escap_desktop.core.entities import (
    ActionStatus,
    EscapState,
    MembershipStatus,
    Patient,
    Sex,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.store.mapping import search_tokens
from escap_desktop.store.models import (
    ActionRow,
    EscapRow,
    GridAssessmentRow,
    MembershipRow,
    MessageReadRow,
    MessageRow,
    PatientRow,
)


def summaries_statement(
    search: str = "",
    states: set[EscapState] | None = None,
    local_professional_id: str | None = None,
) -> Select[Any]:
    """The SELECT behind :func:`patient_summaries` (the benchmark runs it on plain SQLite too)."""
    latest = aliased(EscapRow)
    current_escap_id = (
        select(latest.id)
        .where(latest.patient_id == PatientRow.id)
        .order_by(latest.episode.desc(), latest.created_at.desc(), latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    chosen = select(PatientRow.id.label("patient_id"), current_escap_id.label("escap_id"))
    for token in search_tokens(search):
        chosen = chosen.where(PatientRow.search_key.contains(token, autoescape=True))
    # Materialised, so the per-patient "latest episode" lookup runs once, not once per use.
    current = chosen.cte("current_escap").prefix_with("MATERIALIZED")

    grid = aliased(GridAssessmentRow)
    last_score = (
        select(grid.score)
        .where(grid.escap_id == EscapRow.id)
        .order_by(grid.assessed_on.desc(), grid.recorded_at.desc(), grid.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    team_size = (
        select(func.count())
        .select_from(MembershipRow)
        .where(
            MembershipRow.escap_id == EscapRow.id,
            MembershipRow.status == MembershipStatus.ACCEPTED,
        )
        .scalar_subquery()
    )
    todo = aliased(ActionRow)
    next_action_id = (
        select(todo.id)
        .where(todo.escap_id == EscapRow.id, todo.status == ActionStatus.TODO)
        .order_by(todo.due_on.is_(None), todo.due_on, todo.created_at, todo.id)
        .limit(1)
        .scalar_subquery()
    )
    next_action = aliased(ActionRow)
    if local_professional_id:
        me = local_professional_id
        is_member = exists().where(
            MembershipRow.escap_id == EscapRow.id,
            MembershipRow.professional_id == me,
            MembershipRow.status == MembershipStatus.ACCEPTED,
        )
        unread_count = (
            select(func.count())
            .select_from(MessageRow)
            .where(
                MessageRow.escap_id == EscapRow.id,
                MessageRow.author_id != me,
                ~exists().where(
                    MessageReadRow.message_id == MessageRow.id,
                    MessageReadRow.professional_id == me,
                ),
            )
            .scalar_subquery()
        )
        unread: ColumnElement[int] = case((is_member, unread_count), else_=0)
    else:
        unread = literal(0)

    statement = (
        select(
            PatientRow.id,
            PatientRow.birth_name,
            PatientRow.used_name,
            PatientRow.first_names,
            PatientRow.used_first_name,
            PatientRow.birth_date,
            PatientRow.ins,
            EscapRow.id,
            EscapRow.state,
            last_score,
            case((EscapRow.id.is_(None), 0), else_=team_size),
            next_action.due_on,
            next_action.title,
            case((EscapRow.id.is_(None), 0), else_=unread),
        )
        .select_from(current)
        .join(PatientRow, PatientRow.id == current.c.patient_id)
        .outerjoin(EscapRow, EscapRow.id == current.c.escap_id)
        .outerjoin(next_action, next_action.id == next_action_id)
        .order_by(PatientRow.sort_key, PatientRow.id)
    )
    if states is not None:
        statement = statement.where(EscapRow.state.in_([EscapState(s) for s in states]))
    return statement


def patient_summaries(
    session: Session,
    search: str = "",
    states: set[EscapState] | None = None,
    local_professional_id: str | None = None,
) -> list[PatientSummary]:
    statement = summaries_statement(search, states, local_professional_id)
    summaries = []
    for row in session.execute(statement):
        (
            patient_id,
            birth_name,
            used_name,
            first_names,
            used_first_name,
            birth_date,
            ins,
            escap_id,
            escap_state,
            last_score,
            team_size,
            next_due_on,
            next_title,
            unread,
        ) = row
        # The entity owns the display-name rule; borrow it rather than repeat it here.
        identity = Patient(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth_date,
            sex=Sex.INDETERMINATE,
            used_name=used_name,
            used_first_name=used_first_name,
            id=patient_id,
        )
        summaries.append(
            PatientSummary(
                patient_id=patient_id,
                display_name=identity.display_name,
                birth_name=birth_name,
                used_name=used_name,
                first_names=first_names,
                birth_date=birth_date,
                ins=ins,
                escap_id=escap_id,
                escap_state=escap_state,
                last_score=last_score,
                team_size=int(team_size or 0),
                next_due_on=next_due_on,
                next_action=next_title or "",
                unread_messages=int(unread or 0),
            )
        )
    return summaries
