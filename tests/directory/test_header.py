"""The header is read by NAME: columns may move, appear, or change case, never break the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.services.directory import DirectoryFormatError, DirectoryService
from escap_desktop.store.directory.columns import EXTRACT_COLUMNS
from tests.directory.conftest import person, run_import, write_lines


def _postcode_and_phone(service: DirectoryService) -> tuple[str, str, str]:
    [entry] = service.search("dupont")
    site = entry.sites[0]
    return entry.display_name, site.postcode, site.phone


ROW = person(
    "10000000042",
    "DUPONT",
    "HÉLÈNE",
    **{
        "Téléphone (coord. structure)": "0145678912",
        "Indice répétition voie (coord. structure)": "B",
        "Numéro Voie (coord. structure)": "4",
        "Libellé Voie (coord. structure)": "DES LILAS",
    },
)


def test_columns_in_another_order_are_found_by_name(
    service: DirectoryService, tmp_path: Path
) -> None:
    reordered = list(reversed(EXTRACT_COLUMNS))
    run_import(service, write_lines(tmp_path / "ordre.txt", [ROW], reordered))
    assert _postcode_and_phone(service) == ("Dr Hélène Dupont", "69003", "0145678912")


def test_an_unknown_extra_column_is_ignored(service: DirectoryService, tmp_path: Path) -> None:
    columns = [*EXTRACT_COLUMNS[:5], "Colonne ajoutée en 2031", *EXTRACT_COLUMNS[5:]]
    row = {**ROW, "Colonne ajoutée en 2031": "valeur"}
    report = run_import(service, write_lines(tmp_path / "extra.txt", [row], columns))
    assert report.bad_line_count == 0
    assert _postcode_and_phone(service) == ("Dr Hélène Dupont", "69003", "0145678912")


def test_the_capital_s_spelling_of_coord_structure_is_accepted(
    service: DirectoryService, tmp_path: Path
) -> None:
    columns = [name.replace("(coord. structure)", "(coord. Structure)") for name in EXTRACT_COLUMNS]
    row = {key.replace("(coord. structure)", "(coord. Structure)"): v for key, v in ROW.items()}
    run_import(service, write_lines(tmp_path / "majuscule.txt", [row], columns))
    [entry] = service.search("dupont")
    assert entry.sites[0].address == "4 B DES LILAS"


def test_an_extract_without_the_specialty_columns_still_imports(
    service: DirectoryService, tmp_path: Path
) -> None:
    columns = [name for name in EXTRACT_COLUMNS if "savoir-faire" not in name]
    run_import(service, write_lines(tmp_path / "sans_savoir_faire.txt", [ROW], columns))
    [entry] = service.search("dupont")
    assert entry.specialty == ""
    assert entry.sites[0].phone == "0145678912"


def test_a_file_of_another_kind_is_refused_at_once_naming_what_is_missing(
    service: DirectoryService, tmp_path: Path
) -> None:
    other = tmp_path / "patients.csv"
    other.write_text("Nom;Prénom;Date de naissance\nDUPONT;Jean;01/02/1950\n", encoding="utf-8")
    with pytest.raises(DirectoryFormatError) as refused:
        service.check_file(other)
    message = str(refused.value)
    assert message.startswith("Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite »")
    for name in ("Identifiant PP", "Nom d'exercice", "Prénom d'exercice", "Code profession"):
        assert f"« {name} »" in message
    with pytest.raises(DirectoryFormatError):
        list(service.import_file(other))
    assert not service.is_available()


def test_a_header_missing_one_required_column_names_only_that_one(
    service: DirectoryService, tmp_path: Path
) -> None:
    columns = [name for name in EXTRACT_COLUMNS if name != "Libellé profession"]
    path = write_lines(tmp_path / "incomplet.txt", [ROW], columns)
    with pytest.raises(DirectoryFormatError) as refused:
        service.check_file(path)
    assert refused.value.missing == ["Libellé profession"]
    assert str(refused.value).endswith(
        "colonnes manquantes dans l'en-tête : « Libellé profession »."
    )


def test_a_header_that_is_not_utf8_is_refused_in_words(
    service: DirectoryService, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("|".join(EXTRACT_COLUMNS).encode("latin-1") + b"|\n")
    with pytest.raises(DirectoryFormatError, match="son en-tête n'est pas un texte UTF-8"):
        service.check_file(path)
