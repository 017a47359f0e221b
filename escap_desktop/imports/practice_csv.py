"""A practice software's patient list (CSV export) read into ``Patient`` drafts, row by row.

Nothing is saved here: the import service checks duplicates and records the drafts. A bad row
never stops the import: it comes back with its problems in French, for the user to fix in the
software or the file. Only a file that cannot be read at all raises ImportReadError.

The identity status of a draft is RETRIEVED when the row carries an INS, else PROVISIONAL, and
never QUALIFIED, even when the practice software had qualified it: under the RNIV a qualified
identity rests on a high-trust document seen by a professional, a record this app keeps itself
(document, who, when) and a CSV file cannot carry. The file may also have been edited by hand
after the export; the team qualifies the identity again in the app.

A "N° SS" column may hold the insured person's NIR (the "ouvrant droit": a parent, a spouse)
rather than the patient's: the NIR's agreement with the sex and birth date, checked on every
row, refuses most such rows rather than record another person's INS.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.identity import normalise_name, patient_problems, validate_nir
from escap_desktop.core.rules.wording import lower_first, plural
from escap_desktop.core.text import fold
from escap_desktop.imports.csv_layout import (
    CsvLayout,
    column_names,
    encoding_label,
    parse_date,
    read_bytes,
)
from escap_desktop.imports.csv_mapping import ColumnMapping, PatientField, check_mapping
from escap_desktop.imports.errors import ImportReadError

_HEAD_BYTES = 65536
_SEXES = {
    **dict.fromkeys(("m", "h", "homme", "masculin", "1"), Sex.MALE),
    **dict.fromkeys(("f", "femme", "feminin", "féminin", "2"), Sex.FEMALE),
    **dict.fromkeys(("i", "indetermine", "indéterminé"), Sex.INDETERMINATE),
}
"""Folded sex words (and the accented ones, found without folding: faster)."""
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE][+]?\d+")
"""A long number a spreadsheet rewrote ("1,85058E+14"): its last digits are lost."""
_NIR_MARKS = str.maketrans("", "", " .-\u00a0\u202f")
_UNKNOWN_DATE = date(1900, 1, 1)
"""Stands for a birth date that could not be read, so the other traits are still checked."""


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One record of the file, as built or as refused."""

    line: int  # line number in the file, 1-based, as a spreadsheet shows it
    patient: Patient | None
    problems: tuple[str, ...]  # French sentences, empty when patient is not None


def read_csv_rows(
    path: Path, layout: CsvLayout, mapping: ColumnMapping, today: date
) -> Iterator[CsvRow]:
    """Each record of the file after the header, streamed (blank lines skipped silently).

    ``line`` counts records as a spreadsheet shows them (the header is line 1, a blank line
    counts, a quoted cell over several lines is one row), so the user finds the row the
    message names. Each problem starts with the column's name ("DDN : la date ...").

    The mapping and the file's first bytes are checked at once, so a missing, empty or binary
    file or an incomplete mapping raises ImportReadError here, before the first row. A file
    with its header row only yields nothing (``inspect_csv`` said ``data_rows=0``).
    """
    check_mapping(mapping)
    read_bytes(path, _HEAD_BYTES)
    return _rows(path, layout, mapping, today)


def _rows(path: Path, layout: CsvLayout, mapping: ColumnMapping, today: date) -> Iterator[CsvRow]:
    # errors="replace": a byte the encoding cannot decode becomes U+FFFD and its cell is
    # reported, the row refused, the rest read. cp1252 decodes every byte but five it leaves
    # undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D); UTF-8 chosen for a cp1252 file fails on accents.
    builder = _RowBuilder(layout, mapping, today)
    line = 0
    header_pending = layout.has_header
    try:
        with path.open(encoding=layout.encoding, errors="replace", newline="") as stream:
            for cells in csv.reader(stream, delimiter=layout.delimiter):
                line += 1
                if line == 1 and cells:
                    cells[0] = cells[0].removeprefix("\ufeff")
                if not any(cells) or not "".join(cells).strip():
                    continue
                if header_pending:
                    header_pending = False
                    builder.name_columns(cells)
                    continue
                yield builder.row(line, cells)
    except csv.Error:
        yield CsvRow(
            line + 1,
            None,
            (
                "Le fichier ne peut pas être lu au-delà de cette ligne : un guillemet n'y est "
                "sans doute pas fermé (la suite du fichier tiendrait dans une seule cellule).",
            ),
        )
    except OSError as error:
        raise ImportReadError(
            f"La lecture du fichier « {path.name} » a échoué ({error.strerror or error})."
        ) from None


