"""Sends the MSSanté outbox in the background: right after a message is queued, then
periodically while messages wait (the operator's server was down, the computer offline).

Like the sync (``main_window/sync_controller.py``), a delivery runs on its own worker thread
below the GUI thread's priority, never making the window wait on a slow server. A failure never
pops up: the mail stays queued (``MssanteService.deliver_queued`` gives it a later retry time)
and the status bar says why, in French, on its « MSSanté » field and in a passing message.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from escap_desktop.core.errors import EscapError
from escap_desktop.services.mssante import DeliveryReport, MssanteService
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import JobQueue, call_job

RETRY_INTERVAL_MS = 60_000
"""How often waiting messages are looked at; each has its own retry time in the outbox
(1 min, 2, 4... at most 6 h), so a look finds nothing due most of the time."""
MESSAGE_MS = 10_000
WAITING_HINT = "Les messages restent en attente et repartiront automatiquement."


def waiting_text(count: int) -> str:
    if count == 0:
        return ""
    if count == 1:
        return "MSSanté : 1 message en attente"
    return f"MSSanté : {count} messages en attente"


class MailDeliveryController(QObject):
    """``delivered(report)`` after each run that ended (the pages refresh who was reached)."""

    delivered = Signal(object)

    def __init__(
        self,
        mssante: MssanteService,
        errors: ErrorChannel,
        status_bar: QStatusBar,
        parent: QObject | None = None,
        interval_ms: int = RETRY_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.mssante = mssante
        self._errors = errors
        self._bar = status_bar
        self._jobs = JobQueue(self, background=True)
        self._running = False
        self._again = False
        self._stopped = True
        self.last_problem = ""
        self.label = QLabel()
        self.label.setObjectName("mailLabel")
        self.label.hide()
        status_bar.addPermanentWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        """Looks at the outbox now, then every ``interval_ms``."""
        self._stopped = False
        self._timer.start()
        self.deliver_now()

    def stop(self) -> None:
        """No new run; the one under way ends (its messages stay consistent in the outbox)."""
        self._stopped = True
        self._timer.stop()
        self._jobs.wait_for_done(30_000)

    @property
    def running(self) -> bool:
        return self._running

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.deliver_now()

    def deliver_now(self) -> bool:
        """Starts a delivery run (after the one under way, if any); False when MSSanté is not
        configured or the controller is stopped."""
        if self._stopped:
            return False
        try:
            if not self.mssante.configured:
                self._show_waiting()
                return False
        except EscapError as error:
            self._show_problem(str(error))
            return False
        if self._running:
            self._again = True
            return True
        self._running = True
        self._jobs.start(call_job(self.mssante.deliver_queued), self._on_done, self._on_failed)
        return True

    def _on_done(self, report: DeliveryReport) -> None:
        self._running = False
        problems = [why for _item, why in (*report.waiting, *report.refused)]
        problem = report.stopped or (problems[0] if problems else "")
        if problem:
            self._show_problem(problem)
        else:
            self.last_problem = ""
            self._show_waiting()
            if report.sent:
                count = len(report.sent)
                self._bar.showMessage(
                    "MSSanté : 1 message envoyé."
                    if count == 1
                    else f"MSSanté : {count} messages envoyés.",
                    MESSAGE_MS,
                )
        self.delivered.emit(report)
        self._next()

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        if isinstance(error, EscapError):
            self._show_problem(str(error))
        else:
            self._errors.report(error)
        self._next()

    def _next(self) -> None:
        if self._again and not self._stopped:
            self._again = False
            self.deliver_now()

    def _show_problem(self, problem: str) -> None:
        """The French reason, in a passing message and on the MSSanté field's tooltip."""
        self.last_problem = problem
        self._show_waiting()
        self._bar.showMessage(f"MSSanté : {problem} {WAITING_HINT}", MESSAGE_MS * 3)

    def _show_waiting(self) -> None:
        try:
            count = self.mssante.pending_count()
        except EscapError:
            count = 0
        text = waiting_text(count)
        self.label.setText(text)
        self.label.setToolTip(f"{self.last_problem} {WAITING_HINT}".strip() if text else "")
        self.label.setVisible(bool(text))
