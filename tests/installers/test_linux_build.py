"""The Linux build, made from the repository exactly as a release is: PyInstaller one-folder
build, then the .deb; the package's metadata and files are checked, and the program, both from
the build folder and from the unpacked package, passes ``--self-check``.

About 2.5 minutes on a 2-core machine (PyInstaller's analysis dominates): marked slow, and part
of the normal suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from escap_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or shutil.which("dpkg-deb") is None,
        reason="le paquet .deb se construit sur Linux (dpkg-deb)",
    ),
]


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller manque : pip install -e '.[build]'")
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    result = _run(
        [
            sys.executable,
            str(ROOT / "installers" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(work),
        ],
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return dist


@pytest.fixture(scope="module")
def deb(build: Path) -> Path:
    architecture = _run(["dpkg", "--print-architecture"]).stdout.strip()
    package = build / f"escap-desktop_{__version__}_{architecture}.deb"
    assert package.is_file()
    return package


def _self_check(program: Path, tmp_path: Path) -> str:
    logs = tmp_path / "journaux"
    environment = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", ESCAP_LOG_DIR=str(logs), HOME=str(tmp_path)
    )
    result = _run([str(program), "--self-check"], env=environment, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Auto-test réussi" in result.stdout
    assert "2 page(s) affichée(s)" in result.stdout  # Qt PDF (the print preview) is packaged
    return (logs / "escap-desktop.log").read_text(encoding="utf-8")


def test_the_package_says_what_it_is(deb: Path) -> None:
    info = _run(["dpkg-deb", "--info", str(deb)]).stdout
    architecture = _run(["dpkg", "--print-architecture"]).stdout.strip()
    for line in (
        "Package: escap-desktop",
        f"Version: {__version__}",
        f"Architecture: {architecture}",
        "Maintainer: ",
        "Description: ESCAP Desktop - coordinated care teams around the patient",
        "Français : application de bureau des professionnels de santé libéraux",
        "Depends: ",
    ):
        assert line in info, line


def test_the_package_installs_the_program_menu_entry_and_icon(deb: Path) -> None:
    contents = _run(["dpkg-deb", "--contents", str(deb)]).stdout
    for entry in (
        "./opt/escap-desktop/escap\n",
        "./opt/escap-desktop/escap-desktop\n",
        "./usr/bin/escap -> /opt/escap-desktop/escap",
        "./usr/share/applications/escap-desktop.desktop",
        "./usr/share/icons/hicolor/scalable/apps/escap-desktop.svg",
        "./usr/share/icons/hicolor/256x256/apps/escap-desktop.png",
        "./opt/escap-desktop/_internal/resources/grids/escap-2025.toml",
        "./opt/escap-desktop/_internal/resources/licences/components.toml",
        "./opt/escap-desktop/_internal/escap_desktop/store/migrations/versions/0001_",
    ):
        assert entry in contents, entry
    assert "root/root" in contents.splitlines()[0]
    for left_out in ("libQt6Quick", "QtWebEngine", "hypothesis/", "tkinter"):
        assert left_out not in contents, left_out


def test_the_unpacked_package_runs_its_self_check(deb: Path, tmp_path: Path) -> None:
    root = tmp_path / "racine"
    assert _run(["dpkg-deb", "-x", str(deb), str(root)]).returncode == 0
    desktop = (root / "usr/share/applications/escap-desktop.desktop").read_text(encoding="utf-8")
    assert "Name[fr]=ESCAP Desktop" in desktop
    assert "Comment[fr]=Équipes de soins coordonnés avec le patient" in desktop
    assert "Exec=/opt/escap-desktop/escap-desktop" in desktop
    assert "Icon=escap-desktop" in desktop

    log = _self_check(root / "opt/escap-desktop/escap", tmp_path)

    assert "auto-test réussi" in log


def test_the_build_folder_runs_its_self_check(build: Path, tmp_path: Path) -> None:
    _self_check(build / "escap-desktop" / "escap", tmp_path)
