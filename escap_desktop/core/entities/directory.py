"""Records of the public directory of health professionals (the RPPS "Annuaire Santé").

The directory is public data kept in its own database, apart from the patient store; these
records carry what a search shows and what an import reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from escap_desktop.core.entities.professional import (
    IdentifierKind,
    Profession,
    Professional,
    ProfessionalSource,
)


@dataclass(frozen=True, slots=True)
class DirectorySite:
    """One practice site (or activity) of a professional, as published."""

    specialty: str = ""
    practice_mode: str = ""
    organisation: str = ""
    address: str = ""
    postcode: str = ""
    town: str = ""
    phone: str = ""
    email: str = ""

    @property
    def phone_display(self) -> str:
        """A ten-digit French number in pairs ("01 45 67 89 12"); anything else as published."""
        digits = "".join(self.phone.split())
        if len(digits) == 10 and digits.isdigit():
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
        return self.phone

    @property
    def place(self) -> str:
        """What a list shows of the site: "12 Rue Pasteur, 69003 Lyon"."""
        town = " ".join(part for part in (self.postcode, self.town) if part)
        return ", ".join(part for part in (self.address, town) if part)


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A professional found in the directory, with every practice site in the file's order.

    Names are already in the usual French form ("Lefèvre", "Marie-Claire"); ``civility`` is the
    published title of practice ("Docteur", or empty).
    """

    identifier_kind: IdentifierKind
    identifier: str
    last_name: str
    first_name: str
    profession_code: str
    profession_label: str
    civility: str = ""
    sites: tuple[DirectorySite, ...] = ()
    mssante_addresses: tuple[str, ...] = ()
    """The professional's own (« PER ») MSSanté mailboxes from the directory's MSSanté extract:
    those published under this profession first, then in the file's order."""

    @property
    def mssante(self) -> str:
        """The MSSanté address to write to: the first of :attr:`mssante_addresses`, or empty.

        Always an address published in the MSSanté extract, never one built from the name."""
        return self.mssante_addresses[0] if self.mssante_addresses else ""

    @property
    def profession(self) -> Profession:
        return Profession.from_rpps_code(self.profession_code)

    @property
    def display_name(self) -> str:
        """The name with its title: "Dr Marie Lefèvre" for "Docteur", "Pr" for "Professeur"."""
        name = f"{self.first_name} {self.last_name}".strip()
        title = self.civility.casefold()
        if title.startswith("doc"):
            return f"Dr {name}"
        if title.startswith("prof"):
            return f"Pr {name}"
        return name

    @property
    def specialty(self) -> str:
        """The first published specialty among the sites (most professionals have one)."""
        return next((site.specialty for site in self.sites if site.specialty), "")

    @property
    def national_id(self) -> str:
        """The "Identification nationale PP": 8 + RPPS number, 0 + ADELI number."""
        prefix = "8" if self.identifier_kind is IdentifierKind.RPPS else "0"
        return prefix + self.identifier

    def to_professional(self, site_index: int = 0) -> Professional:
        """The professional to invite, reachable at the chosen site.

        The specialty falls back to the first published one when the chosen site has none.
        """
        site = self.sites[site_index] if self.sites else DirectorySite()
        return Professional(
            last_name=self.last_name,
            first_name=self.first_name,
            profession=self.profession,
            identifier_kind=self.identifier_kind,
            identifier=self.identifier,
            specialty=site.specialty or self.specialty,
            address=site.address,
            postcode=site.postcode,
            town=site.town,
            phone=site.phone,
            mssante=self.mssante,
            source=ProfessionalSource.DIRECTORY,
        )


class ExtractKind(StrEnum):
    """The two public extracts of the Annuaire Santé the application imports, told apart by
    their header; ``label`` names the file as the publisher does."""

    DIRECTORY = "annuaire"
    MSSANTE = "mssante"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ExtractKind.DIRECTORY: "PS_LibreAcces_Personne_activite",
    ExtractKind.MSSANTE: "Extraction_Correspondance_MSSante",
}


