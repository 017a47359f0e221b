"""``escap --self-check``: proves an installed copy works end to end, then leaves no trace.

Run by the build test on the PyInstaller output and by support on a professional's computer:
every layer a packaging mistake could break is touched once (SQLCipher and libsodium, the
Alembic scripts, the bundled grid and billing files, reportlab and its fonts, the Qt plugins),
in a temporary data folder, with Qt offscreen. Each step prints one French line; the first
failure prints what failed and the command exits 1.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

from escap_desktop import __version__
from escap_desktop.documents import GridItemRow, GridReportData, build_document
from escap_desktop.logging_setup import log_store_writes, safe
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import Practice, build_practice, keyring_verdict
from escap_desktop.store import open_store

SUCCESS_LINE = "Auto-test réussi"
DEMO_PATIENTS = 5
# Only guards this throw-away store; long enough for the passphrase rules.
_PASSPHRASE = "auto-test-escap-desktop"
logger = logging.getLogger(__name__)
T = TypeVar("T")


class SelfCheckFailedError(Exception):
    """A step failed; the message is the French line shown to the user."""


def run_self_check(out: TextIO | None = None) -> int:
    """Runs every step; 0 when all passed, 1 (with a French line on stderr) otherwise."""
    out = out or sys.stdout
    started = time.monotonic()
    print(f"ESCAP Desktop {__version__} : auto-test", file=out)
    try:
        with tempfile.TemporaryDirectory(prefix="escap-auto-test-") as folder:
            _run_steps(Path(folder), out)
    except SelfCheckFailedError as error:
        logger.error("auto-test en échec")
        print(f"Auto-test en échec : {error}", file=sys.stderr)
        return 1
    logger.info("auto-test réussi")
    print(f"{SUCCESS_LINE} ({time.monotonic() - started:.1f} s).", file=out)
    return 0


def _run_steps(data_dir: Path, out: TextIO) -> None:
    print(f"- trousseau du système : {keyring_verdict()}", file=out)
    practice = _step(out, "ouverture d'un coffre chiffré temporaire", lambda: _open(data_dir))
    try:
        _step(
            out,
            f"création d'une démonstration de {DEMO_PATIENTS} patients",
            lambda: _demo(practice),
        )
        count = _step(out, "liste des patients", lambda: _list(practice))
        print(f"  {count} patients listés", file=out)
        pdf = _step(out, "impression d'une grille d'inclusion (PDF)", lambda: _pdf(practice))
        print(f"  PDF de {len(pdf)} octets", file=out)
    finally:
        practice.close()
    _step(out, "interface graphique (Qt hors écran)", _gui)
    pages = _step(out, "aperçu avant impression (Qt PDF)", lambda: _preview(pdf))
    print(f"  {pages} page(s) affichée(s)", file=out)


def _step(out: TextIO, label: str, action: Callable[[], T]) -> T:
    print(f"- {label}…", file=out, flush=True)
    logger.info("auto-test : %s", safe(label))
    try:
        return action()
    except SelfCheckFailedError:
        raise
    except Exception as error:  # any failure of a step is the answer the check gives
        logger.exception("auto-test : échec de l'étape %s", safe(label))
        raise SelfCheckFailedError(f"{label} — {type(error).__name__} : {error}") from error


def _open(data_dir: Path) -> Practice:
    # Passphrase mode: a self-check must not depend on (nor write into) the OS keyring.
    store = open_store(data_dir, _PASSPHRASE)
    log_store_writes(store)
    return build_practice(store, data_dir)


def _demo(practice: Practice) -> None:
    for _ in generate_demo(
        practice.store,
        practice.escaps.current_grid(),
        practice.billing.config,
        patients=DEMO_PATIENTS,
        seed=7,
    ):
        pass


def _list(practice: Practice) -> int:
    summaries = practice.patients.summaries()
    if len(summaries) != DEMO_PATIENTS:
        raise SelfCheckFailedError(f"{len(summaries)} patients listés au lieu de {DEMO_PATIENTS}.")
    return len(summaries)


def _pdf(practice: Practice) -> bytes:
    for summary in practice.patients.summaries():
        if summary.escap_id is None:
            continue
        overview = practice.escaps.overview(summary.escap_id)
        assessment = overview.latest_assessment
        if assessment is None:
            continue
        grid = practice.escaps.grids.get(assessment.grid_id, assessment.grid_version)
        data = GridReportData(
            patient=overview.patient,
            assessment=assessment,
            items=[GridItemRow(i.id, i.group, i.label, i.points) for i in grid.items],
            assessor=practice.professionals.get(assessment.assessor_id),
            grid_title=grid.title,
        )
        pdf = build_document(data)
        if not pdf.startswith(b"%PDF-"):
            raise SelfCheckFailedError("le document produit n'est pas un PDF.")
        return pdf
    raise SelfCheckFailedError("aucune grille d'inclusion dans la démonstration.")


def _gui() -> None:
    """A QApplication, the app icon (SVG plugin + bundled resources), a window shown and closed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication, QLabel

    from escap_desktop.ui.resources import icon

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["escap"])
    if icon("app").isNull() or icon("app").pixmap(32, 32).isNull():
        raise SelfCheckFailedError("l'icône de l'application (SVG) ne se charge pas.")
    windows = [QLabel("ESCAP Desktop : auto-test")]
    windows.extend(_optional_windows())
    for window in windows:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise SelfCheckFailedError(f"la fenêtre {type(window).__name__} ne s'affiche pas.")
        window.close()
        app.processEvents()
        window.deleteLater()
    app.processEvents()


def _preview(pdf: bytes) -> int:
    """The print preview reads the PDF with Qt PDF (PDFium): a build missing that module or its
    plug-in would print nothing, which only this step would tell."""
    from PySide6.QtWidgets import QApplication

    from escap_desktop.ui.error_channel import ErrorChannel
    from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog

    dialog = PrintPreviewDialog(pdf, "auto-test.pdf", ErrorChannel())
    try:
        dialog.show()
        QApplication.processEvents()
        pages = dialog.page_count
        if pages < 1:
            raise SelfCheckFailedError("l'aperçu avant impression ne lit pas le PDF.")
        return pages
    finally:
        dialog.close()
        dialog.deleteLater()
        QApplication.processEvents()


def _optional_windows() -> list[Any]:
    """The real main window and About dialog, when this build has them (cheap: no store).

    The GUI's start-up module is imported by name at run time (``STARTUP_MODULE``): importing
    it here proves a packaged build contains it and everything it needs.
    """
    windows: list[Any] = []
    if importlib.util.find_spec("escap_desktop.ui.app") is not None:
        from escap_desktop.ui import app as gui_app

        startup = getattr(gui_app, "STARTUP_MODULE", None)
        if isinstance(startup, str):
            importlib.import_module(startup)
    if importlib.util.find_spec("escap_desktop.ui.main_window.main_window") is not None:
        from escap_desktop.ui.main_window.main_window import MainWindow

        windows.append(MainWindow())
    from escap_desktop.ui.about_dialog import AboutDialog

    windows.append(AboutDialog(data_dir=None))
    return windows
