"""The printed access journal of one patient's record, for the patient's right of access.

Like the other documents it is a pure function of its input record: the service reads the
audit trail and turns each entry into an :class:`AuditTrailRow` of fixed French phrases (who,
when, which kind of action on which kind of record), so nothing clinical can reach the page.
It is not one of the ``DocumentKind`` forms: it has no QR code, and its reference
(``ESCAP-JA-XXXX-XXXX``) only names the printout in the footer and the file name.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from escap_desktop.core.entities import Patient, Professional
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts
from escap_desktop.documents.layout import (
    FRAME_WIDTH,
    DocumentMeta,
    build_pdf,
    grid_table,
    key_value_table,
    paragraph,
    section,
    spacer,
    styles,
    table_start,
    title_block,
)
from escap_desktop.documents.markup import escape, format_ins, french_date, patient_full_name
from escap_desktop.documents.templates import Template, load_template

REFERENCE_PREFIX = "ESCAP-JA-"
# Crockford base32, as the other document references: no I, L, O, U to misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def audit_report_reference() -> str:
    """A random reference such as ``ESCAP-JA-7K4Q-2M9X``: no patient data, no date, no counter."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True, slots=True)
class AuditTrailRow:
    """One printed line; every field is a fixed phrase or a name, never a record's content."""

    when: str
    who: str
    action: str
    record: str


@dataclass(frozen=True, slots=True)
class AuditReportData:
    """The journal of ``patient``'s record on this computer, oldest operation first.

    ``issued_at`` is shown as given (the service passes local time); ``author`` is the
    professional who hands the journal to the patient.
    """

    patient: Patient
    rows: Sequence[AuditTrailRow]
    issued_at: datetime
    author: Professional | None = None
    reference: str = field(default_factory=audit_report_reference)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))

    @property
    def filename(self) -> str:
        """Names the printout by its reference, never by the patient (file names travel)."""
        return f"journal-des-acces-{self.reference}.pdf"


def build_audit_report(data: AuditReportData, *, templates_dir: Path | None = None) -> bytes:
    """The journal as PDF bytes: patient identity, what the journal holds, the operations."""
    if not data.reference.startswith(REFERENCE_PREFIX):
        raise DocumentError("La référence fournie n'est pas celle d'un journal des accès.")
    texts = load_template("audit_report", templates_dir)
    common = common_texts(templates_dir)
    patient = data.patient
    values: dict[str, object] = {
        "patient_name": patient_full_name(patient),
        "birth_date": french_date(patient.birth_date),
        "ins": format_ins(patient.ins),
        "issued_on": french_date(data.issued_at.date()),
        "issued_time": f"{data.issued_at:%H:%M}",
        "author_name": data.author.display_name if data.author else "",
        "reference": data.reference,
        "count": len(data.rows),
    }
    st = styles()
    lines = [
        texts.text("issued" if data.author else "issued_anonymous", **values),
        texts.text("purpose", **values),
    ]
    story: list[Flowable] = [
        title_block(texts.text("title", **values), lines, [], side_width_mm=1),
        *section(texts.text("patient.heading", **values)),
        key_value_table(
            [
                (texts.text("patient.name", **values), escape(patient_full_name(patient))),
                (
                    texts.text("patient.birth_date", **values),
                    escape(french_date(patient.birth_date)),
                ),
                (
                    texts.text("patient.ins", **values),
                    escape(format_ins(patient.ins)) or common.text("missing"),
                ),
            ],
            label_width=48 * mm,
        ),
        *section(texts.text("explanation.heading", **values)),
        *[paragraph(text, st.body) for text in texts.paragraphs("explanation.paragraphs")],
        spacer(1),
    ]
    story += _trail(data.rows, texts, values)
    meta = DocumentMeta(
        title=texts.text("title", **values),
        subject=texts.text("subject", **values),
        author=data.author.display_name if data.author else "ESCAP Desktop",
        reference=data.reference,
        header=texts.text("short_title", **values),
        header_left=common.text("header", **values),
        footer_note=texts.text("footer", **values),
    )
    return build_pdf(story, meta)


def _trail(
    rows: Sequence[AuditTrailRow], texts: Template, values: dict[str, object]
) -> list[Flowable]:
    st = styles()
    heading = texts.text("trail.heading", **values)
    if not rows:
        empty = paragraph(texts.text("trail.empty", **values), st.body)
        return [*section(heading, then=[empty]), empty]
    table_rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"trail.{key}", **values), st.cell_head)
            for key in ("col_when", "col_who", "col_action", "col_record")
        ]
    ]
    for row in rows:
        table_rows.append(
            [
                paragraph(escape(row.when), st.cell),
                paragraph(escape(row.who), st.cell),
                paragraph(escape(row.action), st.cell),
                paragraph(escape(row.record), st.cell),
            ]
        )
    widths = [30 * mm, FRAME_WIDTH - 30 * mm - 34 * mm - 44 * mm, 34 * mm, 44 * mm]
    return [
        *section(heading, then=[table_start(table_rows, widths)]),
        grid_table(table_rows, widths, compact=True),
    ]
