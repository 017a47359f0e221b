"""The patient list: its figures computed in SQL, kept in ``patient_list``, read in one query.

Each figure (current episode, last grid score, team size, next action due, unread messages) is
computed by :func:`figures_statement`, a per-patient query served by the covering indexes of
migration 0002. Computing it for 10,000 patients at every opening would read and decrypt most of
the file, so units of work refresh the stored figures of the patients they touched, and opening
the list reads two narrow tables only.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    Select,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from escap_desktop.core.entities import (
    ActionStatus,
    EscapState,
    MembershipStatus,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.rules import lifecycle
from escap_desktop.store.first_list import summaries_from_rows
from escap_desktop.store.mapping import LOCAL_PROFILE_SLOT, search_tokens
from escap_desktop.store.models import (
    ActionRow,
    EscapRow,
    GridAssessmentRow,
    LocalProfileRow,
    MembershipRow,
    MessageReadRow,
    MessageRow,
    PatientListRow,
    PatientRow,
)

# Bump when figures_statement changes meaning: every store rebuilds its list at the next opening.
LIST_VERSION = 3
_CHUNK = 500

_FIGURE_COLUMNS = [
    "patient_id",
    "escap_id",
    "escap_state",
    "last_score",
    "team_size",
    "next_due_on",
    "next_action",
    "unread_messages",
]


def figures_statement(
    local_professional_id: str | None,
    patient_ids: Collection[str] | BindParameter[Any] | None = None,
) -> Select[*tuple[Any, ...]]:
    """One row of figures per patient (all patients, or those given — or an expanding bound
    parameter, for a statement built once), in the list's columns."""
    latest = aliased(EscapRow)
    current_escap_id = (
        select(latest.id)
        .where(latest.patient_id == PatientRow.id)
        .order_by(latest.episode.desc(), latest.created_at.desc(), latest.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    chosen = select(PatientRow.id.label("patient_id"), current_escap_id.label("escap_id"))
    if isinstance(patient_ids, BindParameter):
        chosen = chosen.where(PatientRow.id.in_(patient_ids))
    elif patient_ids is not None:
        chosen = chosen.where(PatientRow.id.in_(list(patient_ids)))
    current = chosen.subquery("current_escap")

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
        .where(
            todo.escap_id == EscapRow.id,
            todo.status == ActionStatus.TODO,
            EscapRow.state.in_(list(lifecycle.PLAN_RUNS_IN)),
        )
        .order_by(todo.due_on.is_(None), todo.due_on, todo.created_at, todo.id)
        .limit(1)
        .scalar_subquery()
    )
    next_action = aliased(ActionRow)

    unread: ColumnElement[int]
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
        unread = case((is_member, unread_count), else_=0)
    else:
        unread = literal(0)

    no_escap = EscapRow.id.is_(None)
    incomplete = EscapRow.state == EscapState.INCOMPLETE
    return (
        select(
            current.c.patient_id,
            EscapRow.id,
            EscapRow.state,
            last_score,
            case((no_escap, 0), else_=team_size),
            case((incomplete, None), else_=next_action.due_on),
            case(
                (incomplete, literal(lifecycle.INCOMPLETE_LIST_ACTION)),
                else_=func.coalesce(next_action.title, ""),
            ),
            case((no_escap, 0), else_=unread),
        )
        .select_from(current)
        .outerjoin(EscapRow, EscapRow.id == current.c.escap_id)
        .outerjoin(next_action, next_action.id == next_action_id)
    )


def refresh(session: Session, patient_ids: Collection[str] | None = None) -> None:
    """Recompute the stored figures of these patients (of all patients when None)."""
    me = session.scalar(
        select(LocalProfileRow.professional_id).where(LocalProfileRow.slot == LOCAL_PROFILE_SLOT)
    )
    if patient_ids is None:
        session.execute(delete(PatientListRow))
        session.execute(insert(PatientListRow).from_select(_FIGURE_COLUMNS, figures_statement(me)))
        return
    ids = sorted(set(patient_ids))
    remove, compute = _refresh_statements(me)
    session.flush()
    connection = session.connection()  # Core: the parameters are the ids, not rows to insert
    for start in range(0, len(ids), _CHUNK):
        chunk = {"patient_ids": ids[start : start + _CHUNK]}
        connection.execute(remove, chunk)
        connection.execute(compute, chunk)


@functools.lru_cache(maxsize=8)
def _refresh_statements(me: str | None) -> tuple[Delete, Insert]:
    """Built once per local professional: building the figures' statement costs more than
    running it for the one patient a form saved (every unit of work refreshes its patients)."""
    ids: BindParameter[Any] = bindparam("patient_ids", expanding=True)
    return (
        delete(PatientListRow).where(PatientListRow.patient_id.in_(ids)),
        insert(PatientListRow).from_select(_FIGURE_COLUMNS, figures_statement(me, ids)),
    )


def add_without_episode(session: Session, patient_ids: Sequence[str]) -> None:
    """The figures of new patients who have no ESCAP yet (what :func:`figures_statement` gives
    them), written without computing them: a practice's import adds thousands at once."""
    session.connection().exec_driver_sql(
        'INSERT INTO "patient_list" (patient_id, escap_id, escap_state, last_score, team_size, '
        "next_due_on, next_action, unread_messages) VALUES (?, NULL, NULL, NULL, 0, NULL, '', 0)",
        [(patient_id,) for patient_id in patient_ids],
    )


def list_statement(
    search: str = "", states: set[EscapState] | None = None
) -> Select[*tuple[Any, ...]]:
    """What the patient list reads: identity and stored figures, in display-name order."""
    figures = PatientListRow
    statement: Select[*tuple[Any, ...]] = (
        select(
            PatientRow.id,
            PatientRow.birth_name,
            PatientRow.used_name,
            PatientRow.first_names,
            PatientRow.used_first_name,
            PatientRow.birth_date,
            PatientRow.ins,
            figures.escap_id,
            figures.escap_state,
            figures.last_score,
            func.coalesce(figures.team_size, 0).label("team_size"),
            figures.next_due_on,
            func.coalesce(figures.next_action, "").label("next_action"),
            func.coalesce(figures.unread_messages, 0).label("unread_messages"),
        )
        .select_from(PatientRow)
        .outerjoin(figures, figures.patient_id == PatientRow.id)
        .order_by(PatientRow.sort_key, PatientRow.id)
    )
    for token in search_tokens(search):
        statement = statement.where(PatientRow.search_key.contains(token, autoescape=True))
    if states is not None:
        statement = statement.where(figures.escap_state.in_([EscapState(s) for s in states]))
    return statement


def patient_summaries(
    session: Session, search: str = "", states: set[EscapState] | None = None
) -> list[PatientSummary]:
    """The list as :func:`list_statement` selects it, read in one query straight from the
    SQLCipher connection: the statement is compiled by SQLAlchemy, its rows fetched by the
    driver as plain tuples and each value converted by its column's own type (what SQLAlchemy
    would do per row and per value, for the few columns that need it). Opening a practice of
    10,000 patients reads them all, before anything else is shown."""
    session.flush()  # what an ORM query would write first
    connection = session.connection()
    sql, parameters, converters = _compiled(connection.dialect, list_statement(search, states))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        rows = cursor.execute(sql, parameters).fetchall()
    finally:
        cursor.close()
    return summaries_from_rows(rows, converters)


def _compiled(
    dialect: Any, statement: Select[*tuple[Any, ...]]
) -> tuple[str, tuple[Any, ...], list[tuple[int, Any]]]:
    """The driver's SQL and positional parameters, and the result converter of each column
    that has one (by position)."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    names = compiled.positiontup or []
    converters = []
    for index, column in enumerate(statement.selected_columns):
        convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            converters.append((index, convert))
    return str(compiled), tuple(values[name] for name in names), converters
