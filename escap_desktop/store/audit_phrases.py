"""The fixed French phrases of the audit trail: they say what kind of record changed, never what
it contains, so the trail can be shown or exported without disclosing clinical content."""

from __future__ import annotations

from escap_desktop.core.entities import AuditKind

# Entity class name -> (French noun, feminine?) for the agreement of the past participle.
_NOUNS: dict[str, tuple[str, bool]] = {
    "Professional": ("Professionnel", False),
    "LocalProfile": ("Profil local", False),
    "Patient": ("Patient", False),
    "Escap": ("ESCAP", True),
    "Membership": ("Membre de l'équipe", False),
    "Consent": ("Consentement", False),
    "GridAssessment": ("Grille d'inclusion", True),
    "Action": ("Action du plan", True),
    "Message": ("Message", False),
    "Event": ("Événement", False),
    "BillingRecord": ("Facturation", True),
}

_PARTICIPLES: dict[AuditKind, str] = {
    AuditKind.CREATED: "ajouté",
    AuditKind.UPDATED: "modifié",
    AuditKind.DELETED: "supprimé",
    AuditKind.VIEWED: "consulté",
    AuditKind.PRINTED: "imprimé",
    AuditKind.EXPORTED: "exporté",
    AuditKind.RECEIVED: "reçu",
}

PATIENT_RECORD_VIEWED = "Dossier du patient consulté"


def audit_summary(kind: AuditKind, entity_type: str) -> str:
    """E.g. "Message ajouté", "Action du plan modifiée"."""
    noun, feminine = _NOUNS.get(entity_type, ("Enregistrement", False))
    participle = _PARTICIPLES[kind] + ("e" if feminine else "")
    return f"{noun} {participle}"


def entity_noun(entity_type: str) -> str:
    return _NOUNS.get(entity_type, ("Enregistrement", False))[0]
