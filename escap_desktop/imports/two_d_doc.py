"""The 2D-Doc structure (ANTS) that the ANS INS datamatrix borrows: header, data fields, signature.

The INS datamatrix (ANS, « INS — Format datamatrix ») is not a 2D-Doc document type: it keeps the
2D-Doc layout (a fixed header, then two-character field identifiers each followed by its value)
but has its own marker, ``IS``, and its 22 header characters after the version are reserved
(zeros). This module reads that shared layout and nothing specific to the INS, so the INS reader
can tell the professional *which* other document a symbol is (a 2D-Doc "justificatif de domicile",
a COVID test...) instead of a vague refusal. See docs/ins-datamatrix.md for the sources.

The separators, as the 2D-Doc specification (C40 format) defines them:

* ``GS`` (0x1D) ends a variable-length value that is shorter than its maximum length;
* ``RS`` (0x1E) ends a variable-length value that the issuer truncated;
* ``US`` (0x1F) ends the message: the signature follows (then, after a ``GS``, the annex).

Every fault raises :class:`ImportReadError` with a French sentence: nothing here is a programming
error, all of it comes from a printed symbol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from escap_desktop.imports.errors import ImportReadError

GS = "\x1d"
RS = "\x1e"
US = "\x1f"

DOC_MARKER = "DC"
"""Marker of an ANTS 2D-Doc."""
INS_MARKER = "IS"
"""Marker of the ANS INS datamatrix."""

_SPELLED_SEPARATORS = {"<GS>": GS, "<RS>": RS, "<US>": US, "<FNC1>": GS}
"""How readers in "escaped" text mode, and keyboard-emulating scanners, spell the separators."""

_VERSION = re.compile(r"[0-9]{2}")
_EPOCH = date(2000, 1, 1)
_NO_DATE = "FFFF"

DOCUMENT_TYPES: dict[str, str] = {
    "01": "justificatif de domicile (facture)",
    "03": "relevé d'identité bancaire",
    "06": "bulletin de salaire",
    "09": "justificatif fiscal",
    "10": "contrat de travail",
    "12": "acte d'huissier",
    "13": "justificatif d'identité",
    "16": "attestation de demande d'asile",
    "A0": "certificat de qualité de l'air",
    "A1": "courrier « permis à points »",
    "A2": "carte mobilité inclusion",
    "A4": "certificat de décès",
    "A8": "certificat de cession de véhicule",
    "A9": "permis de chasser",
    "B0": "diplôme",
    "B2": "résultat de test virologique (COVID)",
    "C5": "licence d'exportation",
    "L1": "attestation vaccinale",
}
"""A few ANTS 2D-Doc document types, only to name a refused symbol; unknown ones show the code."""


@dataclass(frozen=True, slots=True)
class Header:
    """The fixed header that starts every symbol of the 2D-Doc family.

    For the INS datamatrix (marker ``IS``) the authority, certificate, dates, type, perimeter and
    country are reserved by the ANS and left empty / None here.
    """

    marker: str
    version: str
    authority_id: str
    certificate_id: str
    issued_on: date | None
    signed_on: date | None
    document_type: str
    perimeter: str
    country: str
    length: int

    @property
    def document_label(self) -> str:
        """French name of the 2D-Doc document type, or its code when it is not in our table."""
        label = DOCUMENT_TYPES.get(self.document_type)
        return (
            f"« {label} » (type {self.document_type})" if label else f"de type {self.document_type}"
        )


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One data field: identifier, French label for messages, length bounds (None: unbounded)."""

    id: str
    label: str
    min_length: int
    max_length: int | None

    @property
    def fixed(self) -> bool:
        return self.max_length == self.min_length


@dataclass(frozen=True, slots=True)
class Field:
    """A value read from the message; ``truncated`` when the issuer ended it with ``RS``."""

    id: str
    value: str
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Zones:
    """The symbol cut in its parts (the signature and annex are kept, never checked here)."""

    header: Header
    message: str
    signature: str
    annex: str


def restore_separators(content: str) -> str:
    """The content with ``<GS>``-style spellings turned back into the control characters.

    A symbol is read by zxing-cpp in plain text mode here, but the same text can come from a
    scanner that types "<GS>", or from a reader left in its default human-readable mode.
    """
    for spelled, char in _SPELLED_SEPARATORS.items():
        content = content.replace(spelled, char)
    return content


def _hex_date(value: str, what: str) -> date | None:
    """A 2D-Doc date: days since 01/01/2000 in 4 hexadecimal digits, "FFFF" for none."""
    if value.upper() == _NO_DATE:
        return None
    try:
        return _EPOCH + timedelta(days=int(value, 16))
    except ValueError:
        raise ImportReadError(
            f"L'en-tête du 2D-Doc est illisible : la date {what} (« {value} ») n'est pas une "
            "date 2D-Doc."
        ) from None