class _RowBuilder:
    """Turns the cells of one record into a patient draft or its problems."""

    def __init__(self, layout: CsvLayout, mapping: ColumnMapping, today: date) -> None:
        self.layout = layout
        self.today = today
        self.columns = dict(mapping.columns)
        self.width = max(self.columns.values()) + 1
        self.slots = tuple(self.columns.get(field, -1) for field in PatientField)
        self.names = column_names(None, self.width)
        self.unreadable = (
            "Un caractère de cette cellule ne peut pas être lu dans l'encodage choisi "
            f"({encoding_label(layout.encoding)}) : choisissez un autre encodage pour ce fichier."
        )

    def name_columns(self, header: list[str]) -> None:
        self.names = column_names(header, max(self.width, len(header)))

    def _problem(self, field: str | None, message: str) -> tuple[int, str]:
        """(column index, the message after the column's name): problems sort left to right
        as the spreadsheet shows the cells; one on an unmapped field comes last, unprefixed."""
        index = self.columns.get(_FIELDS[field]) if field in _FIELDS else None
        if index is None:
            return self.width, message
        return index, f"{self.names[index]} : {lower_first(message)}"

    def _fail(
        self, field: str, message: str, problems: list[tuple[int, str]], unread: set[str]
    ) -> None:
        """Records the first problem of a cell that cannot be read; later ones are dropped."""
        if field not in unread:
            unread.add(field)
            problems.append(self._problem(field, message))

    def row(self, line: int, cells: list[str]) -> CsvRow:
        if len(cells) < self.width:
            count = len(cells)
            return CsvRow(
                line,
                None,
                (
                    f"La ligne n'a que {count} {plural(count, 'cellule', 'cellules')} alors que "
                    f"la colonne « {self.names[count]} » est la {count + 1}e : une cellule ou un "
                    "séparateur manque.",
                ),
            )
        # One cell per field in PatientField order; an unmapped field reads the "" appended.
        padded = [*cells, ""]
        (
            birth_name,
            first_names,
            birth_date,
            sex,
            birth_place,
            ins,
            used_name,
            used_first_name,
            phone,
            address,
        ) = values = [padded[index].strip() for index in self.slots]
        problems: list[tuple[int, str]] = []
        unread: set[str] = set()
        if "\ufffd" in "".join(values):
            for field, value in zip(PatientField, values, strict=True):
                if "\ufffd" in value:
                    self._fail(field.value, self.unreadable, problems, unread)
        nir = self._nir(ins, problems, unread)
        patient = Patient(
            birth_name=normalise_name(birth_name),
            first_names=normalise_name(first_names.replace(",", " ")),
            birth_date=self._birth_date(birth_date, problems, unread),
            sex=self._sex(sex, problems, unread),
            birth_place_code="".join(birth_place.split()).upper(),
            used_name=normalise_name(used_name),
            used_first_name=normalise_name(used_first_name),
            ins=nir,
            identity_status=IdentityStatus.RETRIEVED if nir else IdentityStatus.PROVISIONAL,
            phone=" ".join(phone.split()),
            address=_one_line(address),
        )
        problems += self._trait_problems(patient, unread)
        if problems:
            problems.sort(key=lambda problem: problem[0])
            return CsvRow(line, None, tuple(message for _, message in problems))
        return CsvRow(line, patient, ())

    def _birth_date(self, value: str, problems: list[tuple[int, str]], unread: set[str]) -> date:
        try:
            return parse_date(value, self.layout.date_format, self.today)
        except ValidationError as error:
            message = "La date de naissance est obligatoire." if not value else error.message
            self._fail("birth_date", message, problems, unread)
            return _UNKNOWN_DATE

    def _sex(self, value: str, problems: list[tuple[int, str]], unread: set[str]) -> Sex:
        sex = _SEXES.get(value.lower()) or _SEXES.get(fold(value).rstrip("."))
        if sex is not None:
            return sex
        if not value:
            message = "Le sexe est obligatoire (M, F ou I)."
        else:
            message = (
                f"« {value} » n'est pas un sexe reconnu : M ou H (homme), F (femme), I "
                "(indéterminé), ou 1 et 2 comme dans le NIR."
            )
        self._fail("sex", message, problems, unread)
        return Sex.INDETERMINATE

    def _nir(self, value: str, problems: list[tuple[int, str]], unread: set[str]) -> str:
        """The NIR without its spaces and dots; a NIR a spreadsheet rewrote or without its key
        is reported here, with what to do (the core check would only count characters)."""
        nir = value.translate(_NIR_MARKS).upper()
        message = None
        if _SCIENTIFIC.fullmatch(nir):
            message = (
                f"Le NIR a été abîmé par un tableur (« {value} ») : ses derniers chiffres sont "
                "perdus ; exportez de nouveau la liste depuis le logiciel, sans l'ouvrir ni "
                "l'enregistrer dans un tableur."
            )
        elif len(nir) == 13 and nir[:5].isdigit():
            message = (
                f"La clé du NIR manque : « {value} » n'a que les 13 premiers caractères ; "
                "ajoutez les 2 chiffres de la clé (carte Vitale ou attestation de droits)."
            )
        if message is not None:
            self._fail("ins", message, problems, unread)
        return "" if "ins" in unread else nir

    def _trait_problems(self, patient: Patient, unread: set[str]) -> list[tuple[int, str]]:
        """``patient_problems``, without the ones a stand-in value (unread cell) would cause.

        When the date or the sex could not be read, the NIR is only checked on its own: its
        agreement with a stand-in date or sex would report a false problem.
        """
        checked = patient
        nir_problems: list[ValidationError] = []
        if patient.ins and unread & {"birth_date", "sex"}:
            checked = replace(patient, ins="")
            try:
                validate_nir(patient.ins)
            except ValidationError as problem:
                nir_problems.append(problem)
        found = patient_problems(checked, self.today) + nir_problems
        return [self._problem(p.field, p.message) for p in found if p.field not in unread]


_FIELDS: dict[str | None, PatientField] = {field.value: field for field in PatientField}


def _one_line(address: str) -> str:
    """An address on one line: the lines of a multi-line cell joined by commas."""
    if "\n" not in address and "\r" not in address:
        return " ".join(address.split())
    lines = (" ".join(line.split()) for line in address.splitlines())
    return ", ".join(line for line in lines if line)
