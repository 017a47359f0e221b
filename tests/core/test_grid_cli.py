from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.rules.grid import default_grid_path
from tests.core.grid_files import bundled_grid_data, item, write_grid

VALID = "Grille valide : Grille d'inclusion ESCAP version 2025.1, 26 items, seuil 13.\n"


def test_a_valid_grid_is_summarised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grid", "check", str(default_grid_path())]) == 0
    captured = capsys.readouterr()
    assert captured.out == VALID
    assert captured.err == ""


def test_each_problem_is_printed_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bundled_grid_data()
    item(data, "chutes").pop("points")
    item(data, "nutrition")["label"] = ""
    path = write_grid(tmp_path, data)
    assert main(["grid", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"escap : La grille {path} n'est pas utilisable : 2 problèmes.",
        "Item « nutrition » : libellé (label) est vide.",
        "Item « chutes » : points manquants.",
    ]


def test_a_missing_file_is_one_french_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absente.toml"
    assert main(["grid", "check", str(path)]) == 1
    assert capsys.readouterr().err == f"escap : Fichier de grille introuvable : {path}.\n"


def test_invalid_toml_is_one_french_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cassee.toml"
    path.write_text("[grid\n", encoding="utf-8")
    assert main(["grid", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"escap : Le fichier de grille {path} n'est pas un fichier TOML valide")


def test_grid_without_action_is_a_french_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["grid"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : escap grid ")
    assert "escap : erreur : arguments obligatoires manquants" in err


def test_the_installed_command_checks_a_grid() -> None:
    escap = Path(sys.executable).parent / "escap"
    result = subprocess.run(
        [str(escap), "grid", "check", str(default_grid_path())],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == VALID
