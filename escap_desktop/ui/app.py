"""The GUI entry point: the main window appears first, then the store opens behind it.

Only Qt and the window's own modules are imported before the window shows. The store, the
services and their dependencies (SQLAlchemy, SQLCipher, PyNaCl...) are imported on the worker
thread meanwhile, and :mod:`escap_desktop.ui.startup` (Qt classes) on the GUI thread after,
which is why it is imported in ``Launch._begin`` and not at the top of this module. The
professional sees the window about as fast as a bare Qt window, and the patient list fills in
when it has been read.

The worker does not wait for the GUI thread. Its first job reads the patient list before the
store layer is even imported (:mod:`escap_desktop.store.first_list`: the keyring's key, one raw
SQLCipher connection, one SQL query, then the search keys), when the real opening would change
nothing of it: the list is shown and painted at once, in about the time the interpreter takes
to import SQLAlchemy. The second job imports the store layer and opens the store as always
(checks, migrations, key modes), keeping the list already read instead of reading it again;
when there was none to read early, it reads it with the opening, and the list is shown as soon
as it is read, before the GUI thread imports the main window's controller and its pages (both
threads share one interpreter: importing them meanwhile would only delay the list). The
start-up sequence then begins from what was prepared: a failure (no keyring, a passphrase to
ask) is handled exactly as if the sequence had met it itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox

from escap_desktop.ui.app_shell import Shell, create_application, create_shell
from escap_desktop.ui.main_window.main_window import MainWindow
from escap_desktop.ui.settings import LIST_KEY, WINDOW_KEY, InterfaceSettings, practice_folder

STARTUP_MODULE = "escap_desktop.ui.startup"
STORE_LAYER_MODULES = ("escap_desktop.services.practice",)
"""What makes start-up slow (SQLAlchemy, SQLCipher, PyNaCl, the services): none imports Qt.
The demo's generator is not among them: it comes with the start-up sequence, after the list."""
OPENING_MODULE = "escap_desktop.ui.opening"
FIRST_LIST_MODULE = "escap_desktop.store.first_list"
"""Imports no SQLAlchemy, no ORM model, no service: what reading the first list needs only."""
LISTING_MODULE = "escap_desktop.ui.models.patient_search"
STORE_LAYER_IMPORTED = "store-layer-imported"
"""Told by the worker once the store layer is in (then it opens the store and reads the list)."""


def _first_summaries(data_dir: Path) -> Generator[Any, None, Any]:
    """Runs on the worker thread, first: the patient list when it can be read before the store
    layer is imported, else None (``first_list.read_first_summaries`` says when; the opening
    then reads it)."""
    yield from ()
    return importlib.import_module(FIRST_LIST_MODULE).read_first_summaries(data_dir)


def _first_keys(rows: list[Any]) -> Generator[Any, None, Any]:
    """Runs on the worker thread once the first list is painted: its search keys, as the
    ``PatientListing`` of these very rows (the main controller keeps them as shown)."""
    yield from ()
    listings = importlib.import_module(LISTING_MODULE)
    return listings.PatientListing(rows, listings.search_keys_of(rows))


def _prepare(
    data_dir: Path, clock: Any, demo: bool = False, listing: Any = None
) -> Generator[Any, None, Any]:
    """Runs on the worker thread. Only Qt-free modules are imported here: modules defining Qt
    classes are imported on the GUI thread (in ``_begin``), as Qt expects.

    Returns the practice opened with the keyring's key and its list, or the EscapError met
    (no keyring, a passphrase to ask...), which the start-up sequence then answers. The demo
    practice, which asks nobody for its passphrase, is opened with it in the same job.
    ``listing``: the list ``_first_listing`` read, kept if the store opens with the keyring."""
    for name in STORE_LAYER_MODULES:
        importlib.import_module(name)
    yield STORE_LAYER_IMPORTED
    from escap_desktop.core.errors import EscapError

    opening = importlib.import_module(OPENING_MODULE)
    try:
        return opening.open_and_list(data_dir, None, clock, listing=listing)
    except EscapError as error:
        if not (demo and opening.opens_with_demo_passphrase(error)):
            return error
    try:
        return opening.open_and_list(data_dir, opening.DEMO_PASSPHRASE, clock)
    except EscapError as error:
        return error


