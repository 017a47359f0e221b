"""How a practice software wrote its CSV export: encoding, separator, date format, header row.

French practice software exports in cp1252 ("ANSI") or UTF-8, most often with ";" (Excel's
French list separator), and with dates in many shapes. :func:`inspect_csv` guesses all of it
from the file and shows the first rows; the mapping screen lets the user correct the guess.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from escap_desktop.core.errors import ValidationError
from escap_desktop.core.text import fold
from escap_desktop.imports.csv_mapping import PatientField, suggest_mapping
from escap_desktop.imports.errors import ImportReadError

ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
DELIMITERS = (";", ",", "\t", "|")
DATE_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%d/%m/%y",
)
"""Day-first orders only: in a French file "03/04/1950" is the 3rd of April, never March 4th."""

_DATE_LABELS = {
    "%d/%m/%Y": "JJ/MM/AAAA",
    "%Y-%m-%d": "AAAA-MM-JJ",
    "%d-%m-%Y": "JJ-MM-AAAA",
    "%d.%m.%Y": "JJ.MM.AAAA",
    "%Y%m%d": "AAAAMMJJ",
    "%d/%m/%y": "JJ/MM/AA",
}
_ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-8": "UTF-8",
    "cp1252": "Windows (ANSI, cp1252)",
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
"""A time after the date ("12/03/1950 00:00:00"): what database exports write for a day."""
_DAY, _MONTH = r"(?P<d>\d{1,2})", r"(?P<m>\d{1,2})"
_DATE_PATTERNS = {
    "%d/%m/%Y": re.compile(rf"{_DAY}/{_MONTH}/(?P<Y>\d{{4}}){_TIME}"),
    "%Y-%m-%d": re.compile(rf"(?P<Y>\d{{4}})-{_MONTH}-{_DAY}{_TIME}"),
    "%d-%m-%Y": re.compile(rf"{_DAY}-{_MONTH}-(?P<Y>\d{{4}}){_TIME}"),
    "%d.%m.%Y": re.compile(rf"{_DAY}\.{_MONTH}\.(?P<Y>\d{{4}}){_TIME}"),
    "%Y%m%d": re.compile(rf"(?P<Y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}"),
    "%d/%m/%y": re.compile(rf"{_DAY}/{_MONTH}/(?P<y>\d{{2}}){_TIME}"),
}
_NOT_CSV = (
    "Ce fichier n'est pas un fichier CSV (un classeur Excel ?) : enregistrez-le au format CSV "
    "depuis le logiciel ou le tableur, puis importez le fichier .csv."
)
_BINARY_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b", b"{\\rtf")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DATA_CELL = re.compile(r"[\d\s./:-]{5,}|[\d\s]{6}[\dAB][\d\s]{6,}")
"""A cell that is a value, never a label: a date, a phone number, a NIR."""
_SEX_VALUES = frozenset({"m", "f", "h", "i", "homme", "femme", "masculin", "feminin"})
_SNIFF_LINES = 30
_CHOICES = {(encoding, delimiter) for encoding in ENCODINGS for delimiter in DELIMITERS}


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """How to read the file; every value is one the mapping screen offers."""

    encoding: str  # "utf-8-sig" | "utf-8" | "cp1252"
    delimiter: str  # ";" "," "\t" "|"
    date_format: str  # a strptime format among DATE_FORMATS
    has_header: bool

    def __post_init__(self) -> None:
        if (self.encoding, self.delimiter) not in _CHOICES or self.date_format not in DATE_FORMATS:
            raise ValueError(f"not a layout the mapping screen offers: {self!r}")


@dataclass(frozen=True, slots=True)
class CsvSample:
    """What the mapping screen shows: the layout, the column names and the first rows."""

    layout: CsvLayout
    headers: tuple[str, ...]  # names shown for each column ("Colonne 3" without a header row)
    rows: tuple[tuple[str, ...], ...]  # the first data rows
    data_rows: int  # number of data rows in the file (for progress)


def encoding_label(encoding: str) -> str:
    """The name the user knows an encoding by: "UTF-8", "Windows (ANSI)"."""
    return _ENCODING_LABELS.get(encoding, encoding)


def date_format_label(date_format: str) -> str:
    """The French way to name a date format: "%d/%m/%Y" → "JJ/MM/AAAA"."""
    return _DATE_LABELS[date_format]


def parse_date(value: str, date_format: str, today: date) -> date:
    """The date ``value`` written in ``date_format``, or ValidationError in French.

    A regular expression per format rather than ``strptime``: faster on a 20,000-row import,
    and it accepts the time some exports append. A two-digit year takes the latest
    century that does not put the birth in the future: on 01/06/2025, "31/12/25" is 1925.
    """
    label = _DATE_LABELS[date_format]
    found = _DATE_PATTERNS[date_format].fullmatch(value.strip())
    if found is None:
        raise ValidationError(
            f"« {value} » n'est pas une date au format {label}, celui choisi pour ce fichier.",
            field="birth_date",
        )
    parts = found.groupdict()
    day, month = int(parts["d"]), int(parts["m"])
    if parts.get("y") is not None:
        year = today.year - today.year % 100 + int(parts["y"])
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
    else:
        year = int(parts["Y"])
    try:
        return date(year, month, day)
    except ValueError:
        hint = ""
        if month > 12 and day <= 12:
            hint = f" : il n'y a pas de mois {month}, le jour et le mois sont-ils inversés ?"
        raise ValidationError(
            f"La date « {value} » n'existe pas (format {label}){hint or '.'}", field="birth_date"
        ) from None


def column_names(header: Sequence[str] | None, width: int) -> tuple[str, ...]:
    """A unique name per column: the header's, else "Colonne N" (1-based, as a spreadsheet
    numbers them). A repeated header gets its column number, so a saved mapping is never
    ambiguous."""
    names: list[str] = []
    for index in range(width):
        name = " ".join(header[index].split()) if header and index < len(header) else ""
        if not name or name in names:
            name = f"{name} (colonne {index + 1})" if name else f"Colonne {index + 1}"
        names.append(name)
    return tuple(names)


def read_bytes(path: Path, limit: int = -1) -> bytes:
    """The whole file (or its first ``limit`` bytes), or ImportReadError for a file that is
    missing, unreadable, empty or binary."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit)
    except FileNotFoundError:
        raise ImportReadError(f"Le fichier « {path.name} » est introuvable.") from None
    except OSError as error:
        raise ImportReadError(
            f"Le fichier « {path.name} » ne peut pas être lu ({error.strerror or error})."
        ) from None
    check_is_text(raw, path, whole=limit < 0 or len(raw) < limit)
    return raw


