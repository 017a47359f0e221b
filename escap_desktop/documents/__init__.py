"""Printed documents (consent form, invitation letter, care-plan sheet, grid report).

Each document is a pure function from plain input records (built by a service from core
entities) to PDF bytes; the French wording lives in ``resources/templates`` and can be
overridden per site with ``templates_dir``.

The names below are imported on first use (PEP 562): the builders pull in reportlab (about
70 ms), which the application should pay when it first prints, not at every start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escap_desktop.documents.care_plan import build_care_plan
    from escap_desktop.documents.consent_form import build_consent_form
    from escap_desktop.documents.data import (
        CarePlanData,
        ConsentFormData,
        DigestData,
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

_HOMES = {
    "build_care_plan": "escap_desktop.documents.care_plan",
    "build_consent_form": "escap_desktop.documents.consent_form",
    "CarePlanData": "escap_desktop.documents.data",
    "ConsentFormData": "escap_desktop.documents.data",
    "DigestData": "escap_desktop.documents.data",
    "DocumentData": "escap_desktop.documents.data",
    "GridItemRow": "escap_desktop.documents.data",
    "GridReportData": "escap_desktop.documents.data",
    "InvitationData": "escap_desktop.documents.data",
    "build_document": "escap_desktop.documents.export",
    "document_filename": "escap_desktop.documents.export",
    "write_document": "escap_desktop.documents.export",
    "write_pdf": "escap_desktop.documents.export",
    "build_grid_report": "escap_desktop.documents.grid_report",
    "build_invitation": "escap_desktop.documents.invitation",
    "DocumentKind": "escap_desktop.documents.reference",
    "QrPayload": "escap_desktop.documents.reference",
    "document_reference": "escap_desktop.documents.reference",
    "normalize_reference": "escap_desktop.documents.reference",
    "parse_qr_payload": "escap_desktop.documents.reference",
    "qr_payload": "escap_desktop.documents.reference",
    "reference_kind": "escap_desktop.documents.reference",
    "Template": "escap_desktop.documents.templates",
    "load_template": "escap_desktop.documents.templates",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "CarePlanData",
    "ConsentFormData",
    "DigestData",
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
