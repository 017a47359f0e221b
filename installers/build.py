"""Builds ESCAP Desktop for this platform from the repository: ``python installers/build.py``.

Steps (each can be skipped, see ``--help``):
1. draw the icons from resources/icons/app.svg into build/icons/;
2. run PyInstaller on installers/escap-desktop.spec -> dist/escap-desktop/ (one folder);
3. Linux: pack dist/escap-desktop/ into dist/escap-desktop_<version>_<arch>.deb (dpkg-deb);
4. run the built program with ``--self-check`` (a temporary store, offscreen Qt).

Windows and macOS installers are made from the same folder by Inno Setup and by the .app
bundle of the spec: see installers/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLERS = ROOT / "installers"
SPEC = INSTALLERS / "escap-desktop.spec"
PACKAGE = "escap-desktop"
INSTALL_DIR = f"/opt/{PACKAGE}"
DEFAULT_MAINTAINER = "ESCAP Desktop <escap-desktop@example.org>"
MAINTAINER_ENV = "ESCAP_DEB_MAINTAINER"
# Libraries the bundled Qt loads from the system (the rest travels inside the build).
DEB_DEPENDS = (
    "libc6, libfontconfig1, libfreetype6, libgl1, libegl1, libglib2.0-0 | libglib2.0-0t64, "
    "libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, "
    "libxcb-keysyms1, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1"
)
DEB_RECOMMENDS = "gnome-keyring | kwalletmanager"

sys.path.insert(0, str(INSTALLERS))
sys.path.insert(0, str(ROOT))

from icons import draw_icons  # noqa: E402

from escap_desktop import __version__  # noqa: E402


class BuildError(Exception):
    """A build step failed; the message says which, in French."""


def build_dir(root: Path = ROOT) -> Path:
    return root / "build"


def dist_dir(root: Path = ROOT) -> Path:
    return root / "dist"


def app_dir(dist: Path) -> Path:
    return dist / PACKAGE


def run_pyinstaller(dist: Path, work: Path, icons: Path, clean: bool = False) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    environment = dict(os.environ, ESCAP_BUILD_ICONS=str(icons))
    result = subprocess.run(command, cwd=ROOT, env=environment, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller a échoué (code {result.returncode}).")
    folder = app_dir(dist)
    if not (folder / executable_name("escap")).exists():
        raise BuildError(f"PyInstaller n'a pas produit {folder / executable_name('escap')}.")
    return folder


def write_windows_version(work: Path) -> Path:
    """The version resource of the Windows executables (Explorer's "Détails" tab)."""
    numbers = [int(part) for part in __version__.split(".")[:3] if part.isdigit()]
    numbers = [*numbers, 0, 0, 0, 0][:4]
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={tuple(numbers)}, prodvers={tuple(numbers)}),
  kids=[
    StringFileInfo([StringTable("040C04B0", [
      StringStruct("CompanyName", "ESCAP Desktop"),
      StringStruct("FileDescription", "ESCAP Desktop"),
      StringStruct("FileVersion", "{__version__}"),
      StringStruct("ProductName", "ESCAP Desktop"),
      StringStruct("ProductVersion", "{__version__}"),
    ])]),
    VarFileInfo([VarStruct("Translation", [0x040C, 1200])]),
  ],
)
"""
    path = work / "windows-version.txt"
    work.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def executable_name(stem: str) -> str:
    return f"{stem}.exe" if sys.platform == "win32" else stem


def debian_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def control_file(version: str, architecture: str, installed_kib: int, maintainer: str) -> str:
    """The DEBIAN/control text: synopsis and description in English, then in French."""
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: science\n"
        "Priority: optional\n"
        f"Architecture: {architecture}\n"
        f"Maintainer: {maintainer}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {DEB_DEPENDS}\n"
        f"Recommends: {DEB_RECOMMENDS}\n"
        "Description: ESCAP Desktop - coordinated care teams around the patient\n"
        " Desktop application for the independent health professionals who form an\n"
        " ESCAP (Equipe de Soins Coordonnes avec le Patient): inclusion grid, printed\n"
        " consent, team, shared care plan, messages and billing. Data stay encrypted\n"
        " on the computer (SQLCipher) and are exchanged end-to-end encrypted.\n"
        " .\n"
        " Français : application de bureau des professionnels de santé libéraux qui\n"
        " forment une Équipe de Soins Coordonnés avec le Patient (ESCAP) : grille\n"
        " d'inclusion, consentement imprimé, équipe, plan d'actions partagé, messages\n"
        " et facturation. Les données restent chiffrées sur le poste.\n"
    )


def build_deb(app: Path, dist: Path, icons: Path, work: Path, compression: str = "gzip") -> Path:
    """Lays out the package tree and runs ``dpkg-deb --build`` on it."""
    if shutil.which("dpkg-deb") is None:
        raise BuildError(
            "dpkg-deb est introuvable : le paquet .deb ne peut être fait que sur Linux."
        )
    stage = work / "deb" / PACKAGE
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / INSTALL_DIR.lstrip("/")
    shutil.copytree(app, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "escap").symlink_to(f"{INSTALL_DIR}/escap")
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copyfile(
        INSTALLERS / "linux" / f"{PACKAGE}.desktop", applications / f"{PACKAGE}.desktop"
    )
    hicolor = stage / "usr" / "share" / "icons" / "hicolor"
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(icons / f"{PACKAGE}.svg", hicolor / "scalable" / "apps" / f"{PACKAGE}.svg")
    for size in (48, 128, 256):
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copyfile(icons / f"{PACKAGE}-{size}.png", target / f"{PACKAGE}.png")
    docs = stage / "usr" / "share" / "doc" / PACKAGE
    docs.mkdir(parents=True)
    shutil.copyfile(INSTALLERS / "linux" / "copyright", docs / "copyright")
    _normalise_modes(stage)

    installed_kib = sum(p.lstat().st_size for p in stage.rglob("*") if not p.is_symlink()) // 1024
    debian = stage / "DEBIAN"
    debian.mkdir(mode=0o755)
    maintainer = os.environ.get(MAINTAINER_ENV, DEFAULT_MAINTAINER)
    control = control_file(__version__, debian_architecture(), installed_kib, maintainer)
    (debian / "control").write_text(control, encoding="utf-8")
    (debian / "control").chmod(0o644)

    output = dist / f"{PACKAGE}_{__version__}_{debian_architecture()}.deb"
    output.unlink(missing_ok=True)
    result = subprocess.run(
        [
            "dpkg-deb",
            "--root-owner-group",
            f"-Z{compression}",
            "--build",
            str(stage),
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"dpkg-deb a échoué : {result.stderr.strip()}")
    return output


def _normalise_modes(stage: Path) -> None:
    """0755 for folders and programs, 0644 for the rest: what a package must install."""
    for path in [stage, *stage.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or os.access(path, os.X_OK):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def self_check(app: Path) -> None:
    program = app / executable_name("escap")
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(program), "--self-check"], env=environment, check=False)
    if result.returncode != 0:
        raise BuildError(f"L'auto-test du programme construit a échoué (code {result.returncode}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit ESCAP Desktop pour ce système.")
    parser.add_argument("--dist", type=Path, default=dist_dir(), help="dossier de sortie (dist/)")
    parser.add_argument(
        "--work", type=Path, default=build_dir(), help="dossier de travail (build/)"
    )
    parser.add_argument("--clean", action="store_true", help="vide le cache de PyInstaller")
    parser.add_argument("--skip-pyinstaller", action="store_true", help="réutilise dist/")
    parser.add_argument("--no-deb", action="store_true", help="Linux : pas de paquet .deb")
    parser.add_argument(
        "--deb-compression",
        choices=("gzip", "xz", "zstd"),
        default="gzip",
        help="compression du .deb : gzip (rapide, lu partout, défaut) ou xz (plus petit)",
    )
    parser.add_argument("--self-check", action="store_true", help="lance l'auto-test à la fin")
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        icons = args.work / "icons"
        draw_icons(ROOT / "resources" / "icons" / "app.svg", icons)
        write_windows_version(args.work)
        if args.skip_pyinstaller:
            app = app_dir(args.dist)
        else:
            app = run_pyinstaller(args.dist, args.work, icons, clean=args.clean)
        print(f"Programme construit : {app}")
        if sys.platform.startswith("linux") and not args.no_deb:
            package = build_deb(app, args.dist, icons, args.work, args.deb_compression)
            print(f"Paquet Debian : {package}")
        if args.self_check:
            self_check(app)
    except BuildError as error:
        print(f"build.py : {error}", file=sys.stderr)
        return 1
    print(f"Construction terminée en {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
