"""Long work off the GUI thread: a QRunnable that drives a Python generator.

The domain stays free of Qt: a job is a plain function returning a generator that ``yield``s its
progress and ``return``s its result. The runner turns that into signals and guarantees that
exactly one of ``finished`` or ``failed`` is emitted, whatever happens (result, expected error,
bug, or cancellation), so a progress dialog can never stay stuck on screen.

A job yields either an ``int`` (percent), a ``str`` (what it is doing), a ``(percent, text)``
pair, or any object with ``percent`` and ``text`` attributes. Cancellation is cooperative: it is
checked each time the job yields, and the generator is then closed so its ``finally`` blocks run.

A queue for background work (``JobQueue(background=True)``: the sync) runs its jobs below the
GUI thread's priority: when the processor is busy (a sync pulling a team's history while the
professional types a name), the system runs the GUI thread first, so the window keeps answering
while the sync goes on (``bench_gui.py`` measures the filter with a sync running). Jobs the
professional waits for (opening the store, reading the list, printing) keep the normal priority.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from escap_desktop.core.errors import EscapError

Job = Callable[[], Generator[Any, None, Any]]


class OperationCancelledError(EscapError):
    """The professional cancelled a long operation; nothing is wrong."""

    def __init__(self) -> None:
        super().__init__("Opération annulée.")


class RunnerSignals(QObject):
    """Signals live on a QObject because a QRunnable cannot emit them itself."""

    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(object)


def _as_progress(step: Any, last_percent: int) -> tuple[int, str]:
    if isinstance(step, bool):
        return last_percent, ""
    if isinstance(step, int):
        return step, ""
    if isinstance(step, str):
        return last_percent, step
    if isinstance(step, tuple) and len(step) == 2:
        return int(step[0]), str(step[1])
    percent = getattr(step, "percent", last_percent)
    return int(percent if percent is not None else last_percent), str(getattr(step, "text", ""))


WORKER_NICENESS = 10
"""How much lower than the GUI thread a worker runs on Linux (``nice``, per thread)."""

_lowered = threading.local()


def lower_worker_priority() -> None:
    """Once per worker thread: below the GUI thread. Qt's low priority does that on Windows
    and macOS; on Linux it has no effect on ordinary threads, where a thread has its own nice
    value (``setpriority`` on its thread id; elsewhere that id would name the process)."""
    if getattr(_lowered, "done", False):
        return
    _lowered.done = True
    thread = QThread.currentThread()
    if thread is not None:
        thread.setPriority(QThread.Priority.LowPriority)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # a sandbox may forbid it: the job still runs
            current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            os.setpriority(
                os.PRIO_PROCESS, threading.get_native_id(), min(19, current + WORKER_NICENESS)
            )


class GeneratorRunner(QRunnable):
    """Runs one job in a thread pool; see the module docstring for the protocol.
    ``background``: below the GUI thread's priority."""

    def __init__(self, job: Job, background: bool = False) -> None:
        super().__init__()
        self._background = background
        self.setAutoDelete(False)
        self.signals = RunnerSignals()
        self._job = job
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Asks the job to stop at its next ``yield``; ``failed`` then carries a cancellation."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            if self._background:
                lower_worker_priority()
            result = self._drive()
        except BaseException as error:  # every outcome must end in exactly one signal
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)

    def _drive(self) -> Any:
        if self._cancel.is_set():
            raise OperationCancelledError()
        generator = self._job()
        percent = 0
        try:
            while True:
                try:
                    step = next(generator)
                except StopIteration as stop:
                    return stop.value
                percent, text = _as_progress(step, percent)
                self.signals.progress.emit(percent, text)
                if self._cancel.is_set():
                    raise OperationCancelledError()
        finally:
            generator.close()


def call_job(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Wraps a plain (non-generator) service call so it runs as a job without progress."""

    def job() -> Generator[Any, None, Any]:
        result = function(*args, **kwargs)
        yield from ()
        return result

    return job


class JobQueue(QObject):
    """Runs jobs one at a time (they share the store), and keeps each runner alive until done.

    A single worker thread is enough for a desktop app and removes any question of two jobs
    writing the same store concurrently.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, background: bool = False) -> None:
        super().__init__(parent)
        self._background = background
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._active: set[GeneratorRunner] = set()

    def start(
        self,
        job: Job,
        finished: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        progress: Callable[[int, str], None] | None = None,
    ) -> GeneratorRunner:
        """Queues ``job`` with its handlers connected first (a queued signal emitted before a
        connection exists would be lost). Returns the runner so it can be cancelled."""
        runner = GeneratorRunner(job, self._background)
        self._active.add(runner)
        if progress is not None:
            runner.signals.progress.connect(progress)
        runner.signals.finished.connect(finished)
        runner.signals.failed.connect(failed)
        runner.signals.finished.connect(lambda _result: self._done(runner))
        runner.signals.failed.connect(lambda _error: self._done(runner))
        self._pool.start(runner)
        return runner

    def _done(self, runner: GeneratorRunner) -> None:
        self._active.discard(runner)
        if not self._active:
            self.idle.emit()

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Blocks until every queued job ran (used when the application quits)."""
        return self._pool.waitForDone(msecs)

    @property
    def busy(self) -> bool:
        return bool(self._active)
