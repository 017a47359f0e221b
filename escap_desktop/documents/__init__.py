"""Printed documents (consent form, invitation letter, care-plan sheet, grid report).

Each document is a pure function from plain input records (built by a service from core
entities) to PDF bytes; the French wording lives in ``resources/templates`` and can be
overridden per site with ``templates_dir``.
"""

from escap_desktop.documents.care_plan import build_care_plan
from escap_desktop.documents.consent_form import build_consent_form
from escap_desktop.documents.data import (
    CarePlanData,
    ConsentFormData,
    DocumentData,
    GridItemRow,
    GridReportData,
    InvitationData,
)
from escap_desktop.documents.export import (
    build_document,
    document_filename,
    write_document,
    write_pdf,
)
from escap_desktop.documents.grid_report import build_grid_report
from escap_desktop.documents.invitation import build_invitation
from escap_desktop.documents.reference import (
    DocumentKind,
    QrPayload,
    document_reference,
    normalize_reference,
    parse_qr_payload,
    qr_payload,
    reference_kind,
)
from escap_desktop.documents.templates import Template, load_template

__all__ = [
    "CarePlanData",
    "ConsentFormData",
    "DocumentData",
    "DocumentKind",
    "GridItemRow",
    "GridReportData",
    "InvitationData",
    "QrPayload",
    "Template",
    "build_care_plan",
    "build_consent_form",
    "build_document",
    "build_grid_report",
    "build_invitation",
    "document_filename",
    "document_reference",
    "load_template",
    "normalize_reference",
    "parse_qr_payload",
    "qr_payload",
    "reference_kind",
    "write_document",
    "write_pdf",
]
