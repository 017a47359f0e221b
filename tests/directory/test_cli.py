from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.store.directory.synthetic import SyntheticExtract, SyntheticMssante


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
        "Nom", "Profession", "Spécialité", "Lieu", "d'exercice", "Téléphone", "N°", "RPPS/ADELI",
        "MSSanté",
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
    status = capsys.readouterr().out.splitlines()
    assert "professionnels (" in status[-2]
    assert status[-1] == "Adresses MSSanté : pas encore importées."


def test_import_takes_the_mssante_extract_too_and_search_shows_the_address(
    tmp_path: Path,
    people_extract: Path,
    mailboxes_extract: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "directory", "import", str(mailboxes_extract)]) == 1
    assert capsys.readouterr().err.startswith("escap : Importez d'abord l'annuaire")
    assert main([*data, "directory", "import", str(people_extract)]) == 0
    capsys.readouterr()
    assert main([*data, "directory", "import", str(mailboxes_extract)]) == 0
    out, err = capsys.readouterr()
    assert "100 % — Finalisation" in err
    assert out.startswith(
        "Adresses MSSanté importées : 3 adresses MSSanté personnelles importées pour 2 "
        "professionnels depuis 5 lignes en "
    )
    report = tmp_path / "annuaire-mssante-rapport-import.txt"
    assert f"Rapport d'import : {report}" in out
    assert main([*data, "directory", "search", "lefevre", "marie"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.endswith("10000000001    marie-claire.lefevre@medecin.mssante.fr")
    assert main([*data, "directory", "status"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Adresses MSSanté importées le ")


def test_generate_writes_an_mssante_extract_for_a_generated_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, addresses = tmp_path / "annuaire.txt", tmp_path / "mssante.txt"
    assert main(["directory", "generate", "--lines", "300", "--out", str(directory)]) == 0
    args = ["directory", "generate", "--mssante", "--lines", "200", "--out", str(addresses)]
    assert main([*args, "--for", str(directory)]) == 0
    assert "Extrait fictif des adresses MSSanté écrit : " in capsys.readouterr().out
    data = ["--data-dir", str(tmp_path / "donnees")]
    assert main([*data, "directory", "import", str(directory)]) == 0
    assert main([*data, "directory", "import", str(addresses)]) == 0
    assert "Adresses MSSanté importées : " in capsys.readouterr().out


def test_an_mssante_import_reports_its_bad_lines(
    tmp_path: Path,
    synthetic: SyntheticExtract,
    synthetic_mssante: SyntheticMssante,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "directory", "import", str(synthetic.path)]) == 0
    capsys.readouterr()
    assert main([*data, "directory", "import", str(synthetic_mssante.path)]) == 0
    out = capsys.readouterr().out
    first = min(synthetic_mssante.bad_lines)
    assert f"  ligne {first} : " in out
    assert f"{len(synthetic_mssante.bad_lines)} lignes ignorées." in out.splitlines()[0]