def check_is_text(head: bytes, path: Path, *, whole: bool = True) -> None:
    """Refuses what is surely not a CSV export, from the file's first bytes (``whole`` when
    they are the whole file: only then can blank bytes mean an empty file)."""
    if whole and not head.removeprefix(b"\xef\xbb\xbf").strip():
        raise ImportReadError(f"Le fichier « {path.name} » est vide : aucun patient à importer.")
    if head.startswith(_UTF16_BOMS):
        raise ImportReadError(
            "Ce fichier est en « Texte Unicode » (UTF-16) : enregistrez-le au format « CSV UTF-8 "
            "(délimité par des virgules) » ou « CSV (séparateur : point-virgule) »."
        )
    if head.startswith(_BINARY_STARTS) or b"\x00" in head[:65536]:
        raise ImportReadError(_NOT_CSV)


def detect_encoding(raw: bytes) -> tuple[str, str]:
    """(encoding, text): UTF-8 when the bytes strictly decode as UTF-8, else cp1252.

    A cp1252 file with accents is almost never valid UTF-8, so the strict decode decides; the
    text is decoded once. cp1252 decodes every byte but five that it leaves undefined (0x81,
    0x8D, 0x8F, 0x90, 0x9D): they become U+FFFD and the reader reports the cell.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return "utf-8-sig", raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return "utf-8", raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return "cp1252", raw.decode("cp1252", errors="replace")


def detect_delimiter(text: str) -> str:
    """The separator: ``csv.Sniffer`` among the four, checked by counting columns."""
    lines = [line for line in text[:65536].splitlines()[:_SNIFF_LINES] if line.strip()]
    sample = "\n".join(lines)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    scores = {delimiter: _steadiness(lines, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=scores.__getitem__)  # ties: ";" first, Excel's French separator
    if sniffed in scores and scores[sniffed] == scores[best]:
        return sniffed
    return best if scores[best] > (0, 0) else ";"


def _steadiness(lines: list[str], delimiter: str) -> tuple[int, int]:
    """(lines, columns) of the commonest number of columns (> 1) the delimiter gives, quotes
    respected: the true separator cuts most lines into the same, larger number of cells."""
    counts = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter))
    columns, found = max(counts.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
    return (found, columns) if columns > 1 else (0, 0)


def looks_like_header(row: Sequence[str]) -> bool:
    """A first row of labels: some letters, and no cell that can only be a value."""
    cells = [cell.strip() for cell in row if cell.strip()]
    if not any(char.isalpha() for cell in cells for char in cell):
        return False
    return not any(_DATA_CELL.fullmatch(cell) or fold(cell) in _SEX_VALUES for cell in cells)


def detect_date_format(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The format that parses every sampled date of the birth-date column.

    The column is the one whose values all look like dates, the birth-date header preferred
    when several do (a file may also have a "date de création"). When no format parses every
    value, the one that parses most (the reader then reports the others); candidates are
    tried in :data:`DATE_FORMATS` order, French day-first first.
    """
    candidates = [
        index
        for index in range(len(headers))
        if (values := _column(rows, index)) and all(_looks_like_date(value) for value in values)
    ]
    birth = suggest_mapping(headers).columns.get(PatientField.BIRTH_DATE)
    if birth in candidates:
        candidates.insert(0, birth)
    if not candidates:
        return DATE_FORMATS[0]
    values = _column(rows, candidates[0])
    sure = date(2000, 12, 31)  # only the day and month tell the formats apart (29/02/00 too)
    return max(DATE_FORMATS, key=lambda fmt: sum(_parses(value, fmt, sure) for value in values))


