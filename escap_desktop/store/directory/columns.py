"""The columns of the ``PS_LibreAcces_Personne_activite`` extract, found by NAME in its header.

The publisher has added, removed and renamed columns over the years, so a position is never
trusted: the header is read, each name is compared once spelling differences are folded away
(case, accents, spaces, a capital "S" in "coord. Structure"), and only the identity and
profession columns are required. Every other column may be missing and then reads as empty.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

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


def read_header(line: str) -> HeaderMap:
    """Maps the header line of an extract, or refuses a file that is not one.

    Raises :class:`DirectoryFormatError` naming the required columns that are missing.
    """
    names = line.rstrip("\r\n").split("|")
    if names and not names[-1].strip():
        names.pop()  # the trailing "|" of every line
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        canonical = _KEYS.get(header_key(name))
        if canonical is not None and canonical not in positions:
            positions[canonical] = index
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        listed = ", ".join(f"« {name} »" for name in missing)
        raise DirectoryFormatError(
            "Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite » de l'Annuaire "
            f"Santé : colonnes manquantes dans l'en-tête : {listed}.",
            missing,
        )
    return HeaderMap(positions=positions, width=len(names))
