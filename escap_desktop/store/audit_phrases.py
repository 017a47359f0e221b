"""The fixed French phrases of the audit trail: they say what kind of record changed, never what
it contains, so the trail can be shown or exported without disclosing clinical content."""

from __future__ import annotations

import re

from escap_desktop.core.entities import AuditKind, MergeReason
from escap_desktop.store.mail_phrases import is_mail_phrase

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


_AMENDMENT = "Consentement modifié par avenant n° {number}"
_AMENDMENT_PATTERN = re.compile(r"Consentement modifié par avenant n° \d{1,4}")


def consent_amendment_phrase(number: int) -> str:
    return _AMENDMENT.format(number=number)


_MERGES = {reason: f"Dossiers du même patient fusionnés ({reason.label})" for reason in MergeReason}
_MERGE_DECIDED = "Fusion de dossiers vérifiée : traits d'identité retenus"


def merge_phrase(reason: MergeReason) -> str:
    """Written on both records when one absorbs the other (how the trail explains a merge)."""
    return _MERGES[reason]


def merge_decided_phrase() -> str:
    return _MERGE_DECIDED


def is_specific_phrase(summary: str) -> bool:
    """A fixed phrase this version writes beyond the generic ones (checked by its exact shape:
    an entry received from elsewhere with free text in its summary never shows it)."""
    if summary in _MERGES.values() or summary == _MERGE_DECIDED or is_mail_phrase(summary):
        return True
    return _AMENDMENT_PATTERN.fullmatch(summary) is not None
