"""Document references and the QR payloads printed on the forms.

A reference is random (no patient data, no date, no counter that would reveal how many patients
a practice has) and short enough to be typed from a paper copy: Crockford base32, where the
letters easily misread are left out and mapped back when typed (O -> 0, I and L -> 1).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from escap_desktop.core.errors import DocumentError

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
_GROUP = 4
_PREFIX = "ESCAP"
_JOIN_CODE = re.compile(r"[A-Za-z0-9_-]{4,64}")


class DocumentKind(StrEnum):
    """The printable documents; the value is the CLI name (``escap export consent-form``)."""

    CONSENT_FORM = "consent-form"
    INVITATION = "invitation"
    CARE_PLAN = "care-plan"
    GRID_REPORT = "grid-report"
    DIGEST = "digest"

    @property
    def code(self) -> str:
        """Two letters naming the kind inside references and QR payloads."""
        return _CODES[self]

    @property
    def label(self) -> str:
        return {
            "consent-form": "Formulaire de consentement",
            "invitation": "Lettre d'invitation",
            "care-plan": "Fiche du plan de soins",
            "grid-report": "Compte rendu de la grille d'inclusion",
            "digest": "Nouvelles de l'équipe",
        }[self.value]

    @classmethod
    def from_code(cls, code: str) -> DocumentKind:
        for kind, known in _CODES.items():
            if known == code:
                return kind
        raise DocumentError(f"« {code} » n'est pas un type de document ESCAP.")


_CODES = {
    DocumentKind.CONSENT_FORM: "CF",
    DocumentKind.INVITATION: "IN",
    DocumentKind.CARE_PLAN: "CP",
    DocumentKind.GRID_REPORT: "GR",
    DocumentKind.DIGEST: "NV",
}

_REFERENCE = re.compile(
    rf"{_PREFIX}-(?P<code>[A-Z]{{2}})-(?P<a>[{_ALPHABET}]{{{_GROUP}}})-(?P<b>[{_ALPHABET}]{{{_GROUP}}})"
)


def document_reference(kind: DocumentKind) -> str:
    """A new random reference such as ``ESCAP-CF-7K4Q-2M9X`` (40 random bits)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(2 * _GROUP))
    return f"{_PREFIX}-{kind.code}-{chars[:_GROUP]}-{chars[_GROUP:]}"


def normalize_reference(text: str) -> str:
    """The canonical reference for one typed by hand ("escap cf 7k4q 2m9x", O for 0...).

    Raises :class:`DocumentError` when the text cannot be a document reference.
    """
    compact = re.sub(r"[\s\-_.]", "", text).upper()
    if compact.startswith(_PREFIX):
        compact = compact[len(_PREFIX) :]
    code, rest = compact[:2], compact[2:].translate(_TYPO_MAP)
    reference = f"{_PREFIX}-{code}-{rest[:_GROUP]}-{rest[_GROUP:]}"
    if len(rest) != 2 * _GROUP or not _REFERENCE.fullmatch(reference):
        raise DocumentError(
            f"« {text.strip()} » n'est pas une référence de document ESCAP "
            "(format attendu : ESCAP-CF-7K4Q-2M9X)."
        )
    DocumentKind.from_code(code)
    return reference


def reference_kind(reference: str) -> DocumentKind:
    """The kind of document a (canonical or typed) reference belongs to."""
    return DocumentKind.from_code(normalize_reference(reference).split("-")[1])


@dataclass(frozen=True, slots=True)
class QrPayload:
    """What a scanned QR code of an ESCAP document says: which document, and nothing medical."""

    kind: DocumentKind
    reference: str
    join_code: str = ""

    def text(self) -> str:
        """The string encoded in the QR code: ``ESCAP:CF:7K4Q-2M9X`` (``:JOINCODE`` appended
        for an invitation). Upper case and ``-:`` only, so the QR uses the compact alphanumeric
        mode, except for a join code in lower case."""
        random_part = self.reference.split("-", 2)[2]
        text = f"{_PREFIX}:{self.kind.code}:{random_part}"
        return f"{text}:{self.join_code}" if self.join_code else text


def qr_payload(reference: str, join_code: str = "") -> QrPayload:
    """The payload for a document; only an invitation carries a join code."""
    canonical = normalize_reference(reference)
    kind = reference_kind(canonical)
    if kind is DocumentKind.INVITATION:
        check_join_code(join_code)
    elif join_code:
        raise DocumentError("Seule une lettre d'invitation porte un code pour rejoindre l'équipe.")
    return QrPayload(kind=kind, reference=canonical, join_code=join_code)


def check_join_code(join_code: str) -> str:
    if not _JOIN_CODE.fullmatch(join_code):
        raise DocumentError(
            "Le code pour rejoindre l'équipe est absent ou invalide "
            "(4 à 64 lettres, chiffres, tirets)."
        )
    return join_code


def parse_qr_payload(text: str) -> QrPayload:
    """Read back a scanned QR code, so the app can match a signed scan to its record.

    Raises :class:`DocumentError` (in French) for anything that is not an ESCAP document code.
    """
    parts = text.strip().split(":")
    not_ours = DocumentError("Ce QR code n'est pas celui d'un document ESCAP.")
    if len(parts) not in (3, 4) or parts[0].upper() != _PREFIX:
        raise not_ours
    try:
        reference = normalize_reference(f"{_PREFIX}-{parts[1]}-{parts[2]}")
        return qr_payload(reference, parts[3] if len(parts) == 4 else "")
    except DocumentError as error:
        raise not_ours from error
