"""The team's news for a professional without the app: new messages and events, by MSSanté."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.platypus import Flowable

from escap_desktop.core.clock import paris_time
from escap_desktop.core.entities import Sex
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts
from escap_desktop.documents.data import DigestData
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
from escap_desktop.documents.markup import escape, french_date
from escap_desktop.documents.reference import DocumentKind, reference_kind
from escap_desktop.documents.templates import Template, load_template


def build_digest(data: DigestData, *, templates_dir: Path | None = None) -> bytes:
    """The news as PDF bytes: the messages (oldest first, each with its author and Paris
    time), then the events. What the recipient may not read was left out by the caller."""
    if reference_kind(data.reference) is not DocumentKind.DIGEST:
        raise DocumentError("La référence fournie n'est pas celle de nouvelles de l'équipe.")
    texts = load_template("digest", templates_dir)
    common = common_texts(templates_dir)
    patient = data.patient
    values: dict[str, object] = {
        "patient_name": patient.display_name,
        "birth_date": french_date(patient.birth_date),
        "issued_on": french_date(data.issued_on),
        "since": french_date(data.since),
        "recipient_name": data.recipient.display_name,
        "author_name": data.author.display_name if data.author else "ESCAP Desktop",
        "reference": data.reference,
    }
    st = styles()
    patient_key = {Sex.FEMALE: "patient_female", Sex.MALE: "patient_male"}.get(
        patient.sex, "patient"
    )
    lines = [texts.text(patient_key, **values), texts.text("for_recipient", **values)]
    period = "period_since" if data.since else "period_all"
    story: list[Flowable] = [
        title_block(texts.text("title", **values), lines, [], side_width_mm=1),
        paragraph(texts.text(period, **values), st.body),
        paragraph(texts.text("filtered", **values), st.muted),
        spacer(2),
        notice_box(common.text("emergency", **values)),
    ]
    story += _messages(data, texts, values)
    story += _events(data, texts, values)
    meta = DocumentMeta(
        title=texts.text("title", **values),
        subject=texts.text("subject", **values),
        author=data.author.display_name if data.author else "ESCAP Desktop",
        reference=data.reference,
        header=texts.text("short_title", **values),
        header_left=common.text("header", **values),
    )
    return build_pdf(story, meta)


def _when(instant: datetime) -> str:
    local = paris_time(instant)
    return f"{local:%d/%m/%Y}<br/><font size='8'>{local:%H:%M}</font>"


def _messages(data: DigestData, texts: Template, values: dict[str, object]) -> list[Flowable]:
    st = styles()
    title = texts.text("messages.heading", **values)
    if not data.messages:
        return [*section(title), paragraph(texts.text("messages.empty", **values), st.body)]
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"messages.{key}", **values), st.cell_head)
            for key in ("col_when", "col_who", "col_text")
        ]
    ]
    for message in sorted(data.messages, key=lambda m: (m.sent_at, m.id)):
        rows.append(
            [
                paragraph(_when(message.sent_at), st.cell),
                paragraph(escape(data.names.get(message.author_id, "")), st.cell),
                paragraph(escape(message.body).replace("\n", "<br/>"), st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.14, FRAME_WIDTH * 0.24, FRAME_WIDTH * 0.62]
    return [*section(title, then=[table_start(rows, widths)]), grid_table(rows, widths)]


def _events(data: DigestData, texts: Template, values: dict[str, object]) -> list[Flowable]:
    st = styles()
    title = texts.text("events.heading", **values)
    if not data.events:
        return [*section(title), paragraph(texts.text("events.empty", **values), st.body)]
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"events.{key}", **values), st.cell_head)
            for key in ("col_when", "col_what", "col_note")
        ]
    ]
    for event in sorted(data.events, key=lambda e: (e.occurred_on, e.id)):
        who = data.names.get(event.recorded_by, "")
        what = f"<b>{escape(event.kind.label)}</b>"
        if who:
            what += f"<br/><font size='8'>{escape(who)}</font>"
        rows.append(
            [
                paragraph(escape(french_date(event.occurred_on)), st.cell),
                paragraph(what, st.cell),
                paragraph(escape(event.note).replace("\n", "<br/>"), st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.14, FRAME_WIDTH * 0.30, FRAME_WIDTH * 0.56]
    return [*section(title, then=[table_start(rows, widths)]), grid_table(rows, widths)]
