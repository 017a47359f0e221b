"""Synthetic ``PS_LibreAcces_Personne_activite`` extracts, for tests, demos and benchmarks.

No real extract can be downloaded where the app is built, so this writes files in the exact
published format: the 52-name header, ``|`` separators, a trailing ``|`` on every line, UTF-8,
upper-case names, labels beside codes, professionals with several practice sites on several
lines, sites whose postcode and town are only in "Bureau cedex", and a few broken lines (wrong
field count, Latin-1 bytes, missing identifier) whose numbers are returned so tests can check
the import report. The same seed gives the same file.

:func:`write_mssante_extract` writes the MSSanté extract (``Extraction_Correspondance_MSSante``)
the same way: its 31-name header, « PER » mailboxes of the professionals of a directory extract
(or of generated ones), some with two or three, « ORG » mailboxes of structures, addresses
repeated on several lines, and broken lines of each kind. The addresses written are returned,
so tests compare what a search shows with what the file holds.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from escap_desktop.core.entities.directory import BadLineReason
from escap_desktop.store.directory import synthetic_data as data
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS, MSSANTE_EXTRACT_COLUMNS
from escap_desktop.store.directory.parser import ExtractParser

_INDEX = {name: index for index, name in enumerate(EXTRACT_COLUMNS)}
_IDENTIFIER = _INDEX["Identifiant PP"]
_NATIONAL_ID = _INDEX["Identification nationale PP"]
_LAST_NAME = _INDEX["Nom d'exercice"]
_SPECIALTY = _INDEX["Code type savoir-faire"]  # four columns: type code/label, code/label
_SITE = tuple(
    _INDEX[name]
    for name in (
        "Code mode exercice",
        "Libellé mode exercice",
        "Numéro SIRET site",
        "Numéro SIREN site",
        "Numéro FINESS site",
        "Numéro FINESS établissement juridique",
        "Identifiant technique de la structure",
        "Raison sociale site",
        "Numéro Voie (coord. structure)",
        "Indice répétition voie (coord. structure)",
        "Code type de voie (coord. structure)",
        "Libellé type de voie (coord. structure)",
        "Libellé Voie (coord. structure)",
        "Bureau cedex (coord. structure)",
        "Code postal (coord. structure)",
        "Code commune (coord. structure)",
        "Libellé commune (coord. structure)",
        "Code pays (coord. structure)",
        "Libellé pays (coord. structure)",
        "Téléphone (coord. structure)",
        "Adresse e-mail (coord. structure)",
        "Code Département (structure)",
        "Libellé Département (structure)",
        "Autorité d'enregistrement",
        "Code secteur d'activité",
        "Libellé secteur d'activité",
        "Code section tableau pharmaciens",
        "Libellé section tableau pharmaciens",
    )
)
_MODES = {"L": "Libéral", "S": "Salarié", "B": "Bénévole"}
_TAIL_NAMES = tuple(
    name
    for name in dict.fromkeys(
        start + middle + end
        for start in data.TAIL_STARTS
        for middle in data.TAIL_MIDDLES
        for end in data.TAIL_ENDS
    )
    if not re.search(r"(.)\1\1", name)  # no "PERRROUX"
)
_SITE_COUNTS = (1, 2, 3, 4, 5)
_SITE_COUNT_WEIGHTS = tuple(accumulate((75, 17, 5, 2, 1)))
_FIRST_BAD_LINES = frozenset({4, 13, 22})
_BAD_KINDS = (
    BadLineReason.FIELD_COUNT,
    BadLineReason.ENCODING,
    BadLineReason.MISSING_IDENTIFIER,
)


def header_line(columns: Sequence[str] = EXTRACT_COLUMNS) -> str:
    """The header as published: names separated by ``|``, with the trailing ``|``."""
    return "|".join(columns) + "|"


def build_line(values: Mapping[str, str], columns: Sequence[str] = EXTRACT_COLUMNS) -> str:
    """One data line for ``columns`` (absent values are empty), with the trailing ``|``."""
    return "|".join(values.get(name, "") for name in columns) + "|"


@dataclass(frozen=True, slots=True)
class SyntheticExtract:
    """What was written: counts, and the number and kind of every broken line."""

    path: Path
    lines: int
    professionals: int
    bad_lines: dict[int, BadLineReason] = field(default_factory=dict)


def write_extract(
    path: Path, lines: int, *, seed: int = 0, bad_line_rate: float = 0.0002
) -> SyntheticExtract:
    """Writes an extract of ``lines`` data lines (plus the header) to ``path``.

    About ``bad_line_rate`` of the lines are broken on purpose (at least one of each kind when
    the rate is not zero and the file has more than a few lines).
    """
    generator = _Generator(random.Random(seed), bad_line_rate)
    buffer: list[bytes] = []
    with path.open("wb") as output:
        output.write((header_line() + "\n").encode())
        for encoded in generator.lines(lines):
            buffer.append(encoded)
            if len(buffer) >= 4096:
                output.write(b"".join(buffer))
                buffer.clear()
        output.write(b"".join(buffer))
    return SyntheticExtract(path, lines, generator.professionals, dict(generator.bad_lines))


class _Generator:
    """Draws professionals one at a time; identifiers grow, as in the published files."""

    def __init__(self, rng: random.Random, bad_line_rate: float) -> None:
        self._rng = rng
        self._bad_line_rate = bad_line_rate
        self._rpps = 10_000_000_000
        self._adeli = 130_000_000
        self._structure = 100_000_000
        self.professionals = 0
        self.bad_lines: dict[int, BadLineReason] = {}
        self._last_weights = _zipf(len(data.LAST_NAMES), 0.7)
        self._female_weights = _zipf(len(data.FEMALE_FIRST_NAMES))
        self._male_weights = _zipf(len(data.MALE_FIRST_NAMES))
        self._profession_weights = tuple(accumulate(p[2] for p in data.PROFESSIONS))
        self._town_weights = tuple(accumulate(t[5] for t in data.TOWNS))

    def lines(self, count: int) -> Iterator[bytes]:
        line_number = 1  # the header
        while line_number <= count:
            for values in self._professional(count - line_number + 1):
                line_number += 1
                yield self._encode(values, line_number)

    def _encode(self, values: list[str], line_number: int) -> bytes:
        forced = line_number in _FIRST_BAD_LINES  # one of each kind, early in the file
        if self._bad_line_rate and (forced or self._rng.random() < self._bad_line_rate):
            kind = _BAD_KINDS[len(self.bad_lines) % len(_BAD_KINDS)]
            self.bad_lines[line_number] = kind
            if kind is BadLineReason.FIELD_COUNT:
                return ("|".join(values[:-3]) + "|\n").encode()
            if kind is BadLineReason.ENCODING:
                values[_LAST_NAME] = "GÉRARD"
                return ("|".join(values) + "|\n").encode("latin-1", errors="replace")
            values[_IDENTIFIER] = values[_NATIONAL_ID] = ""
        return ("|".join(values) + "|\n").encode()

    def _professional(self, lines_left: int) -> list[list[str]]:
        """The lines of one professional: the identity repeated, one practice site per line."""
        rng = self._rng
        self.professionals += 1
        code, label, _share, specialties, authority = rng.choices(
            data.PROFESSIONS, cum_weights=self._profession_weights
        )[0]
        adeli = authority.startswith("ARS") and rng.random() < 0.5
        if adeli:
            self._adeli += rng.randint(1, 60)
            kind, identifier = "0", f"{self._adeli:09d}"
        else:
            self._rpps += rng.randint(1, 40)
            kind, identifier = "8", f"{self._rpps:011d}"
        female = rng.random() < 0.6
        first = rng.choices(
            data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES,
            cum_weights=self._female_weights if female else self._male_weights,
        )[0]
        last = self._last_name()
        if rng.random() < 0.02:
            other = self._last_name()
            last = f"{last}-{other}" if " " not in last + other else last
        doctor = code in ("10", "40") or (code == "21" and rng.random() < 0.5)
        specialty = rng.choice(specialties) if specialties else ("", "", "", "")
        identity = [""] * len(EXTRACT_COLUMNS)
        identity[0:13] = [
            kind,
            identifier,
            kind + identifier,
            "DR" if doctor else "",
            "Docteur" if doctor else "",
            "MME" if female else "M",
            "Madame" if female else "Monsieur",
            last,
            first,
            code,
            label,
            "C",
            "Civil",
        ]
        identity[_SPECIALTY : _SPECIALTY + 4] = specialty
        if rng.random() < 0.04:  # registered, but no practice site published
            return [identity]
        count = rng.choices(_SITE_COUNTS, cum_weights=_SITE_COUNT_WEIGHTS)[0]
        town = rng.choices(data.TOWNS, cum_weights=self._town_weights)[0]
        result = []
        for _ in range(min(count, lines_left)):
            if rng.random() < 0.4:
                town = rng.choices(data.TOWNS, cum_weights=self._town_weights)[0]
            values = identity.copy()
            for index, value in zip(_SITE, self._site(code, authority, last, town), strict=True):
                values[index] = value
            result.append(values)
        return result

    def _last_name(self) -> str:
        """A common name one time in ten (Martin most often), else one of the long tail."""
        if self._rng.random() < 0.1:
            return self._rng.choices(data.LAST_NAMES, cum_weights=self._last_weights)[0]
        return self._rng.choice(_TAIL_NAMES)

    def _site(
        self, profession: str, authority: str, last: str, town: tuple[str, str, str, str, str, int]
    ) -> list[str]:
        """The values of the ``_SITE`` columns, in that order."""
        rng = self._rng
        label, commune, postcode, department, department_label, _weight = town
        if profession == "21":
            mode = "L" if rng.random() < 0.35 else "S"
        else:
            roll = rng.random()
            mode = "L" if roll < 0.7 else ("S" if roll < 0.98 else "B")
        street_code, street_type = rng.choice(data.STREET_TYPES)
        street = rng.choice(data.STREETS)
        kind = "21" if profession == "21" else ("S" if mode == "S" else "L")
        organisation = rng.choice(data.ORGANISATION_PATTERNS[kind]).format(
            last=last,
            other=rng.choice(data.LAST_NAMES),
            town=label.upper(),
            street=street,
            saint=rng.choice(data.EHPAD_NAMES),
        )
        self._structure += 1
        siret = "" if mode == "S" else str(rng.randrange(10**13, 10**14))
        finess = f"{department[:2]}0{rng.randrange(10**6):06d}" if mode == "S" else ""
        cedex_only = rng.random() < 0.03  # postcode and town only given in "Bureau cedex"
        pharmacy_section = ("", "")
        if profession == "21":
            pharmacy_section = (
                ("A", "Section A : Pharmaciens titulaires d'officine")
                if mode == "L"
                else ("D", "Section D : Pharmaciens adjoints et autres exercices")
            )
        return [
            mode,
            _MODES[mode],
            siret,
            siret[:9],
            finess,
            finess,
            f"R1{self._structure:010d}",
            organisation,
            str(rng.randint(1, 180)),
            rng.choice(("", "", "", "", "", "", "", "", "", "B", "T")),
            street_code,
            street_type,
            street,
            f"{postcode} {label.upper()}" if cedex_only else "",
            "" if cedex_only else postcode,
            "" if cedex_only else commune,
            "" if cedex_only else label,
            "99100",
            "France",
            f"0{rng.randint(1, 5)}{rng.randrange(10**8):08d}" if rng.random() < 0.75 else "",
            (
                f"cabinet.{rng.randrange(10**4)}@{rng.choice(data.EMAIL_DOMAINS)}"
                if rng.random() < 0.15
                else ""
            ),
            department,
            department_label,
            authority,
            *data.SECTORS["21" if kind == "21" and mode == "L" else ("S" if mode == "S" else "L")],
            *pharmacy_section,
        ]


def _zipf(count: int, exponent: float = 0.9) -> tuple[float, ...]:
    """Cumulative weights falling like real name frequencies (the first is most common)."""
    return tuple(accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


# --- the MSSanté extract ----------------------------------------------------------------------

Person = tuple[str, str, str, str, str, str]
"""Identifier type ("8", "0"), identifier, civility, last name, first name, profession code."""

_MSS = {name: index for index, name in enumerate(MSSANTE_EXTRACT_COLUMNS)}
_PROFESSION_DOMAINS = {
    "10": "medecin",
    "21": "pharmacien",
    "40": "chirurgien-dentiste",
    "50": "sage-femme",
    "60": "infirmier",
    "70": "masseur-kinesitherapeute",
    "80": "pedicure-podologue",
    "91": "orthophoniste",
}
_STRUCTURE_DOMAINS = ("chu-lyon", "aphp", "ch-valence", "ght-alpes", "msp-rhone", "chu-nantes")
_MSSANTE_FIRST_BAD_LINES = frozenset({3, 11, 19, 27})
_MSSANTE_BAD_KINDS = (
    BadLineReason.FIELD_COUNT,
    BadLineReason.ENCODING,
    BadLineReason.MISSING_IDENTIFIER,
    BadLineReason.INVALID_ADDRESS,
)


def mssante_header_line(columns: Sequence[str] = MSSANTE_EXTRACT_COLUMNS) -> str:
    """The MSSanté header as published, with the trailing ``|``."""
    return header_line(columns)


@dataclass(frozen=True, slots=True)
class SyntheticMssante:
    """What was written: for each national identifier ("8" + RPPS) its distinct « PER »
    addresses with their profession code, in the file's order, and the broken lines."""

    path: Path
    lines: int
    addresses: dict[str, tuple[tuple[str, str], ...]]
    organisation_lines: int
    duplicates: int
    bad_lines: dict[int, BadLineReason] = field(default_factory=dict)

    def expected(self, national_id: str, profession_code: str) -> tuple[str, ...]:
        """The addresses a directory entry of that profession should carry, in their order:
        those published under its profession first, then the others, in the file's order."""
        found = self.addresses.get(national_id, ())
        return tuple(a for a, code in found if code == profession_code) + tuple(
            a for a, code in found if code != profession_code
        )


