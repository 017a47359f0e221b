"""The two kinds of errors, each with one way to the professional.

Expected problems (:class:`EscapError`) are French sentences shown as they are. Anything else is
a bug: it is turned into a report the professional can copy and send. Both travel as signals of
one :class:`ErrorChannel` living on the GUI thread, so a background thread may report safely:
Qt queues the signal to the GUI thread.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal

from escap_desktop import __version__
from escap_desktop.core.errors import EscapError
from escap_desktop.ui.runner import OperationCancelledError


class ErrorChannel(QObject):
    """Where every error of the application ends up; see the module docstring."""

    message_posted = Signal(str)
    crash_reported = Signal(str)

    def post(self, message: str) -> None:
        """Shows an expected problem (a French sentence) to the professional."""
        self.message_posted.emit(message)

    def report(self, error: BaseException) -> None:
        """Routes ``error``: a French message for an :class:`EscapError`, a crash report else.

        A cancellation is the professional's own choice, so it is not shown at all.
        """
        if isinstance(error, OperationCancelledError):
            return
        if isinstance(error, EscapError):
            self.post(str(error))
            return
        self.crash_reported.emit(crash_report(type(error), error, error.__traceback__))


def crash_report(
    kind: type[BaseException],
    error: BaseException,
    trace: TracebackType | None,
    thread_name: str | None = None,
) -> str:
    """A plain-text report: versions, platform, thread and traceback (never patient data)."""
    import platform  # imported on first use: a crash is rare, and start-up time counts

    lines = [
        f"ESCAP Desktop {__version__}",
        f"Python {platform.python_version()}, PySide6 {pyside_version}",
        f"Système : {platform.platform()}",
        f"Fil d'exécution : {thread_name or threading.current_thread().name}",
        "",
        *traceback.format_exception(kind, error, trace),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


def install_exception_hooks(channel: ErrorChannel) -> Callable[[], None]:
    """Sends uncaught exceptions of the GUI thread and of Python threads to ``channel``.

    Returns a function restoring the previous hooks (tests and a clean shutdown use it).
    """
    previous_sys = sys.excepthook
    previous_threading = threading.excepthook

    def gui_hook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_sys(kind, error, trace)
            return
        if isinstance(error, EscapError):
            channel.report(error)
            return
        channel.crash_reported.emit(crash_report(kind, error, trace))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        error = args.exc_value
        if error is None or isinstance(error, SystemExit):
            return
        if isinstance(error, EscapError):
            channel.report(error)
            return
        name = args.thread.name if args.thread is not None else None
        channel.crash_reported.emit(crash_report(args.exc_type, error, args.exc_traceback, name))

    sys.excepthook = gui_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook = previous_sys
        threading.excepthook = previous_threading

    return uninstall
