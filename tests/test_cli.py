from __future__ import annotations

import pytest

from escap_desktop import __version__
from escap_desktop.cli.main import main


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_is_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "utilisation : escap" in out
    assert "affiche cette aide et quitte" in out


def test_unknown_subcommand_is_a_french_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["nimporte-quoi"])
    assert exit_info.value.code == 2
    assert "escap : erreur : " in capsys.readouterr().err
