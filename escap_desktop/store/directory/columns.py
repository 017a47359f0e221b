"""The columns of the ``PS_LibreAcces_Personne_activite`` extract, found by NAME in its header,
and those of the MSSanté extract (``Extraction_Correspondance_MSSante``), found the same way.

The publisher has added, removed and renamed columns over the years, so a position is never
trusted: the header is read, each name is compared once spelling differences are folded away
(case, accents, spaces, a capital "S" in "coord. Structure"), and only the identity and
profession columns are required. Every other column may be missing and then reads as empty.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from escap_desktop.core.entities.directory import ExtractKind
from escap_desktop.store.directory.errors import DirectoryFormatError

# The header of a recent extraction, in the publisher's order (52 names).
EXTRACT_COLUMNS: tuple[str, ...] = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
)

ID_TYPE = "Type d'identifiant PP"
IDENTIFIER = "Identifiant PP"
CIVILITY = "Libellé civilité d'exercice"
LAST_NAME = "Nom d'exercice"
FIRST_NAME = "Prénom d'exercice"
PROFESSION_CODE = "Code profession"
PROFESSION_LABEL = "Libellé profession"
SPECIALTY = "Libellé savoir-faire"
MODE = "Libellé mode exercice"
ORGANISATION = "Raison sociale site"
BRAND = "Enseigne commerciale site"
RECIPIENT = "Complément destinataire (coord. structure)"
PLACE = "Complément point géographique (coord. structure)"
STREET_NUMBER = "Numéro Voie (coord. structure)"
STREET_REPEAT = "Indice répétition voie (coord. structure)"
STREET_TYPE = "Libellé type de voie (coord. structure)"
STREET = "Libellé Voie (coord. structure)"
DISTRIBUTION = "Mention distribution (coord. structure)"
CEDEX = "Bureau cedex (coord. structure)"
POSTCODE = "Code postal (coord. structure)"
TOWN = "Libellé commune (coord. structure)"
PHONE = "Téléphone (coord. structure)"
PHONE_2 = "Téléphone 2 (coord. structure)"
EMAIL = "Adresse e-mail (coord. structure)"

REQUIRED: tuple[str, ...] = (
    ID_TYPE,
    IDENTIFIER,
    LAST_NAME,
    FIRST_NAME,
    PROFESSION_CODE,
    PROFESSION_LABEL,
)
"""Without these a line cannot become a professional one can find and invite."""

USED: tuple[str, ...] = (
    *REQUIRED,
    CIVILITY,
    SPECIALTY,
    MODE,
    ORGANISATION,
    BRAND,
    STREET_NUMBER,
    STREET_REPEAT,
    STREET_TYPE,
    STREET,
    PLACE,
    DISTRIBUTION,
    CEDEX,
    POSTCODE,
    TOWN,
    PHONE,
    PHONE_2,
    EMAIL,
)
"""Every column the import reads, in the order :meth:`HeaderMap.indices` gives them."""


def header_key(name: str) -> str:
    """A column name with case, accents and spacing folded away, for comparing headers."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("’", "'").casefold().split())


_KEYS = {header_key(name): name for name in EXTRACT_COLUMNS}


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Where each column sits in this file's lines; ``width`` is the number of named fields."""

    positions: dict[str, int]
    width: int

    def indices(self, names: tuple[str, ...], missing: int) -> tuple[int, ...]:
        """Positions of ``names``; a column absent from this file points at ``missing``."""
        return tuple(self.positions.get(name, missing) for name in names)


def _map_header(line: str, keys: dict[str, str]) -> HeaderMap:
    """The positions of the known columns (``keys``: folded name to name) in a header line."""
    names = line.rstrip("\r\n").split("|")
    if names and not names[-1].strip():
        names.pop()  # the trailing "|" of every line
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        canonical = keys.get(header_key(name))
        if canonical is not None and canonical not in positions:
            positions[canonical] = index
    return HeaderMap(positions=positions, width=len(names))


