"""A progress dialog bound to one background job, with a working "Annuler" button.

It closes itself on whichever of ``finished``/``failed`` arrives (the runner promises exactly
one), so it can never stay stuck on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import GeneratorRunner, Job, JobQueue


class JobProgressDialog(QProgressDialog):
    """Runs ``job`` on the queue; ``on_result`` gets the result, errors go to the channel.

    The dialog keeps itself alive (``_running``) until its job ends, so a caller may create it
    without holding a reference.
    """

    _running: ClassVar[set[JobProgressDialog]] = set()

    def __init__(
        self,
        title: str,
        jobs: JobQueue,
        job: Job,
        errors: ErrorChannel,
        on_result: Callable[[Any], None],
        parent: QWidget | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(title, "Annuler", 0, 100, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self._errors = errors
        self._on_result = on_result
        self._on_failure = on_failure
        self.outcome: str = "en cours"
        self.canceled.connect(self._on_canceled)
        JobProgressDialog._running.add(self)
        self.runner: GeneratorRunner = jobs.start(
            job, self._on_finished, self._on_failed, self._on_progress
        )

    @Slot(int, str)
    def _on_progress(self, percent: int, text: str) -> None:
        self.setValue(max(0, min(100, percent)))
        if text:
            self.setLabelText(text)

    @Slot()
    def _on_canceled(self) -> None:
        self.runner.cancel()
        self.setLabelText("Annulation en cours…")

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        self.outcome = "terminé"
        self._close()
        self._on_result(result)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.outcome = "échec"
        self._close()
        if self._on_failure is not None:
            self._on_failure(error)
        self._errors.report(error)

    def _close(self) -> None:
        JobProgressDialog._running.discard(self)
        self.canceled.disconnect(self._on_canceled)
        self.reset()
        self.hide()
        self.deleteLater()