class Launch:
    """The window shown at once, then the start-up sequence once its modules are imported.

    ``on_startup`` callbacks receive the :class:`~escap_desktop.ui.startup.Startup` before it
    starts (to connect to its ``ready`` signal).
    """

    def __init__(
        self,
        shell: Shell,
        data_dir: str | None,
        demo: bool = False,
        open_files: bool = True,
        on_startup: Callable[[Any], None] | None = None,
    ) -> None:
        self.shell = shell
        self.window = MainWindow()
        self.window.set_opening(True)
        self._folder = practice_folder(data_dir, demo)
        settings = InterfaceSettings(self._folder)
        settings.restore_window(WINDOW_KEY, self.window)
        settings.restore_header(LIST_KEY, self.window.patient_list.table.horizontalHeader())
        self.window.show()
        # Paint the window now, before the worker starts importing the store layer: both
        # would otherwise compete for the interpreter and the window would appear later.
        QApplication.processEvents()
        self.startup: Any = None
        self._arguments = (data_dir, demo, open_files)
        self._on_startup = on_startup
        shell.jobs.start(
            lambda: _first_summaries(self._folder), self._on_first_summaries, self._go_on
        )

    def _on_first_summaries(self, rows: list[Any] | None) -> None:
        """Shows and paints the list read first, if any, then has its keys built; else opens
        the store on the worker at once."""
        if rows is None:
            self._open(None)
            return
        self.window.patient_list.set_rows(rows, keys_later=True)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.shell.jobs.start(lambda: _first_keys(rows), self._on_first_keys, self._go_on)

    def _on_first_keys(self, listing: Any) -> None:
        self.window.patient_list.set_search_keys(listing)
        self._open(listing)

    def _go_on(self, error: BaseException) -> None:
        """Reading the first list or its keys cannot fail (it returns None); should a bug make
        it, the opening still comes (and the error is reported)."""
        self.shell.errors.report(error)
        self._open(None)

    def _open(self, listing: Any) -> None:
        demo = self._arguments[1]
        self.shell.jobs.start(
            lambda: _prepare(self._folder, self.shell.clock, demo, listing),
            self._begin,
            self.shell.errors.report,
        )

    def _begin(self, prepared: Any) -> None:
        self._show_list(prepared)
        module = importlib.import_module(STARTUP_MODULE)  # the store layer is imported now
        data_dir, demo, open_files = self._arguments
        self.startup = module.Startup(
            self.shell, data_dir, demo=demo, open_files=open_files, window=self.window
        )
        if self._on_startup is not None:
            self._on_startup(self.startup)
        self.startup.start(prepared)

    def _show_list(self, prepared: Any) -> None:
        """The patient list read with the opening, shown and painted at once (not the user's
        input yet: the controller that answers it comes next); the start-up sequence hands the
        same rows to the main controller, which keeps them as shown."""
        listing = getattr(prepared, "listing", None)
        if listing is not None and not self.window.patient_list.shows(listing):
            self._show(listing)

    def _show(self, listing: Any) -> None:
        self.window.patient_list.set_rows(listing.rows, listing.search_keys)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def close(self) -> None:
        if self.startup is not None:
            self.startup.close()


def _tell_already_open(message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "ESCAP Desktop", message)
    box.exec()


def run_gui(
    data_dir: str | None,
    demo: bool = False,
    tell: Callable[[str], None] = _tell_already_open,
) -> int:
    """Runs the application until its last window closes; returns the exit code.

    ``demo`` opens the synthetic demo practice (created on first use) instead of one's own.
    A second launch on the same data folder says so (``tell``) and returns 1.
    """
    from escap_desktop.core.errors import StoreInUseError
    from escap_desktop.services import instance_lock

    app = create_application(sys.argv[:1])
    folder = practice_folder(data_dir, demo)
    try:
        instance_lock.acquire(folder)
    except StoreInUseError as error:
        tell(str(error))
        return 1
    shell = create_shell(app)
    launch = Launch(shell, data_dir, demo)
    try:
        return app.exec()
    finally:
        launch.close()
        shell.close()
        instance_lock.release(folder)
