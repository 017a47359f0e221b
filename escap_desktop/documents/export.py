"""One entry point for the CLI (``escap export KIND``) and the GUI print dialog."""

from __future__ import annotations

from pathlib import Path

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.data import (
    CarePlanData,
    ConsentFormData,
    DigestData,
    DocumentData,
    GridReportData,
    InvitationData,
)
from escap_desktop.documents.reference import DocumentKind

_FILE_STEMS = {
    DocumentKind.CONSENT_FORM: "consentement",
    DocumentKind.INVITATION: "invitation",
    DocumentKind.CARE_PLAN: "plan-de-soins",
    DocumentKind.GRID_REPORT: "grille-inclusion",
    DocumentKind.DIGEST: "nouvelles",
}


def build_document(data: DocumentData, *, templates_dir: Path | None = None) -> bytes:
    """The PDF for any document's data, so callers need not pick the builder themselves.

    The builders (reportlab) are imported here, on the first document, not at start-up.
    """
    from escap_desktop.documents.care_plan import build_care_plan
    from escap_desktop.documents.consent_form import build_consent_form
    from escap_desktop.documents.digest import build_digest
    from escap_desktop.documents.grid_report import build_grid_report
    from escap_desktop.documents.invitation import build_invitation

    if isinstance(data, ConsentFormData):
        return build_consent_form(data, templates_dir=templates_dir)
    if isinstance(data, InvitationData):
        return build_invitation(data, templates_dir=templates_dir)
    if isinstance(data, CarePlanData):
        return build_care_plan(data, templates_dir=templates_dir)
    if isinstance(data, GridReportData):
        return build_grid_report(data, templates_dir=templates_dir)
    if isinstance(data, DigestData):
        return build_digest(data, templates_dir=templates_dir)
    raise TypeError(f"not document data: {type(data).__name__}")


def document_filename(data: DocumentData) -> str:
    """A default file name for a save dialog: the kind and reference, never the patient's name
    (file names end up in recent-file lists, backups and mail attachments)."""
    return f"{_FILE_STEMS[data.kind]}-{data.reference}.pdf"


def write_document(data: DocumentData, path: Path, *, templates_dir: Path | None = None) -> Path:
    """Build and write atomically (a half-written PDF never replaces a good one)."""
    return write_pdf(build_document(data, templates_dir=templates_dir), path)


def write_pdf(content: bytes, path: Path | str) -> Path:
    """Writes a PDF atomically: a half-written file never replaces a good one."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partiel")
    try:
        partial.write_bytes(content)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DocumentError(
            f"Impossible d'enregistrer le document dans {target} : {error.strerror or error}."
        ) from error
    return target
