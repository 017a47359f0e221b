from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.store.directory.synthetic import SyntheticExtract


def test_import_prints_progress_a_french_summary_and_the_report_path(
    tmp_path: Path, synthetic: SyntheticExtract, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "directory", "import", str(synthetic.path)]) == 0
    out, err = capsys.readouterr()
    assert "Lecture du fichier : " in err
    assert "lignes/s" in err
    assert "100 % — Finalisation" in err
    assert "Annuaire importé : " in out
    assert "depuis 3\u202f000 lignes" in out
    assert "ligne 4 : nombre de champs incorrect (49 champs au lieu de 52)" in out
    assert "ligne 13 : encodage invalide (UTF-8 attendu)" in out
    report = tmp_path / "annuaire-rapport-import.txt"
    assert f"Rapport d'import : {report}" in out
    assert report.read_text(encoding="utf-8").count("\nligne ") == len(synthetic.bad_lines)


def test_a_file_that_is_not_an_extract_is_one_french_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("Nom|Prénom|\nDUPONT|Jean|\n", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "directory", "import", str(other)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("escap : Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_")
    assert "« Identifiant PP »" in err


def test_search_prints_a_table_with_profession_place_and_phone(
    tmp_path: Path, people_extract: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--data-dir", str(tmp_path), "directory", "import", str(people_extract)])
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "directory", "search", "lefevre", "marie"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "Nom", "Profession", "Spécialité", "Lieu", "d'exercice", "Téléphone", "N°", "RPPS/ADELI"
    ]  # fmt: skip
    assert lines[1].startswith("Dr Marie-Claire Lefèvre  Médecin  ")
    assert "12 Rue PASTEUR, 69003 Lyon 3e Arrondissement" in lines[1]
    assert lines[1].endswith("04 78 12 34 56  10000000001")

    assert (
        main(["--data-dir", str(tmp_path), "directory", "search", "lef", "--profession", "60"]) == 0
    )
    assert "Anne Bourteuil-Lefèvre" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "directory", "search", "zzz"]) == 0
    assert capsys.readouterr().out == "Aucun professionnel ne correspond à cette recherche.\n"


def test_search_without_directory_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "directory", "search", "martin"]) == 1
    assert "Aucun annuaire n'est installé" in capsys.readouterr().err


def test_generate_writes_the_same_file_for_the_same_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    for out in (first, second):
        args = ["directory", "generate", "--lines", "500", "--out", str(out), "--seed", "4"]
        assert main(args) == 0
    assert first.read_bytes() == second.read_bytes()
    assert "Extrait fictif écrit : " in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "directory", "import", str(first)]) == 0
    assert main(["--data-dir", str(tmp_path), "directory", "status"]) == 0
    assert "professionnels (" in capsys.readouterr().out.splitlines()[-1]