def _column(rows: Iterable[Sequence[str]], index: int) -> list[str]:
    return [row[index].strip() for row in rows if index < len(row) and row[index].strip()]


def _looks_like_date(value: str) -> bool:
    return any(pattern.fullmatch(value) for pattern in _DATE_PATTERNS.values())


def _parses(value: str, date_format: str, today: date) -> bool:
    try:
        parse_date(value, date_format, today)
    except ValidationError:
        return False
    return True


def inspect_csv(path: Path, *, sample_rows: int = 20, layout: CsvLayout | None = None) -> CsvSample:
    """The file's layout (detected, or ``layout`` as the user corrected it) and first rows.

    The file is decoded once; its records are counted by the C csv reader without keeping
    them (a 20,000-row file takes a few tens of milliseconds). Raises ImportReadError for a
    file that is missing, empty or not a text file.
    """
    raw = read_bytes(path)
    if layout is None:
        encoding, text = detect_encoding(raw)
    else:
        encoding = layout.encoding
        text = raw.decode(encoding, errors="replace")
    text = text.removeprefix("\ufeff")
    delimiter = layout.delimiter if layout else detect_delimiter(text)
    reader = _Records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    records = iter(reader)
    first = _first_records(records, sample_rows + 1)
    counted = _count_records(records) + reader.broken
    has_header = layout.has_header if layout else bool(first) and looks_like_header(first[0])
    header = first[0] if has_header and first else None
    rows = first[1:] if header is not None else first[:sample_rows]
    width = max((len(row) for row in first), default=0)
    headers = column_names(header, width)
    if layout is None:
        layout = CsvLayout(encoding, delimiter, detect_date_format(headers, rows), has_header)
    data_rows = len(first) + counted - (header is not None)
    return CsvSample(layout, headers, tuple(tuple(row) for row in rows), data_rows)


class _Records:
    """The csv reader's records until the first csv.Error, which ``broken`` then records.

    An unclosed quote can make the rest of the file one cell, too large for the csv module;
    what follows it cannot be trusted, so reading stops there (the row reader does the same
    and reports that line: it counts as one data row).
    """

    def __init__(self, reader: Iterator[list[str]]) -> None:
        self.reader = reader
        self.broken = False

    def __iter__(self) -> Iterator[list[str]]:
        try:
            yield from self.reader
        except csv.Error:
            self.broken = True


def _first_records(records: Iterator[list[str]], count: int) -> list[list[str]]:
    """The next ``count`` records that are not blank lines."""
    found: list[list[str]] = []
    for row in records:
        if any(row) and "".join(row).strip():
            found.append(row)
            if len(found) == count:
                break
    return found


def _count_records(records: Iterator[list[str]]) -> int:
    """How many of the remaining records are not blank lines (none kept in memory)."""
    return sum(1 for row in records if any(row) and "".join(row).strip())
