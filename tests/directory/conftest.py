"""Small extracts written in the published format (the directory's and the MSSanté one), and
directories imported from them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from escap_desktop.core.entities.directory import ImportReport, MssanteImportReport
from escap_desktop.services.directory import DirectoryService
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS, MSSANTE_EXTRACT_COLUMNS
from escap_desktop.store.directory.synthetic import (
    SyntheticExtract,
    SyntheticMssante,
    build_line,
    directory_people,
    header_line,
    write_extract,
    write_mssante_extract,
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


def mailbox(
    identifier: str,
    address: str,
    mailbox_type: str = "PER",
    profession: tuple[str, str] = ("10", "Médecin"),
    **others: str,
) -> dict[str, str]:
    """One line's values of the MSSanté extract: an RPPS professional's mailbox."""
    values = {
        "Type de BAL": mailbox_type,
        "Adresse BAL": address,
        "Type Identifiant PP": "8",
        "Identifiant PP": identifier,
        "Identification nationale PP": "8" + identifier,
        "Code Profession": profession[0],
        "Libellé Profession": profession[1],
        "Pays": "France",
    }
    values.update(others)
    return values


def write_mailboxes(
    path: Path,
    rows: Sequence[Mapping[str, str] | str],
    columns: Sequence[str] = MSSANTE_EXTRACT_COLUMNS,
) -> Path:
    """An MSSanté extract with ``columns`` as header (``str`` rows are written as they are)."""
    return write_lines(path, rows, columns)


MAILBOXES = [
    mailbox("10000000001", "marie-claire.lefevre@medecin.mssante.fr"),
    mailbox("10000000001", "secretariat@msp-lyon.mssante.fr", "ORG"),
    mailbox("10000000001", "marie-claire.lefevre@chu-lyon.mssante.fr"),
    mailbox("10000000001", "Marie-Claire.Lefevre@medecin.mssante.fr"),  # the first one again
    mailbox("10000000003", "anne.bourteuil-lefevre@infirmier.mssante.fr", profession=("60", "")),
]


@pytest.fixture
def mailboxes_extract(tmp_path: Path) -> Path:
    return write_mailboxes(
        tmp_path / "Extraction_Correspondance_MSSante_202612010000.txt", MAILBOXES
    )


@pytest.fixture
def people_with_mailboxes(people: DirectoryService, mailboxes_extract: Path) -> DirectoryService:
    """A service whose directory holds :data:`PEOPLE` and the addresses of :data:`MAILBOXES`."""
    steps = list(people.import_file(mailboxes_extract))
    assert isinstance(steps[-1], MssanteImportReport)
    return people


@pytest.fixture(scope="session")
def synthetic_mssante(synthetic: SyntheticExtract) -> SyntheticMssante:
    """MSSanté addresses for the professionals of :func:`synthetic`, broken lines included."""
    path = synthetic.path.with_name("Extraction_Correspondance_MSSante_202612010000.txt")
    people = directory_people(synthetic.path)
    return write_mssante_extract(path, 5_000, seed=8, people=people, bad_line_rate=0.003)
