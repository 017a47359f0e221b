"""Pieces more than one document prints: the common texts, the QR side block, member lines."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from escap_desktop.core.entities import Professional
from escap_desktop.documents.layout import paragraph, styles
from escap_desktop.documents.markup import escape, professional_address
from escap_desktop.documents.qr import qr_flowable
from escap_desktop.documents.reference import QrPayload
from escap_desktop.documents.templates import Template, load_template


def common_texts(templates_dir: Path | None) -> Template:
    return load_template("common", templates_dir)


def qr_side(payload: QrPayload, common: Template, hint: str = "") -> list[Flowable]:
    """QR code, then the reference in clear under it (for typing when no scanner is at hand)."""
    st = styles()
    side: list[Flowable] = [qr_flowable(payload)]
    side.append(paragraph(common.text("reference_label"), st.muted, where="référence"))
    side.append(paragraph(f"<b>{escape(payload.reference)}</b>", st.small, where="référence"))
    if hint:
        side.append(paragraph(hint, st.muted, where="qr"))
    return side


def contact_line(professional: Professional) -> str:
    """Phone, then secure mail, then address: the first way a reader can reach someone."""
    parts = [professional.phone, professional.mssante]
    return " · ".join(part for part in parts if part) or professional_address(professional)
