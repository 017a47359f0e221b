from __future__ import annotations

import subprocess
import sys

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


def test_help_still_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "patients", "export", "backup", "sync"):
        assert f"    {command}" in out


def test_a_missing_option_value_is_a_french_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir"])
    assert exit_info.value.code == 2
    assert "escap : erreur : " in capsys.readouterr().err


def test_a_plain_launch_does_not_load_the_store_layer_before_the_window() -> None:
    """``escap`` opens its window before SQLAlchemy and the services are imported (they come
    in on a worker thread behind it): importing the entry point must not pull them in."""
    code = (
        "import sys\n"
        "import escap_desktop.cli.main as entry\n"
        "assert entry._gui_arguments(['--demo', '--data-dir', 'x']) is not None\n"
        "assert entry._gui_arguments(['patients']) is None\n"
        "heavy = {'sqlalchemy', 'reportlab', 'escap_desktop.services.practice'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