def _listed(names: list[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)


def read_header(line: str) -> HeaderMap:
    """Maps the header line of an extract, or refuses a file that is not one.

    Raises :class:`DirectoryFormatError` naming the required columns that are missing.
    """
    header = _map_header(line, _KEYS)
    missing = [name for name in REQUIRED if name not in header.positions]
    if missing:
        raise DirectoryFormatError(
            "Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite » de l'Annuaire "
            f"Santé : colonnes manquantes dans l'en-tête : {_listed(missing)}.",
            missing,
        )
    return header


# --- the MSSanté extract ----------------------------------------------------------------------

# The header of ``Extraction_Correspondance_MSSante_<AAAAMMJJhhmm>.txt``, in the publisher's
# order (31 names). Several names are those of the other extract ("Identifiant PP", "Nom
# d'exercice"...): only "Type de BAL", "Adresse BAL" and the like tell the two files apart.
MSSANTE_EXTRACT_COLUMNS: tuple[str, ...] = (
    "Type de BAL",
    "Adresse BAL",
    "Type Identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Type identifiant structure",
    "Identification Structure",
    "Service de rattachement",
    "Civilité d'exercice",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Catégorie profession",
    "Libellé de catégorie profession",
    "Code Profession",
    "Libellé Profession",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Dématérialisation",
    "Raison Sociale structure BAL",
    "Enseigne commerciale structure BAL",
    "L2COMPLEMENTLOCALISATION",
    "L3COMPLEMENTDISTRIBUTION",
    "L4NUMEROVOIE",
    "L4COMPLEMENTNUMEROVOIE",
    "NL4TYPEVOIE",
    "L4LIBELLEVOIE",
    "L5LIEUDITMENTION",
    "L6LIGNEACHEMINEMENT",
    "Code postal",
    "Département",
    "Pays",
)

MAILBOX_TYPE = "Type de BAL"
MAILBOX_ADDRESS = "Adresse BAL"
MSSANTE_ID_TYPE = "Type Identifiant PP"
MSSANTE_IDENTIFIER = "Identifiant PP"
MSSANTE_NATIONAL_ID = "Identification nationale PP"
MSSANTE_PROFESSION_CODE = "Code Profession"

MSSANTE_REQUIRED: tuple[str, ...] = (MAILBOX_TYPE, MAILBOX_ADDRESS, MSSANTE_IDENTIFIER)
"""Without these a line cannot give a professional their address. The identifier type may be
missing: the national identifier ("8" + RPPS) then tells it."""

MSSANTE_USED: tuple[str, ...] = (
    *MSSANTE_REQUIRED,
    MSSANTE_ID_TYPE,
    MSSANTE_NATIONAL_ID,
    MSSANTE_PROFESSION_CODE,
)
"""Every column the MSSanté import reads, in the order :meth:`HeaderMap.indices` gives them."""

_MSSANTE_KEYS = {header_key(name): name for name in MSSANTE_EXTRACT_COLUMNS}
# The names found in one extract only: they say which file was meant when one is incomplete.
_DIRECTORY_ONLY = frozenset(_KEYS) - frozenset(_MSSANTE_KEYS)
_MSSANTE_ONLY = frozenset(_MSSANTE_KEYS) - frozenset(_KEYS)


def read_mssante_header(line: str) -> HeaderMap:
    """Maps the header line of an MSSanté extract, or refuses a file that is not one."""
    header = _map_header(line, _MSSANTE_KEYS)
    missing = [name for name in MSSANTE_REQUIRED if name not in header.positions]
    if missing:
        raise DirectoryFormatError(
            "Ce fichier n'est pas un extrait « Extraction_Correspondance_MSSante » de "
            f"l'Annuaire Santé : colonnes manquantes dans l'en-tête : {_listed(missing)}.",
            missing,
        )
    return header


def extract_kind(line: str) -> ExtractKind:
    """Which extract a header line opens, or a French refusal naming what is missing.

    A complete header of either kind decides. Otherwise the names only one of the two files has
    say which was meant, and its missing columns are named; a header with none of them is
    neither, and the missing columns of both are named.
    """
    directory = _map_header(line, _KEYS)
    mssante = _map_header(line, _MSSANTE_KEYS)
    directory_missing = [name for name in REQUIRED if name not in directory.positions]
    mssante_missing = [name for name in MSSANTE_REQUIRED if name not in mssante.positions]
    if not mssante_missing:
        return ExtractKind.MSSANTE
    if not directory_missing:
        return ExtractKind.DIRECTORY
    found = {header_key(name) for name in line.split("|")}
    mssante_only = len(found & _MSSANTE_ONLY)
    directory_only = len(found & _DIRECTORY_ONLY)
    if mssante_only > directory_only:
        read_mssante_header(line)
    if directory_only:
        read_header(line)
    raise DirectoryFormatError(
        "Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite » ni un extrait "
        "« Extraction_Correspondance_MSSante » de l'Annuaire Santé : colonnes manquantes dans "
        f"l'en-tête : {_listed(directory_missing)} pour l'annuaire, ou "
        f"{_listed(mssante_missing)} pour les adresses MSSanté.",
        [*directory_missing, *(name for name in mssante_missing if name not in directory_missing)],
    )
