"""Synthetic ``PS_LibreAcces_Personne_activite`` extracts, for tests, demos and benchmarks.

No real extract can be downloaded where the app is built, so this writes files in the exact
published format: the 52-name header, ``|`` separators, a trailing ``|`` on every line, UTF-8,
upper-case names, labels beside codes, professionals with several practice sites on several
lines, sites whose postcode and town are only in "Bureau cedex", and a few broken lines (wrong
field count, Latin-1 bytes, missing identifier) whose numbers are returned so tests can check
the import report. The same seed gives the same file.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from escap_desktop.core.entities.directory import BadLineReason
from escap_desktop.store.directory import synthetic_data as data
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS

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
