"""Small extracts written in the published format, and directories imported from them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from escap_desktop.core.entities.directory import ImportReport
from escap_desktop.services.directory import DirectoryService
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS
from escap_desktop.store.directory.synthetic import (
    SyntheticExtract,
    build_line,
    header_line,
    write_extract,
)


def person(
    identifier: str,
    last_name: str,
    first_name: str,
    profession: tuple[str, str] = ("10", "Médecin"),
    **site: str,
) -> dict[str, str]:
    """One line's values: an RPPS professional and a practice site (keys are column names)."""
    values = {
        "Type d'identifiant PP": "8",
        "Identifiant PP": identifier,
        "Identification nationale PP": "8" + identifier,
        "Nom d'exercice": last_name,
        "Prénom d'exercice": first_name,
        "Code profession": profession[0],
        "Libellé profession": profession[1],
        "Code postal (coord. structure)": "69003",
        "Libellé commune (coord. structure)": "Lyon 3e Arrondissement",
    }
    if profession[0] == "10":
        values["Libellé civilité d'exercice"] = "Docteur"
    values.update(site)
    return values


def write_lines(
    path: Path,
    rows: Sequence[Mapping[str, str] | str],
    columns: Sequence[str] = EXTRACT_COLUMNS,
) -> Path:
    """An extract with ``columns`` as header; a ``str`` row is written as it is (broken lines)."""
    lines = [header_line(columns)]
    lines += [row if isinstance(row, str) else build_line(row, columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(service: DirectoryService, path: Path) -> ImportReport:
    """Drives an import to its end and returns its report."""
    steps = list(service.import_file(path))
    report = steps[-1]
    assert isinstance(report, ImportReport)
    return report


PEOPLE = [
    person(
        "10000000001",
        "LEFÈVRE",
        "MARIE-CLAIRE",
        **{
            "Libellé savoir-faire": "Médecine générale",
            "Numéro Voie (coord. structure)": "12",
            "Libellé type de voie (coord. structure)": "Rue",
            "Libellé Voie (coord. structure)": "PASTEUR",
            "Téléphone (coord. structure)": "0478123456",
        },
    ),
    person(
        "10000000001",
        "LEFÈVRE",
        "MARIE-CLAIRE",
        **{
            "Libellé savoir-faire": "Médecine générale",
            "Code postal (coord. structure)": "75015",
            "Libellé commune (coord. structure)": "Paris 15e Arrondissement",
        },
    ),
    person("10000000002", "LEFEVRIER", "PAUL"),
    person("10000000003", "BOURTEUIL-LEFÈVRE", "ANNE", ("60", "Infirmier")),
    person("10000000004", "D'ALMEIDA", "JOSÉ", ("70", "Masseur-kinésithérapeute")),
    person(
        "10000000005",
        "MARTIN",
        "LUC",
        ("60", "Infirmier"),
        **{
            "Code postal (coord. structure)": "",
            "Libellé commune (coord. structure)": "",
            "Bureau cedex (coord. structure)": "13008 MARSEILLE CEDEX 08",
        },
    ),
    person("10000000006", "O'NEILL", "SEAN", ("21", "Pharmacien")),
    person("10000000007", "DE LA FONTAINE", "JEAN", ("91", "Orthophoniste")),
]


@pytest.fixture
def people_extract(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "people.txt", PEOPLE)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[DirectoryService]:
    directory = DirectoryService(tmp_path / "donnees")
    yield directory
    directory.close()


@pytest.fixture
def people(service: DirectoryService, people_extract: Path) -> DirectoryService:
    """A service whose directory holds :data:`PEOPLE`."""
    run_import(service, people_extract)
    return service


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticExtract:
    """3,000 generated lines, with broken ones of each kind."""
    path = tmp_path_factory.mktemp("extrait") / "PS_LibreAcces_Personne_activite_test.txt"
    return write_extract(path, 3_000, seed=3, bad_line_rate=0.002)
