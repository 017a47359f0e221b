"""Keeps the status bar true (online, changes waiting, invitations) and syncs in the background.

A cycle runs on its own worker thread (never on the GUI thread, and never making a print or
the patient list wait behind a slow network), after the delay the service asks for (longer
after each failure); the store takes one writer at a time, so this is safe. A failed
background cycle only turns the status to "Hors ligne", with the reason in its tooltip: work
goes on offline and nothing pops up. "Synchroniser maintenant" runs one at once and reports a
failure in words.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from escap_desktop.core.errors import EscapError
from escap_desktop.services.sync import SyncService, SyncStatus
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.formatting import format_datetime
from escap_desktop.ui.main_window.status_bar import EscapStatusBar
from escap_desktop.ui.runner import GeneratorRunner, JobQueue

NOT_CONFIGURED = "Relais non configuré : l'application fonctionne hors ligne sur ce poste."


class SyncController(QObject):
    """``synced`` after a cycle that finished (the patient list may have changed);
    ``invitations_changed(count)`` when the number of invitations waiting changes."""

    synced = Signal()
    invitations_changed = Signal(int)

    def __init__(
        self,
        sync: SyncService,
        errors: ErrorChannel,
        status_bar: EscapStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sync = sync
        self._jobs = JobQueue(self, background=True)  # below the GUI thread: it keeps answering
        self._runner: GeneratorRunner | None = None
        self._errors = errors
        self._bar = status_bar
        self._running = False
        self._stopped = False
        self.status: SyncStatus | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._stopped = False  # also after a stop (the store's protection was changed)
        self.refresh_status()
        self._schedule()

    def stop(self) -> None:
        """Stops scheduling; a cycle under way stops at its next step (what it did stays)."""
        self._stopped = True
        self._timer.stop()
        if self._runner is not None:
            self._runner.cancel()
        self._jobs.wait_for_done(10_000)

    def refresh_status(self) -> None:
        try:
            status = self.sync.status()
        except EscapError as problem:
            self._bar.set_connection(False, str(problem))
            return
        previous = self.status
        self.status = status
        if not status.configured:
            self._bar.set_connection(False, NOT_CONFIGURED)
        else:
            when = (
                f"Dernière synchronisation : {format_datetime(status.last_sync_at)}."
                if status.last_sync_at
                else "Pas encore synchronisé."
            )
            detail = f"{status.last_error} {when}" if status.last_error else when
            self._bar.set_connection(status.online, detail.strip())
        self._bar.set_pending(status.pending_changes)
        if previous is None or previous.pending_invitations != status.pending_invitations:
            self.invitations_changed.emit(status.pending_invitations)

    def _schedule(self) -> None:
        if self._stopped or self.status is None or not self.status.configured:
            return
        try:
            delay = self.sync.next_delay()
        except EscapError:
            delay = 60.0
        self._timer.start(max(1000, int(delay * 1000)))

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.run_cycle(quiet=True)

    def run_cycle(self, quiet: bool = False) -> bool:
        """Starts one cycle now; False when one is already running or sync is not set up."""
        if self._running:
            return False
        if self.status is not None and not self.status.configured:
            if not quiet:
                self._errors.post(NOT_CONFIGURED)
            return False
        self._running = True
        self._timer.stop()

        def job() -> Generator[Any, None, Any]:
            return (yield from self.sync.sync_once())

        self._runner = self._jobs.start(
            job,
            lambda _report: self._on_cycle_ended(None, quiet),
            lambda error: self._on_cycle_ended(error, quiet),
        )
        return True

    def _on_cycle_ended(self, error: BaseException | None, quiet: bool) -> None:
        self._running = False
        self._runner = None
        self.refresh_status()
        if error is None:
            self.synced.emit()
        elif not quiet or not isinstance(error, EscapError):
            self._errors.report(error)
        self._schedule()
