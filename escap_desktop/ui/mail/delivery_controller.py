"""Sends the MSSanté outbox in the background: right after a message is queued, then
periodically while messages wait (the operator's server was down, the computer offline).

Like the sync (``main_window/sync_controller.py``), a delivery runs on its own worker thread
below the GUI thread's priority, never making the window wait on a slow server. A failure never
pops up: the mail stays queued (``MssanteService.deliver_queued`` gives it a later retry time)
and the status bar says why, in French, on its « MSSanté » field and in a passing message.

After each run, when the settings name a reading server (IMAP), the replies are collected on
the same worker (``MssanteReplyService.collect``): what was recorded is said in the status bar
and ``replies_recorded`` lets the pages show it; a reply not recorded (another sender's) and a
mailbox that cannot be read are said there too, never in a popup.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from escap_desktop.core.errors import EscapError
from escap_desktop.services.mssante import DeliveryReport, MssanteService
from escap_desktop.services.mssante_replies import MssanteReplyService, ReplyReport
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import JobQueue, call_job

RETRY_INTERVAL_MS = 60_000
"""How often waiting messages are looked at; each has its own retry time in the outbox
(1 min, 2, 4... at most 6 h), so a look finds nothing due most of the time."""
MESSAGE_MS = 10_000
WAITING_HINT = "Les messages restent en attente et repartiront automatiquement."
REREAD_HINT = "Les réponses seront relues automatiquement."


def waiting_text(count: int) -> str:
    if count == 0:
        return ""
    if count == 1:
        return "MSSanté : 1 message en attente"
    return f"MSSanté : {count} messages en attente"


def replies_text(report: ReplyReport) -> str:
    """What the status bar says of a collect (French), "" when nothing new was read: the first
    reply recorded, then the first one not recorded (the professional must read it)."""
    parts = []
    if report.recorded:
        parts.append(
            f"{report.recorded[0].sentence}.{_others(len(report.recorded) - 1, 'enregistrée')}"
        )
    if report.ignored:
        parts.append(f"{report.ignored[0]}{_others(len(report.ignored) - 1, 'non enregistrée')}")
    return f"MSSanté : {' '.join(parts)}" if parts else ""


def _others(count: int, what: str) -> str:
    if count == 0:
        return ""
    if count == 1:
        return f" Une autre réponse {what}."
    return f" {count} autres réponses {what}s."


class MailDeliveryController(QObject):
    """``delivered(report)`` after each run that ended (the pages refresh who was reached);
    ``replies_recorded(report)`` when a collect recorded replies (the pages and the list show
    them). ``replies`` None: the replies are never read (as without a reading server)."""

    delivered = Signal(object)
    replies_recorded = Signal(object)

    def __init__(
        self,
        mssante: MssanteService,
        errors: ErrorChannel,
        status_bar: QStatusBar,
        parent: QObject | None = None,
        interval_ms: int = RETRY_INTERVAL_MS,
        *,
        replies: MssanteReplyService | None = None,
    ) -> None:
        super().__init__(parent)
        self.mssante = mssante
        self.replies = replies
        self._errors = errors
        self._bar = status_bar
        self._jobs = JobQueue(self, background=True)
        self._running = False
        self._again = False
        self._stopped = True
        self.last_problem = ""
        self.last_reply_problem = ""
        """Why the mailbox could not be read at the last collect ("" when it was)."""
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
        """A delivery run, or the collect of the replies after it, is under way."""
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
        self._collect_replies()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, EscapError):
            self._show_problem(str(error))
        else:
            self._errors.report(error)
        self._collect_replies()  # the reading server may answer when the sending one does not

    def _collect_replies(self) -> None:
        """After a run: the replies, on the same worker, when a reading server is set."""
        replies = self.replies
        if replies is None or self._stopped:
            self._finish()
            return
        try:
            reading = replies.configured
        except EscapError as error:
            self._show_reply_problem(str(error))
            self._finish()
            return
        if not reading:
            self.last_reply_problem = ""
            self._finish()
            return
        self._jobs.start(call_job(replies.collect), self._on_replies_read, self._on_replies_failed)

    def _on_replies_read(self, report: ReplyReport) -> None:
        self.last_reply_problem = ""
        text = replies_text(report)
        if text:
            self._bar.showMessage(text, MESSAGE_MS * 3)
        if report.recorded:
            self.replies_recorded.emit(report)
        self._finish()

    def _on_replies_failed(self, error: BaseException) -> None:
        if isinstance(error, EscapError):
            self._show_reply_problem(str(error))
        else:
            self._errors.report(error)
        self._finish()

    def _show_reply_problem(self, problem: str) -> None:
        self.last_reply_problem = problem
        hint = "" if "relues" in problem else f" {REREAD_HINT}"
        self._bar.showMessage(f"MSSanté : {problem}{hint}", MESSAGE_MS * 3)

    def _finish(self) -> None:
        self._running = False
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
