"""``escap --self-check`` in this process: the same steps the build test runs on the binary."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from escap_desktop.cli.main import main


def test_self_check_passes_and_leaves_no_data_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the temporary store goes

    assert main(["--self-check"]) == 0

    out = capsys.readouterr().out
    assert "- impression d'une grille d'inclusion (PDF)…" in out
    assert "- aperçu avant impression (Qt PDF)…\n  2 page(s) affichée(s)" in out
    assert out.splitlines()[-1].startswith("Auto-test réussi (")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_resource_fails_the_self_check_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a build that forgot resources/ looks like to the program.
    monkeypatch.setenv("ESCAP_RESOURCES_DIR", str(tmp_path / "absent"))

    assert main(["--self-check"]) == 1

    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("Auto-test en échec : ouverture d'un coffre chiffré temporaire — ")
