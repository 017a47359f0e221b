"""The letter inviting a professional to join a patient's team."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from escap_desktop.core.entities import Professional
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.common import common_texts, contact_line
from escap_desktop.documents.data import InvitationData
from escap_desktop.documents.layout import (
    ACCENT,
    FRAME_WIDTH,
    TINT,
    DocumentMeta,
    build_pdf,
    keep_together,
    notice_box,
    paragraph,
    section,
    spacer,
    styles,
    table,
)
from escap_desktop.documents.markup import (
    escape,
    french_date,
    professional_address,
    professional_title,
)
from escap_desktop.documents.qr import qr_flowable
from escap_desktop.documents.reference import (
    DocumentKind,
    QrPayload,
    qr_payload,
    reference_kind,
)
from escap_desktop.documents.templates import Template, load_template


def build_invitation(data: InvitationData, *, templates_dir: Path | None = None) -> bytes:
    """The invitation letter as PDF bytes.

    Only the patient's initials and age are printed: the invited professional has not joined
    yet, and the letter may travel by post or sit on a desk.
    """
    if reference_kind(data.reference) is not DocumentKind.INVITATION:
        raise DocumentError("La référence fournie n'est pas celle d'une lettre d'invitation.")
    if not data.inviter_fingerprint.strip():
        raise DocumentError(
            "L'empreinte de votre clé est inconnue : la lettre ne peut pas être imprimée."
        )
    payload = qr_payload(data.reference, data.join_code)
    texts = load_template("invitation", templates_dir)
    common = common_texts(templates_dir)
    inviter, invitee = data.inviter, data.invitee
    title = professional_title(inviter)
    values: dict[str, object] = {
        "inviter_name": inviter.display_name,
        "inviter_title": title,
        "inviter_profession": inviter.profession.label.lower(),
        "inviter_phone": inviter.phone,
        "inviter_contact": contact_line(inviter) or common.text("missing"),
        "invitee_name": invitee.display_name,
        "patient_initials": data.patient_initials,
        "patient_age": data.patient_age,
        "role": data.role or common.text("missing"),
        "issued_on": french_date(data.issued_on),
        "expires_on": french_date(data.expires_on),
        "place": inviter.town,
        "reference": data.reference,
    }
    st = styles()
    story: list[Flowable] = [
        _letterhead(inviter, invitee),
        spacer(8),
        paragraph(texts.text("place_date", **values), st.body)
        if inviter.town
        else paragraph(escape(french_date(data.issued_on)), st.body),
        spacer(3),
        paragraph(texts.text("object", **values), st.body),
        spacer(3),
        paragraph(texts.text("salutation", **values), st.body),
    ]
    story += [paragraph(p, st.body, where="body") for p in texts.paragraphs("body", **values)]
    verify = "steps.verify" if inviter.phone else "steps.verify_no_phone"
    steps = [texts.text(key, **values) for key in ("steps.install", verify, "steps.join")]
    story += section(texts.text("steps_heading", **values))
    story += [
        paragraph(step, st.bullet, where="steps", bullet=f"{number}.")
        for number, step in enumerate(steps, start=1)
    ]
    story.append(spacer(2))
    story.append(_code_box(data, texts, values, payload))
    story += [
        spacer(4),
        paragraph(texts.text("letter.closing", **values), st.body),
        spacer(6),
        keep_together([paragraph(texts.text("letter.signature", **values), st.body)]),
        spacer(6),
        notice_box(common.text("emergency", **values)),
    ]
    meta = DocumentMeta(
        title=texts.text("title", **values),
        subject=texts.text("subject", **values),
        author=inviter.display_name,
        reference=data.reference,
        header=texts.text("short_title", **values),
        header_left=common.text("header", **values),
    )
    return build_pdf(story, meta)


def _letterhead(inviter: Professional, invitee: Professional) -> Table:
    """Sender at the top left, recipient on the right where a window envelope shows it."""
    st = styles()

    def block(professional: Professional, extra: list[str]) -> list[Flowable]:
        lines = [f"<b>{escape(professional.display_name)}</b>"]
        lines.append(escape(professional_title(professional)))
        address = professional_address(professional)
        if address:
            lines.append(escape(address))
        lines += [escape(line) for line in extra if line]
        return [paragraph(line, st.cell) for line in lines]

    sender_extra = [
        f"Tél. {inviter.phone}" if inviter.phone else "",
        inviter.mssante,
        f"RPPS {inviter.identifier}" if inviter.identifier else "",
    ]
    result = table(
        [[block(inviter, sender_extra), None, block(invitee, [])]],
        [FRAME_WIDTH * 0.5, FRAME_WIDTH * 0.08, FRAME_WIDTH * 0.42],
    )
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (2, 0), (2, 0), 14 * mm),
            ]
        )
    )
    return result


def _code_box(
    data: InvitationData, texts: Template, values: dict[str, object], payload: QrPayload
) -> Table:
    """The join code and the key fingerprint, set apart so they can be read out on the phone."""
    st = styles()
    text = texts.text
    left: list[Flowable] = [
        paragraph(text("code.label", **values), st.muted),
        paragraph(f"<b>{escape(data.join_code)}</b>", st.code),
    ]
    if data.expires_on:
        left.append(paragraph(text("code.expires", **values), st.small))
    left += [
        spacer(3),
        paragraph(text("code.fingerprint", **values), st.muted),
        paragraph(escape(data.inviter_fingerprint), st.code),
    ]
    qr = qr_flowable(payload, size_mm=30)
    result = table([[left, qr]], [FRAME_WIDTH - 38 * mm, 38 * mm])
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("BOX", (0, 0), (-1, -1), 0.9, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ]
        )
    )
    return result