def directory_people(extract: Path) -> list[Person]:
    """The professionals of a directory extract, in its order, as :func:`write_mssante_extract`
    takes them (read by the import's own parser: broken lines are left out)."""
    people: list[Person] = []
    with extract.open("rb") as stream:
        for block in ExtractParser(stream).blocks():
            people += [
                (row[1], row[2], row[3], row[4], row[5], row[6]) for row in block.professionals
            ]
    return people


def write_mssante_extract(
    path: Path,
    lines: int,
    *,
    seed: int = 0,
    people: Sequence[Person] | None = None,
    bad_line_rate: float = 0.0002,
) -> SyntheticMssante:
    """Writes an MSSanté extract of about ``lines`` data lines (plus the header) to ``path``.

    With ``people`` (see :func:`directory_people`), nine in ten of them get one or more
    mailboxes, until the people or the lines run out; without, professionals are made up.
    """
    generator = _MssanteGenerator(random.Random(seed), bad_line_rate)
    with path.open("wb") as output:
        output.write((mssante_header_line() + "\n").encode())
        buffer: list[bytes] = []
        for encoded in generator.lines(lines, people):
            buffer.append(encoded)
            if len(buffer) >= 4096:
                output.write(b"".join(buffer))
                buffer.clear()
        output.write(b"".join(buffer))
    return SyntheticMssante(
        path,
        generator.line_number - 1,
        {key: tuple(value) for key, value in generator.addresses.items()},
        generator.organisation_lines,
        generator.duplicates,
        dict(generator.bad_lines),
    )