class ImportPhase(StrEnum):
    """The steps of an import, in order; ``label`` is what a progress line says."""

    READING = "lecture"
    INDEXING = "indexation"
    FINISHING = "finalisation"

    @property
    def label(self) -> str:
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    ImportPhase.READING: "Lecture du fichier",
    ImportPhase.INDEXING: "Index de recherche",
    ImportPhase.FINISHING: "Finalisation",
}


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Where an import stands; ``fraction`` runs from 0 to 1 over all phases."""

    phase: ImportPhase
    fraction: float
    lines_read: int
    lines_per_second: float
    seconds_left: float | None

    @property
    def percent(self) -> int:
        return min(100, int(self.fraction * 100))

    @property
    def counts_text(self) -> str:
        """Phase, lines and rate: "Lecture du fichier : 120 000 lignes (45 000 lignes/s)"."""
        return (
            f"{self.phase.label} : {group_thousands(self.lines_read)} lignes "
            f"({group_thousands(round(self.lines_per_second))} lignes/s)"
        )

    @property
    def text(self) -> str:
        """The counts, then "environ 40 s restantes" once an estimate can be made."""
        if self.seconds_left is None:
            return self.counts_text
        return f"{self.counts_text}, environ {format_duration(self.seconds_left)} restantes"


class BadLineReason(StrEnum):
    """Why a line of the extract was left out; ``label`` is the French wording of the report."""

    FIELD_COUNT = "nombre_de_champs"
    ENCODING = "encodage"
    MISSING_IDENTIFIER = "identifiant_manquant"
    INVALID_IDENTIFIER = "identifiant_invalide"
    MISSING_NAME = "nom_manquant"
    INVALID_ADDRESS = "adresse_invalide"
    UNKNOWN_MAILBOX_TYPE = "type_de_bal_inconnu"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    BadLineReason.FIELD_COUNT: "nombre de champs incorrect",
    BadLineReason.ENCODING: "encodage invalide (UTF-8 attendu)",
    BadLineReason.MISSING_IDENTIFIER: "identifiant manquant",
    BadLineReason.INVALID_IDENTIFIER: "identifiant invalide",
    BadLineReason.MISSING_NAME: "nom d'exercice manquant",
    BadLineReason.INVALID_ADDRESS: "adresse BAL manquante ou qui n'est pas une adresse e-mail",
    BadLineReason.UNKNOWN_MAILBOX_TYPE: "type de BAL inconnu (PER ou ORG attendu)",
}


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line left out of the directory, with its number in the file (the header is line 1)."""

    line_number: int
    reason: BadLineReason
    detail: str = ""

    @property
    def text(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"ligne {self.line_number} : {self.reason.label}{detail}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of a complete import.

    ``bad_lines`` keeps the first lines for display; ``bad_line_count`` and ``bad_by_reason``
    count all of them, and the report file at ``report_path`` lists every one.
    """

    source: Path
    finished_at: datetime
    seconds: float
    lines_read: int
    professionals: int
    sites: int
    bad_line_count: int
    bad_by_reason: dict[BadLineReason, int] = field(default_factory=dict)
    bad_lines: tuple[BadLine, ...] = ()
    report_path: Path | None = None

    title: ClassVar[str] = "Import de l'annuaire des professionnels de santé"

    @property
    def summary(self) -> str:
        """One French sentence for a message box or the end of a CLI run."""
        text = (
            f"{group_thousands(self.professionals)} professionnels importés "
            f"({group_thousands(self.sites)} lieux d'exercice) depuis "
            f"{group_thousands(self.lines_read)} lignes en {_took(self.seconds)}"
        )
        return text + _ignored(self.bad_line_count) + "."


@dataclass(frozen=True, slots=True)
class MssanteImportReport:
    """The outcome of a complete import of the MSSanté extract (``Extraction_Correspondance_
    MSSante``): the professionals' own mailboxes now known, and the lines left out.

    ``organisation_lines`` are the « ORG » mailboxes (a structure's, not a person's) and
    ``duplicates`` the lines repeating an address already read for the same professional:
    neither is an error, neither is kept. The bad lines are counted as for the directory.
    """

    source: Path
    finished_at: datetime
    seconds: float
    lines_read: int
    addresses: int
    professionals: int
    organisation_lines: int
    duplicates: int
    bad_line_count: int
    bad_by_reason: dict[BadLineReason, int] = field(default_factory=dict)
    bad_lines: tuple[BadLine, ...] = ()
    report_path: Path | None = None

    title: ClassVar[str] = "Import des adresses MSSanté de l'annuaire"

    @property
    def summary(self) -> str:
        """One French sentence for a message box or the end of a CLI run."""
        text = (
            f"{group_thousands(self.addresses)} adresses MSSanté personnelles importées pour "
            f"{group_thousands(self.professionals)} professionnels depuis "
            f"{group_thousands(self.lines_read)} lignes en {_took(self.seconds)} "
            f"({group_thousands(self.organisation_lines)} BAL d'organisation et "
            f"{group_thousands(self.duplicates)} doublons non retenus)"
        )
        return text + _ignored(self.bad_line_count) + "."


AnyImportReport = ImportReport | MssanteImportReport
"""What an import of either extract ends with."""


def _took(seconds: float) -> str:
    return format_duration(seconds) if seconds >= 1 else "moins d'une seconde"


def _ignored(count: int) -> str:
    if not count:
        return ""
    plural = "s" if count > 1 else ""
    return f" ; {group_thousands(count)} ligne{plural} ignorée{plural}"


def group_thousands(value: int) -> str:
    """French digit grouping with a narrow no-break space: 2 200 000."""
    return f"{value:,}".replace(",", "\u202f")


def format_duration(seconds: float) -> str:
    """Short enough for a progress line: "45 s", "3 min 05 s", "1 h 02 min"."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
