"""Practice software CSV exports written for the tests (and the 20,000-row benchmark).

:func:`sample_patients` makes varied French identities with valid NIRs (accents, ligatures,
hyphens, apostrophes, Corsica 2A/2B, births abroad, married names); :func:`write_practice_csv`
writes them the way a practice software exports its patient list, in a chosen encoding,
separator and date format, with or without a header row.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tests.support.nir import nir_of

HEADERS = (
    "N° dossier",
    "Nom",
    "Nom de naissance",
    "Prénom(s)",
    "Prénom usuel",
    "Né(e) le",
    "Sexe",
    "N° SS",
    "Lieu de naissance (INSEE)",
    "Tél. portable",
    "Adresse",
    "Médecin traitant",
    "ALD",
)
"""The columns :func:`write_practice_csv` writes, in the style of a French practice software."""


@dataclass(frozen=True, slots=True)
class PracticeRow:
    """One patient line of an export; a ``str`` birth date is written as is (a bad value)."""

    birth_name: str
    first_names: str
    birth_date: date | str
    sex: str = "F"
    nir: str = ""
    birth_place_code: str = ""
    used_name: str = ""
    used_first_name: str = ""
    phone: str = ""
    address: str = ""
    file_number: str = ""
    doctor: str = "Dr BERNARD Paul"
    ald: str = "ALD 8 - Diabète"

    def cells(self, date_format: str) -> list[str]:
        birth = self.birth_date
        written = birth.strftime(date_format) if isinstance(birth, date) else birth
        return [
            self.file_number,
            self.used_name,
            self.birth_name,
            self.first_names,
            self.used_first_name,
            written,
            self.sex,
            self.nir,
            self.birth_place_code,
            self.phone,
            self.address,
            self.doctor,
            self.ald,
        ]


def write_practice_csv(
    path: Path,
    rows: Sequence[PracticeRow],
    *,
    encoding: str = "cp1252",
    delimiter: str = ";",
    date_format: str = "%d/%m/%Y",
    header: bool = True,
) -> Path:
    """Writes ``rows`` as an export: CRLF line ends, quotes only where a cell needs them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(row.cells(date_format))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def nir_for(sex: str, birth: date, place: str, order: int) -> str:
    """A valid NIR (key included) for these traits; abroad (99xxx) keeps the country code."""
    department = place[:2]
    if department in ("2A", "2B") and birth.year < 1976:
        department = "20"  # Corsica had one department until 1976
    return nir_of(
        "1" if sex == "M" else "2", birth.year, birth.month, department + place[2:], order
    )


BIRTH_NAMES = (
    "MARTIN",
    "LEFÈVRE",
    "ŒUVRARD",
    "DUPONT-MOREL",
    "N'DIAYE",
    "D'ALMEIDA",
    "GARÇON",
    "BOUCHÉ",
    "LÆTITIA",
    "HÉBERT",
    "SANTONI",
    "BENAÏSSA",
    "LE GOFF",
    "MÜLLER",
    "DE LA FONTAINE",
    "CÔTÉ",
)
USED_NAMES = ("ROUSSEAU", "FAURE-LAMBERT", "ÉLOI", "DUBOIS")
FEMALE_FIRST = ("Hélène", "Marie Louise", "Zoé", "Anaïs", "Maëlys", "Éloïse", "Françoise")
MALE_FIRST = ("Jean-Pierre", "François Marie Joseph", "Noël", "Loïc", "Jérôme", "Benoît")
PLACES = ("75056", "13055", "2A004", "2B033", "69123", "01053", "99350", "97411", "59350")
SEX_WORDS = {"M": ("M", "H", "Homme", "Masculin", "1"), "F": ("F", "Femme", "Féminin", "2")}
STREETS = ("12, rue de la Paix", "3 bis avenue Foch", "Lieu-dit « Les Prés »", "8 place Thiers")


def sample_patients(n: int, seed: int, *, born_after: date = date(1925, 1, 1)) -> list[PracticeRow]:
    """``n`` varied, valid identities, the same for the same seed; births before 2005."""
    rng = random.Random(seed)
    span = (date(2004, 12, 31) - born_after).days
    rows: list[PracticeRow] = []
    for number in range(n):
        sex = rng.choice("MF")
        birth = born_after + timedelta(days=rng.randrange(span))
        place = rng.choice(PLACES)
        first = rng.choice(MALE_FIRST if sex == "M" else FEMALE_FIRST)
        married = sex == "F" and rng.random() < 0.4
        rows.append(
            PracticeRow(
                birth_name=rng.choice(BIRTH_NAMES),
                first_names=first,
                birth_date=birth,
                sex=rng.choice(SEX_WORDS[sex]),
                nir=nir_for(sex, birth, place, rng.randrange(1, 1000))
                if rng.random() < 0.8
                else "",
                birth_place_code=place,
                used_name=rng.choice(USED_NAMES) if married else "",
                used_first_name=first.split()[0] if " " in first and rng.random() < 0.5 else "",
                phone=f"06 {rng.randrange(100):02d} {rng.randrange(100):02d} "
                f"{rng.randrange(100):02d} {rng.randrange(100):02d}",
                address=f"{rng.choice(STREETS)} {rng.randrange(10000, 96000)} VILLE",
                file_number=str(1000 + number),
            )
        )
    return rows
