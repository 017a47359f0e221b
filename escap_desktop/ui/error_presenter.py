"""Shows what the :class:`ErrorChannel` carries: a French message box, or the crash dialog.

Dialogs are opened window-modal with ``open()`` rather than ``exec()``, so an error raised while
another dialog runs never nests event loops, and tests can find and close them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from escap_desktop.ui.error_channel import ErrorChannel


class ErrorPresenter(QObject):
    """Turns channel signals into dialogs parented to the active window."""

    def __init__(self, channel: ErrorChannel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open: list[QWidget] = []
        channel.message_posted.connect(self._on_channel_message_posted)
        channel.crash_reported.connect(self._on_channel_crash_reported)

    @property
    def open_dialogs(self) -> list[QWidget]:
        return list(self._open)

    @Slot(str)
    def _on_channel_message_posted(self, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "ESCAP Desktop",
            message,
            QMessageBox.StandardButton.Ok,
            QApplication.activeWindow(),
        )
        box.setObjectName("errorMessageBox")
        self._show(box)

    @Slot(str)
    def _on_channel_crash_reported(self, report: str) -> None:
        # Imported on first use: a crash is rare, and start-up time counts (docs/benchmarks.md).
        from escap_desktop.ui.crash_dialog import CrashDialog

        self._show(CrashDialog(report, QApplication.activeWindow()))

    def _show(self, dialog: QDialog) -> None:
        self._open.append(dialog)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self._open:
            self._open.remove(dialog)
        dialog.deleteLater()
