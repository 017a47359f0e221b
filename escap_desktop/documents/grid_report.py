"""The printed inclusion grid: prerequisites, every item with its answer and points, result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, TableStyle

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts
from escap_desktop.documents.data import GridItemRow, GridReportData
from escap_desktop.documents.layout import (
    ACCENT,
    FRAME_WIDTH,
    TINT,
    DocumentMeta,
    build_pdf,
    bullets,
    grid_table,
    keep_together,
    key_value_table,
    paragraph,
    section,
    spacer,
    styles,
    table_start,
    title_block,
)
from escap_desktop.documents.markup import (
    escape,
    format_ins,
    french_date,
    patient_full_name,
    professional_title,
)
from escap_desktop.documents.reference import DocumentKind, reference_kind
from escap_desktop.documents.templates import Template, load_template


def build_grid_report(data: GridReportData, *, templates_dir: Path | None = None) -> bytes:
    """The grid report as PDF bytes.

    Raises :class:`DocumentError` when the items passed are not those of the assessment's grid
    version (an item answered but missing, or a score that does not add up): printing an
    assessment with another version's wording would misstate what was assessed.
    """
    if reference_kind(data.reference) is not DocumentKind.GRID_REPORT:
        raise DocumentError("La référence fournie n'est pas celle d'un compte rendu de grille.")
    assessment = data.assessment
    _check_items(data.items, assessment.answers, assessment.score, assessment.grid_version)
    texts = load_template("grid_report", templates_dir)
    common = common_texts(templates_dir)
    patient = data.patient
    max_score = sum(item.points for item in data.items)
    values: dict[str, object] = {
        "patient_name": patient_full_name(patient),
        "assessor_name": data.assessor.display_name,
        "assessor_title": professional_title(data.assessor),
        "assessed_on": french_date(assessment.assessed_on),
        "grid_id": assessment.grid_id,
        "grid_version": assessment.grid_version,
        "grid_title": data.grid_title or assessment.grid_id,
        "score": assessment.score,
        "max_score": max_score,
        "threshold": assessment.threshold,
        "reference": data.reference,
        "age": patient.age_on(assessment.assessed_on),
    }
    st = styles()
    title_key = "reevaluation_title" if assessment.is_reevaluation else "title"
    lines = [texts.text("grid", **values), texts.text("assessed", **values)]
    if assessment.at_home:
        lines.append(texts.text("at_home", **values))
    story: list[Flowable] = [
        title_block(texts.text(title_key, **values), lines, [], side_width_mm=1),
        *section(texts.text("patient.heading", **values)),
        key_value_table(
            [
                (texts.text("patient.name", **values), escape(patient_full_name(patient))),
                (
                    texts.text("patient.birth_date", **values),
                    escape(french_date(patient.birth_date)),
                ),
                (texts.text("patient.age", **values), texts.text("patient.age_value", **values)),
                (
                    texts.text("patient.ins", **values),
                    escape(format_ins(patient.ins)) or common.text("missing"),
                ),
            ],
            label_width=48 * mm,
        ),
        *section(texts.text("prerequisites.heading", **values)),
    ]
    labels = list(data.prerequisites) or [p.label for p in assessment.prerequisites_met]
    if labels:
        story += bullets([escape(label) for label in labels], symbol="☑")
    else:
        story.append(paragraph(texts.text("prerequisites.none", **values), st.body))
    if assessment.situation.pregnant:
        story.append(paragraph(texts.text("prerequisites.pregnant", **values), st.body))
    story.append(_result(data, texts, values))
    story += _items(data, texts, values)
    story.append(
        keep_together(
            [
                spacer(6),
                paragraph(texts.text("result.signature", **values), st.body),
                spacer(20),
            ]
        )
    )
    meta = DocumentMeta(
        title=texts.text(title_key, **values),
        subject=texts.text("subject", **values),
        author=data.assessor.display_name,
        reference=data.reference,
        header=texts.text("short_title", **values),
        header_left=common.text("header", **values),
    )
    return build_pdf(story, meta)


def _check_items(
    items: Sequence[GridItemRow], answers: dict[str, bool], score: int, version: str
) -> None:
    ids = [item.item_id for item in items]
    missing = sorted(set(answers) - set(ids))
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    computed = sum(item.points for item in items if answers.get(item.item_id, False))
    if missing or duplicated or computed != score:
        raise DocumentError(
            "Les items fournis ne correspondent pas à la version "
            f"{version} de la grille utilisée pour cette évaluation : le compte rendu ne peut "
            "pas être imprimé."
        )


def _items(data: GridReportData, texts: Template, values: dict[str, object]) -> list[Flowable]:
    st = styles()
    answers = data.assessment.answers
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"items.{key}", **values), st.cell_head)
            for key in ("col_item", "col_answer", "col_points")
        ]
    ]
    group_rows: list[int] = []
    current_group: str | None = None
    yes, no = texts.text("items.yes", **values), texts.text("items.no", **values)
    for item in _grouped(data.items):
        if item.group and item.group != current_group:
            current_group = item.group
            group_rows.append(len(rows))
            rows.append([paragraph(f"<b>{escape(item.group)}</b>", st.cell), None, None])
        ticked = answers.get(item.item_id, False)
        points = item.points if ticked else 0
        rows.append(
            [
                paragraph(escape(item.label), st.cell),
                paragraph(f"<b>{yes}</b>" if ticked else no, st.cell),
                paragraph(f"<b>{points}</b>" if ticked else str(points), st.cell),
            ]
        )
    widths = [FRAME_WIDTH - 50 * mm, 27 * mm, 23 * mm]
    items = grid_table(rows, widths, zebra=False, compact=True)
    commands: list[tuple[object, ...]] = []
    for index in group_rows:
        commands += [
            ("SPAN", (0, index), (-1, index)),
            ("BACKGROUND", (0, index), (-1, index), TINT),
        ]
    items.setStyle(TableStyle(commands))
    title = texts.text("items.heading", **values)
    return [*section(title, then=[table_start(rows, widths, body_rows=2)]), items]


def _grouped(items: Sequence[GridItemRow]) -> list[GridItemRow]:
    """Items gathered under their group (groups in order of first appearance, items in grid
    order), so a grid file that interleaves groups still prints each group heading once."""
    order: dict[str, int] = {}
    for item in items:
        order.setdefault(item.group, len(order))
    return sorted(items, key=lambda item: order[item.group])


def _result(data: GridReportData, texts: Template, values: dict[str, object]) -> Flowable:
    decision = "eligible" if data.assessment.eligible else "not_eligible"
    result = key_value_table(
        [
            (texts.text("result.score", **values), texts.text("result.score_value", **values)),
            (
                texts.text("result.threshold", **values),
                texts.text("result.threshold_value", **values),
            ),
            (texts.text("result.decision", **values), texts.text(f"result.{decision}", **values)),
        ],
        label_width=48 * mm,
    )
    result.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.9, ACCENT)]))
    return keep_together([*section(texts.text("result.heading", **values)), result])