def parse_header(content: str) -> Header | None:
    """The header at the start of ``content``, or None when the symbol is not of the family.

    Lengths by version, from the 2D-Doc specification: 22 characters for versions 01 and 02,
    24 for 03 (adds the perimeter), 26 for 04 (adds the issuing country); the INS datamatrix
    version 01 has 26 (marker, version, 22 reserved characters).
    """
    marker, version = content[:2], content[2:4]
    if marker not in (DOC_MARKER, INS_MARKER) or not _VERSION.fullmatch(version):
        return None
    if marker == INS_MARKER:
        if version != "01":
            raise ImportReadError(
                f"Ce datamatrix INS est d'une version que ESCAP Desktop ne sait pas lire "
                f"(version {version}, seule la version 01 de l'ANS l'est) : saisissez l'identité "
                "à la main et signalez-le au support."
            )
        length = 26
    else:
        lengths = {"01": 22, "02": 22, "03": 24, "04": 26}
        if version not in lengths:
            raise ImportReadError(
                f"Ce datamatrix est un 2D-Doc d'une version inconnue ({version}), pas un "
                "datamatrix INS."
            )
        length = lengths[version]
    if len(content) < length:
        raise ImportReadError(
            "Le datamatrix est coupé dès son en-tête : il ne peut pas être lu. Numérisez à "
            "nouveau le document, ou saisissez l'identité à la main."
        )
    if marker == INS_MARKER:
        return Header(marker, version, "", "", None, None, "", "", "", length)
    return Header(
        marker=marker,
        version=version,
        authority_id=content[4:8],
        certificate_id=content[8:12],
        issued_on=_hex_date(content[12:16], "d'émission"),
        signed_on=_hex_date(content[16:20], "de signature"),
        document_type=content[20:22],
        perimeter=content[22:24] if length >= 24 else "",
        country=content[24:26] if length >= 26 else "",
        length=length,
    )


def split_zones(content: str, header: Header) -> Zones:
    """Header, message (up to ``US``), signature (up to the next ``GS``) and annex."""
    body = content[header.length :]
    message, _, signed = body.partition(US)
    signature, _, annex = signed.partition(GS)
    return Zones(header, message, signature, annex)


def parse_fields(message: str, specs: Mapping[str, FieldSpec]) -> dict[str, Field]:
    """Every field of ``message``, in any order, by its identifier.

    A fixed-length value is taken as is; a variable one ends at ``GS`` or ``RS``, at the end of
    the message, or at its maximum length (a value that long carries no separator). A separator
    where an identifier is expected is skipped: some writers put one after fixed-length values
    too, and it cannot be mistaken for data.
    """
    fields: dict[str, Field] = {}
    position = 0
    while position < len(message):
        if message[position] in (GS, RS):
            position += 1
            continue
        field_id = message[position : position + 2]
        spec = specs.get(field_id)
        if spec is None:
            shown = "".join(char if char.isprintable() else "?" for char in field_id)
            raise ImportReadError(
                f"Le datamatrix contient un champ inconnu (« {shown} ») : il est abîmé ou ce "
                "n'est pas un datamatrix INS conforme. Saisissez l'identité à la main."
            )
        if field_id in fields:
            raise ImportReadError(
                f"Le datamatrix donne deux fois {spec.label} : il n'est pas conforme et ne peut "
                "pas servir. Saisissez l'identité à la main."
            )
        start = position + 2
        field, position = _read_value(message, start, spec)
        if len(field.value) < spec.min_length:
            raise ImportReadError(
                f"Dans le datamatrix, {spec.label} est trop court (« {field.value} ») : le "
                "datamatrix est incomplet. Saisissez l'identité à la main."
            )
        fields[field_id] = field
    return fields


def _read_value(message: str, start: int, spec: FieldSpec) -> tuple[Field, int]:
    """The value that starts at ``start`` and the position just after it (and its separator)."""
    if spec.fixed:
        value = message[start : start + spec.min_length]
        if len(value) < spec.min_length or GS in value or RS in value:
            raise ImportReadError(
                f"Le datamatrix est coupé : {spec.label} devrait compter {spec.min_length} "
                f"caractère{'s' if spec.min_length > 1 else ''}. Numérisez à nouveau le "
                "document, ou saisissez l'identité à la main."
            )
        return Field(spec.id, value), start + spec.min_length
    limit = len(message) if spec.max_length is None else start + spec.max_length
    window = message[start : limit + 1]
    ends = [index for index in (window.find(GS), window.find(RS)) if index >= 0]
    if ends:
        end = min(ends)
        truncated = window[end] == RS
        return Field(spec.id, window[:end], truncated), start + end + 1
    if limit >= len(message):
        return Field(spec.id, message[start:]), len(message)
    return Field(spec.id, message[start:limit]), limit
