"""The care-plan sheet left at the patient's home for the professionals who visit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reportlab.platypus import Flowable

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    Membership,
    MembershipStatus,
    Professional,
    Sex,
)
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts
from escap_desktop.documents.data import CarePlanData
from escap_desktop.documents.layout import (
    FRAME_WIDTH,
    DocumentMeta,
    build_pdf,
    grid_table,
    notice_box,
    paragraph,
    section,
    spacer,
    styles,
    table_start,
    title_block,
)
from escap_desktop.documents.markup import escape, french_date, professional_title
from escap_desktop.documents.reference import DocumentKind, reference_kind
from escap_desktop.documents.templates import Template, load_template

_SHOWN = (MembershipStatus.ACCEPTED, MembershipStatus.INVITED)


def build_care_plan(data: CarePlanData, *, templates_dir: Path | None = None) -> bytes:
    """The care-plan sheet as PDF bytes: team contacts, actions (who, what, when), next
    re-evaluation. Members who declined or left and cancelled actions are left out."""
    if reference_kind(data.reference) is not DocumentKind.CARE_PLAN:
        raise DocumentError("La référence fournie n'est pas celle d'une fiche de plan de soins.")
    texts = load_template("care_plan", templates_dir)
    common = common_texts(templates_dir)
    patient = data.patient
    values: dict[str, object] = {
        "patient_name": patient.display_name,
        "birth_date": french_date(patient.birth_date),
        "issued_on": french_date(data.issued_on),
        "author_name": data.author.display_name if data.author else "",
        "reference": data.reference,
        "next_reevaluation": french_date(data.next_reevaluation),
    }
    st = styles()
    patient_key = {Sex.FEMALE: "patient_female", Sex.MALE: "patient_male"}.get(
        patient.sex, "patient"
    )
    lines = [
        texts.text(patient_key, **values),
        texts.text("issued" if data.author else "issued_anonymous", **values),
    ]
    story: list[Flowable] = [
        title_block(texts.text("title", **values), lines, [], side_width_mm=1),
        paragraph(texts.text("keep_at_home", **values), st.muted),
        spacer(2),
        notice_box(common.text("emergency", **values)),
    ]
    members = [(m, p) for m, p in data.members if m.status in _SHOWN]
    story += _team(data, members, texts, common, values)
    if patient.caregivers:
        story += _caregivers(data, texts, values)
    names = {p.id: p for _, p in data.members}
    story += _actions(data.actions, names, texts, values)
    key = "planned" if data.next_reevaluation else "unplanned"
    reevaluation = paragraph(texts.text(f"reevaluation.{key}", **values), st.body)
    story += [*section(texts.text("reevaluation.heading", **values), then=[reevaluation])]
    story.append(reevaluation)
    meta = DocumentMeta(
        title=texts.text("title", **values),
        subject=texts.text("subject", **values),
        author=data.author.display_name if data.author else "ESCAP Desktop",
        reference=data.reference,
        header=texts.text("short_title", **values),
        header_left=common.text("header", **values),
    )
    return build_pdf(story, meta)


def _team(
    data: CarePlanData,
    members: Sequence[tuple[Membership, Professional]],
    texts: Template,
    common: Template,
    values: dict[str, object],
) -> list[Flowable]:
    st = styles()
    head = [
        paragraph(texts.text(f"team.{key}", **values), st.cell_head)
        for key in ("col_name", "col_role", "col_contact")
    ]
    rows: list[list[Flowable]] = [head]
    gp_id = data.patient.medecin_traitant_id
    for membership, professional in members:
        name = f"<b>{escape(professional.display_name)}</b><br/>"
        name += escape(professional_title(professional))
        marks = []
        if gp_id and professional.id == gp_id:
            marks.append(common.text("gp_mark"))
        if membership.status is MembershipStatus.INVITED:
            marks.append(texts.text("team.invited", **values))
        if marks:
            name += f"<br/><i>{' · '.join(marks)}</i>"
        rows.append(
            [
                paragraph(name, st.cell),
                paragraph(escape(membership.role) or common.text("missing"), st.cell),
                paragraph(_contact(professional, common), st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.34, FRAME_WIDTH * 0.33, FRAME_WIDTH * 0.33]
    return [
        *section(texts.text("team.heading", **values), then=[table_start(rows, widths)]),
        grid_table(rows, widths),
    ]


def _contact(professional: Professional, common: Template) -> str:
    lines = [f"<b>{escape(professional.phone)}</b>" if professional.phone else ""]
    lines.append(escape(professional.mssante))
    lines.append(escape(professional.town))
    return "<br/>".join(line for line in lines if line) or common.text("missing")


def _caregivers(data: CarePlanData, texts: Template, values: dict[str, object]) -> list[Flowable]:
    st = styles()
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"caregivers.{key}", **values), st.cell_head)
            for key in ("col_name", "col_relationship", "col_phone")
        ]
    ]
    for caregiver in data.patient.caregivers:
        rows.append(
            [
                paragraph(f"<b>{escape(caregiver.full_name)}</b>", st.cell),
                paragraph(escape(caregiver.relationship), st.cell),
                paragraph(escape(caregiver.phone), st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.34, FRAME_WIDTH * 0.33, FRAME_WIDTH * 0.33]
    return [
        *section(texts.text("caregivers.heading", **values), then=[table_start(rows, widths)]),
        grid_table(rows, widths),
    ]


def _actions(
    actions: Sequence[Action],
    names: dict[str, Professional],
    texts: Template,
    values: dict[str, object],
) -> list[Flowable]:
    st = styles()
    title = texts.text("actions.heading", **values)
    shown = sorted(
        (a for a in actions if a.status is not ActionStatus.CANCELLED),
        key=_action_order,
    )
    if not shown:
        return [*section(title), paragraph(texts.text("actions.empty", **values), st.body)]
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"actions.{key}", **values), st.cell_head)
            for key in ("col_action", "col_who", "col_when", "col_status")
        ]
    ]
    for action in shown:
        what = f"<b>{escape(action.title)}</b>"
        if action.details:
            what += f"<br/>{escape(action.details)}"
        who_pro = names.get(action.responsible_id or "")
        who = (
            f"{escape(who_pro.display_name)}<br/><font size='8'>"
            f"{escape(who_pro.profession.label)}</font>"
            if who_pro
            else f"<i>{texts.text('actions.unassigned', **values)}</i>"
        )
        when = escape(french_date(action.due_on)) or texts.text("actions.no_date", **values)
        if action.recurrence:
            when += f"<br/>{escape(action.recurrence)}"
        if action.status is ActionStatus.DONE:
            status = texts.text(
                "actions.done", **values, completed_on=french_date(action.completed_on)
            )
        else:
            status = escape(action.status.label)
        rows.append(
            [
                paragraph(what, st.cell),
                paragraph(who, st.cell),
                paragraph(when, st.cell),
                paragraph(status, st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.46, FRAME_WIDTH * 0.22, FRAME_WIDTH * 0.16, FRAME_WIDTH * 0.16]
    return [*section(title, then=[table_start(rows, widths)]), grid_table(rows, widths)]


def _action_order(action: Action) -> tuple[int, date, str]:
    """To-do first, by due date (undated last), then done ones."""
    done = action.status is ActionStatus.DONE
    return (int(done), action.due_on or date.max, action.title)
