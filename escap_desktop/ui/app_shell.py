"""What every window shares: the QApplication and its look, the error channel, the job queue."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QStyleFactory

from escap_desktop import __version__
from escap_desktop.core.clock import SYSTEM_CLOCK, Clock
from escap_desktop.ui.error_channel import ErrorChannel, install_exception_hooks
from escap_desktop.ui.error_presenter import ErrorPresenter
from escap_desktop.ui.resources import icon, resources_dir, style_sheet
from escap_desktop.ui.runner import JobQueue

ORGANIZATION = "ESCAP"
APPLICATION = "ESCAP Desktop"
SWITCH_INTERVAL_S = 0.001
"""How long the GUI thread may wait for the interpreter while a job runs Python on the worker
thread (Python's default is 5 ms, which a repaint may pay several times over)."""


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with names (for QSettings), the Fusion style, our style sheet and icon.

    Reuses an existing instance (tests create one through pytest-qt). The GUI thread shares
    the interpreter with the job queue's worker: it gets it back within ``SWITCH_INTERVAL_S``.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or ["escap"]))
    if not app.property("escap_french"):
        install_french(app)
        app.setProperty("escap_french", True)
    apply_look(app)
    return app


def install_french(app: QApplication) -> None:
    """Qt's own words (standard buttons, context menus, file dialogs) in French, and French
    number and date conventions; our own texts are written in French in the source."""
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    folders = (
        resources_dir() / "translations",
        Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    )
    for name in ("qtbase_fr", "qt_fr"):
        for folder in folders:
            translator = QTranslator(app)
            if translator.load(name, str(folder)):
                app.installTranslator(translator)
                break


def apply_look(app: QApplication) -> None:
    """Fusion style and our style sheet, set once: replacing the style of an application whose
    widgets are alive deletes the style they still point to."""
    fusion = "Fusion" in QStyleFactory.keys()  # noqa: SIM118 - a Qt function, not a dict
    if fusion and app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    sheet = style_sheet()
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    app.setWindowIcon(icon("app"))
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)


@dataclass
class Shell:
    """What every window shares: one error channel, its presenter, one job queue, and the
    clock the practice it opens will read (the computer's; a test pins it)."""

    app: QApplication
    errors: ErrorChannel
    presenter: ErrorPresenter
    jobs: JobQueue
    uninstall_hooks: Callable[[], None]
    clock: Clock

    def close(self) -> None:
        self.jobs.wait_for_done(10_000)
        self.uninstall_hooks()


def create_shell(app: QApplication, clock: Clock | None = None) -> Shell:
    errors = ErrorChannel(app)
    presenter = ErrorPresenter(errors, app)
    jobs = JobQueue(app)
    uninstall = install_exception_hooks(errors)
    return Shell(app, errors, presenter, jobs, uninstall, clock or SYSTEM_CLOCK)
