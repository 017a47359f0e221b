"""The consent form the patient (or legal representative) signs on paper."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, TableStyle

from escap_desktop.core.entities import ConsentStatus, DataCategory
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts, contact_line, qr_side
from escap_desktop.documents.data import ConsentFormData
from escap_desktop.documents.layout import (
    FRAME_WIDTH,
    INK,
    RULE,
    DocumentMeta,
    build_pdf,
    bullets,
    grid_table,
    keep_together,
    notice_box,
    paragraph,
    section,
    spacer,
    styles,
    table,
    table_start,
    title_block,
)
from escap_desktop.documents.markup import escape, format_ins, french_date, professional_title
from escap_desktop.documents.reference import DocumentKind, qr_payload, reference_kind
from escap_desktop.documents.templates import Template, load_template

_CHECKED, _UNCHECKED = "☒", "☐"


def build_consent_form(data: ConsentFormData, *, templates_dir: Path | None = None) -> bytes:
    """The consent form as PDF bytes, ready to print and sign.

    Raises :class:`DocumentError` when the consent has no consent-form reference (the service
    must create and store it first) or is no longer open for signature.
    """
    reference = data.reference
    if not reference or reference_kind(reference) is not DocumentKind.CONSENT_FORM:
        raise DocumentError(
            "Le consentement n'a pas de référence de formulaire : enregistrez-le avant "
            "d'imprimer le formulaire."
        )
    if data.consent.status is ConsentStatus.WITHDRAWN or data.consent.withdrawn_on:
        raise DocumentError(
            "Ce consentement a été retiré : le formulaire ne peut plus être imprimé."
        )
    texts = load_template("consent_form", templates_dir)
    common = common_texts(templates_dir)
    collector = data.collector
    values: dict[str, object] = {
        "patient_name": data.patient.display_name,
        "collector_name": collector.display_name,
        "collector_title": professional_title(collector),
        "collector_contact": contact_line(collector) or common.text("missing"),
        "issued_on": french_date(data.issued_on),
        "place": data.place or collector.town,
        "reference": reference,
        "signatory": data.consent.signatory,
        "amendment": data.consent.amendment,
        "amended_on": french_date(data.consent.amended_on) if data.consent.amended_on else "",
        "signed_on": french_date(data.consent.signed_on) if data.consent.signed_on else "",
        "kinds": ", ".join(sorted(p.label.lower() for p in data.consent.recipient_professions)),
    }
    amended = data.consent.amendment > 0
    title = texts.text("amendment.title" if amended else "title", **values)
    short_title = texts.text("amendment.short_title" if amended else "short_title", **values)
    st = styles()
    payload = qr_payload(reference)
    story: list[Flowable] = [
        title_block(
            title,
            [texts.text("issued_by", **values)],
            qr_side(payload, common, texts.text("qr_hint", **values)),
        ),
        spacer(2),
        notice_box(common.text("emergency", **values)),
    ]
    if amended:
        story += [spacer(2), paragraph(texts.text("amendment.notice", **values), st.body)]
    story += _identity(data, texts, common, values)
    story += section(texts.text("escap.heading", **values))
    story += [paragraph(p, st.body) for p in texts.paragraphs("escap.paragraphs", **values)]
    story += _categories(data, texts, values)
    story += _designated(data, texts, common, values)
    for part in ("storage", "rights"):
        story += section(texts.text(f"{part}.heading", **values))
        story += [
            paragraph(p, st.body, where=part)
            for p in texts.paragraphs(f"{part}.paragraphs", **values)
        ]
    story.append(_signature(data, texts, values))
    meta = DocumentMeta(
        title=title,
        subject=texts.text("subject", **values),
        author=collector.display_name,
        reference=reference,
        header=short_title,
        header_left=common.text("header", **values),
    )
    return build_pdf(story, meta)


def _identity(
    data: ConsentFormData, texts: Template, common: Template, values: dict[str, object]
) -> list[Flowable]:
    st = styles()
    patient = data.patient
    missing = f"<font color='#5b6773'>{common.text('missing')}</font>"

    def value(text: str) -> str:
        return escape(text) if text else missing

    pairs = [
        ("birth_name", value(patient.birth_name.upper())),
        ("used_name", value(patient.used_name.upper())),
        ("first_names", value(patient.first_names)),
        ("used_first_name", value(patient.used_first_name)),
        ("birth_date", value(french_date(patient.birth_date))),
        ("sex", value(patient.sex.label)),
        ("birth_place", value(patient.birth_place_code)),
        ("ins", value(format_ins(patient.ins))),
    ]
    cells = [
        (
            paragraph(texts.text(f"identity.{key}", **values), st.muted, where=key),
            paragraph(shown, st.cell_bold, where=key),
        )
        for key, shown in pairs
    ]
    rows = [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)]
    label, field = 30 * mm, FRAME_WIDTH / 2 - 30 * mm
    identity = grid_table(rows, [label, field, label, field], header=False, zebra=False)
    identity.setStyle(TableStyle([("LINEBEFORE", (2, 0), (2, -1), 0.4, RULE)]))
    return [*section(texts.text("identity.heading", **values)), identity]


def _categories(
    data: ConsentFormData, texts: Template, values: dict[str, object]
) -> list[Flowable]:
    st = styles()
    items = [
        f"<b>{escape(category.label)}</b> : {texts.text(f'data.{category.value}', **values)}"
        for category in DataCategory
    ]
    flowables: list[Flowable] = [
        *section(texts.text("data.heading", **values)),
        paragraph(texts.text("data.intro", **values), st.body),
    ]
    for category, item in zip(DataCategory, items, strict=True):
        box = _CHECKED if category in data.consent.scopes else _UNCHECKED
        flowables += bullets([item], symbol=box)
    return flowables


def _designated(
    data: ConsentFormData, texts: Template, common: Template, values: dict[str, object]
) -> list[Flowable]:
    st = styles()
    intro = paragraph(texts.text("team.intro", **values), st.body)
    kinds = (
        [paragraph(texts.text("team.kinds", **values), st.body)]
        if data.consent.recipient_professions
        else []
    )
    if not data.designated:
        empty = paragraph(texts.text("team.empty", **values), st.body)
        if kinds:
            empty = kinds.pop()
        return [*section(texts.text("team.heading", **values), then=[intro, empty]), intro, empty]
    rows: list[list[Flowable]] = [
        [
            paragraph(texts.text(f"team.{column}", **values), st.cell_head)
            for column in ("col_name", "col_profession", "col_town")
        ]
    ]
    gp_id = data.patient.medecin_traitant_id
    for professional in data.designated:
        name = f"<b>{escape(professional.display_name)}</b>"
        if gp_id and professional.id == gp_id:
            name += f"<br/><i>{common.text('gp_mark')}</i>"
        rows.append(
            [
                paragraph(name, st.cell),
                paragraph(escape(professional_title(professional)), st.cell),
                paragraph(escape(professional.town) or common.text("missing"), st.cell),
            ]
        )
    widths = [FRAME_WIDTH * 0.4, FRAME_WIDTH * 0.35, FRAME_WIDTH * 0.25]
    return [
        *section(texts.text("team.heading", **values), then=[intro, table_start(rows, widths)]),
        intro,
        grid_table(rows, widths),
        *kinds,
    ]


def _signature(data: ConsentFormData, texts: Template, values: dict[str, object]) -> Flowable:
    st = styles()
    consent = data.consent
    signatory = (
        texts.text("signature.signatory", **values)
        if consent.signatory
        else texts.text("signature.signatory_blank", **values)
    )
    capacity_key = "capacity_representative" if consent.legal_representative else "capacity"
    patient_cell = [
        paragraph(f"<b>{texts.text('signature.patient_box', **values)}</b>", st.cell),
        spacer(1.5),
        paragraph(signatory, st.cell),
        spacer(0 if consent.signatory else 5),
        paragraph(texts.text(f"signature.{capacity_key}", **values), st.cell),
        spacer(1.5),
        paragraph(texts.text("signature.date", **values), st.cell),
        paragraph(texts.text("signature.sign_here", **values), st.cell),
        spacer(24),
    ]
    collector_cell = [
        paragraph(f"<b>{texts.text('signature.collector_box', **values)}</b>", st.cell),
        spacer(1.5),
        paragraph(texts.text("signature.collector", **values), st.cell),
        spacer(1.5),
        paragraph(texts.text("signature.place_date", **values), st.cell),
        paragraph(texts.text("signature.sign_here", **values), st.cell),
        spacer(24),
    ]
    gap = 6 * mm
    half = (FRAME_WIDTH - gap) / 2
    boxes = table([[patient_cell, None, collector_cell]], [half, gap, half])
    boxes.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.9, INK),
                ("BOX", (2, 0), (2, 0), 0.9, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return keep_together(
        [
            *section(texts.text("signature.heading", **values)),
            paragraph(texts.text("signature.statement", **values), st.body),
            spacer(1),
            boxes,
            spacer(2),
            paragraph(texts.text("signature.copies", **values), st.muted),
        ]
    )