class _MssanteGenerator:
    def __init__(self, rng: random.Random, bad_line_rate: float) -> None:
        self._rng = rng
        self._bad_line_rate = bad_line_rate
        self.line_number = 1  # the header
        self.addresses: dict[str, list[tuple[str, str]]] = {}
        self._seen: set[tuple[str, str]] = set()
        self._used: set[str] = set()
        self.organisation_lines = 0
        self.duplicates = 0
        self.bad_lines: dict[int, BadLineReason] = {}
        self._profession_weights = tuple(accumulate(p[2] for p in data.PROFESSIONS))
        self._town_weights = tuple(accumulate(t[5] for t in data.TOWNS))
        self._rpps = 10_000_000_000
        self._adeli = 130_000_000

    def lines(self, count: int, people: Sequence[Person] | None) -> Iterator[bytes]:
        rng = self._rng
        for person in people if people is not None else self._made_up():
            if self.line_number > count:
                return
            if people is not None and rng.random() < 0.1:
                continue  # no MSSanté mailbox yet
            town = rng.choices(data.TOWNS, cum_weights=self._town_weights)[0]
            mailboxes = rng.choices((1, 2, 3), cum_weights=(85, 97, 100))[0]
            for index in range(mailboxes):
                address = self._address(person, personal=index == 0)
                for _ in range(2 if rng.random() < 0.08 else 1):  # published twice
                    yield from self._emit(self._line("PER", address, person, town), count)
            if rng.random() < 0.06:
                structure = rng.choice(_STRUCTURE_DOMAINS)
                address = f"secretariat.{rng.randrange(10**4)}@{structure}.mssante.fr"
                yield from self._emit(self._line("ORG", address, person, town), count)

    def _made_up(self) -> Iterator[Person]:
        rng = self._rng
        while True:
            code = rng.choices(data.PROFESSIONS, cum_weights=self._profession_weights)[0][0]
            if rng.random() < 0.1:
                self._adeli += rng.randint(1, 60)
                kind, identifier = "0", f"{self._adeli:09d}"
            else:
                self._rpps += rng.randint(1, 40)
                kind, identifier = "8", f"{self._rpps:011d}"
            female = rng.random() < 0.6
            first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
            last = rng.choice(_TAIL_NAMES) if rng.random() < 0.9 else rng.choice(data.LAST_NAMES)
            yield kind, identifier, "DR" if code == "10" else "", last, first, code

    def _address(self, person: Person, *, personal: bool) -> str:
        """A published-looking address: prenom.nom@<profession>.mssante.fr, then structures'."""
        _kind, _identifier, _civility, last, first, code = person
        local = f"{_plain(first)}.{_plain(last)}"
        domain = _PROFESSION_DOMAINS.get(code, "pro") if personal else ""
        domain = domain or self._rng.choice(_STRUCTURE_DOMAINS)
        address = f"{local}@{domain}.mssante.fr"
        number = 1
        while address in self._used:
            number += 1
            address = f"{local}{number}@{domain}.mssante.fr"
        self._used.add(address)
        return address

    def _line(
        self, mailbox: str, address: str, person: Person, town: tuple[str, str, str, str, str, int]
    ) -> list[str]:
        rng = self._rng
        kind, identifier, civility, last, first, code = person
        label = next((p[1] for p in data.PROFESSIONS if p[0] == code), "")
        values = [""] * len(MSSANTE_EXTRACT_COLUMNS)
        for name, value in (
            ("Type de BAL", mailbox),
            ("Adresse BAL", address),
            ("Type Identifiant PP", kind),
            ("Identifiant PP", identifier),
            ("Identification nationale PP", kind + identifier),
            ("Type identifiant structure", "1"),
            ("Identification Structure", f"1{rng.randrange(10**8):09d}"),
            ("Civilité d'exercice", civility),
            ("Nom d'exercice", last),
            ("Prénom d'exercice", first),
            ("Catégorie profession", "C"),
            ("Libellé de catégorie profession", "Civil"),
            ("Code Profession", code),
            ("Libellé Profession", label),
            ("Dématérialisation", rng.choice(("O", "N"))),
            ("L4NUMEROVOIE", str(rng.randint(1, 180))),
            ("NL4TYPEVOIE", rng.choice(data.STREET_TYPES)[1]),
            ("L4LIBELLEVOIE", rng.choice(data.STREETS)),
            ("L6LIGNEACHEMINEMENT", f"{town[2]} {town[0].upper()}"),
            ("Code postal", town[2]),
            ("Département", town[4]),
            ("Pays", "France"),
        ):
            values[_MSS[name]] = value
        if mailbox == "ORG":
            values[_MSS["Raison Sociale structure BAL"]] = f"SECRETARIAT {town[0].upper()}"
        return values

    def _emit(self, values: list[str], count: int) -> Iterator[bytes]:
        if self.line_number > count:
            return
        self.line_number += 1
        number = self.line_number
        forced = number in _MSSANTE_FIRST_BAD_LINES
        personal = values[_MSS["Type de BAL"]] == "PER"  # an ORG line is left out anyway
        roll = self._rng.random()
        if self._bad_line_rate and personal and (forced or roll < self._bad_line_rate):
            kind = _MSSANTE_BAD_KINDS[len(self.bad_lines) % len(_MSSANTE_BAD_KINDS)]
            self.bad_lines[number] = kind
            if kind is BadLineReason.FIELD_COUNT:
                yield ("|".join(values[:-4]) + "|\n").encode()
                return
            if kind is BadLineReason.ENCODING:
                values[_MSS["Nom d'exercice"]] = "GÉRARD"
                yield ("|".join(values) + "|\n").encode("latin-1", errors="replace")
                return
            if kind is BadLineReason.MISSING_IDENTIFIER:
                values[_MSS["Identifiant PP"]] = values[_MSS["Identification nationale PP"]] = ""
            else:
                values[_MSS["Adresse BAL"]] = values[_MSS["Adresse BAL"]].replace("@", ".")
            yield ("|".join(values) + "|\n").encode()
            return
        if values[_MSS["Type de BAL"]] == "ORG":
            self.organisation_lines += 1
        else:
            national = values[_MSS["Identification nationale PP"]]
            address = values[_MSS["Adresse BAL"]]
            if (national, address.casefold()) in self._seen:
                self.duplicates += 1
            else:
                self._seen.add((national, address.casefold()))
                code = values[_MSS["Code Profession"]]
                self.addresses.setdefault(national, []).append((address, code))
        yield ("|".join(values) + "|\n").encode()


def _plain(name: str) -> str:
    """A name as an address part: no accents, lower case, other characters as "-"."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
