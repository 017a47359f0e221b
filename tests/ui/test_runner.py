"""The background runner: exactly one of finished/failed, whatever the job does."""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.ui.runner import JobQueue, OperationCancelledError, call_job


class Outcome:
    """Records every signal of one job, to check that exactly one ending arrived."""

    def __init__(self) -> None:
        self.progress: list[tuple[int, str]] = []
        self.finished: list[Any] = []
        self.failed: list[BaseException] = []

    def on_progress(self, percent: int, text: str) -> None:
        self.progress.append((percent, text))

    def on_finished(self, result: Any) -> None:
        self.finished.append(result)

    def on_failed(self, error: BaseException) -> None:
        self.failed.append(error)

    @property
    def endings(self) -> int:
        return len(self.finished) + len(self.failed)


def _run(qtbot: QtBot, job: Any) -> Outcome:
    queue = JobQueue()
    outcome = Outcome()
    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.start(job, outcome.on_finished, outcome.on_failed, outcome.on_progress)
    return outcome


def test_progress_then_result(qtbot: QtBot) -> None:
    def job() -> Generator[Any, None, str]:
        yield 10
        yield "Lecture du fichier"
        yield 80, "Presque fini"
        return "résultat"

    outcome = _run(qtbot, job)
    assert outcome.progress == [(10, ""), (10, "Lecture du fichier"), (80, "Presque fini")]
    assert outcome.finished == ["résultat"]
    assert outcome.failed == []


def test_expected_error_is_failed_once(qtbot: QtBot) -> None:
    def job() -> Generator[Any, None, None]:
        yield 50
        raise ValidationError("Le NIR est invalide.")

    outcome = _run(qtbot, job)
    assert outcome.endings == 1
    assert isinstance(outcome.failed[0], ValidationError)
    assert str(outcome.failed[0]) == "Le NIR est invalide."


def test_bug_in_job_is_failed_once(qtbot: QtBot) -> None:
    def job() -> Generator[Any, None, None]:
        yield 1
        raise ZeroDivisionError("bug")

    outcome = _run(qtbot, job)
    assert outcome.endings == 1
    assert isinstance(outcome.failed[0], ZeroDivisionError)


def test_bug_before_first_yield_is_failed_once(qtbot: QtBot) -> None:
    def not_a_generator() -> Any:
        raise KeyError("oops")

    outcome = _run(qtbot, not_a_generator)
    assert outcome.endings == 1
    assert isinstance(outcome.failed[0], KeyError)


def test_plain_call_runs_off_the_gui_thread(qtbot: QtBot) -> None:
    outcome = _run(qtbot, call_job(lambda: threading.current_thread() is threading.main_thread()))
    assert outcome.finished == [False]


def test_cancel_stops_the_job_and_runs_its_cleanup(qtbot: QtBot) -> None:
    release = threading.Event()
    cleaned = threading.Event()
    steps: list[int] = []

    def job() -> Generator[Any, None, str]:
        try:
            for step in range(100):
                steps.append(step)
                yield step
                release.wait(5)
            return "jamais"
        finally:
            cleaned.set()

    queue = JobQueue()
    outcome = Outcome()
    runners: list[Any] = []

    def on_progress(percent: int, text: str) -> None:
        runners[0].cancel()  # the professional clicks "Annuler" once the job is under way
        release.set()

    runners.append(queue.start(job, outcome.on_finished, outcome.on_failed, on_progress))
    qtbot.waitUntil(lambda: outcome.endings == 1, timeout=5000)
    assert isinstance(outcome.failed[0], OperationCancelledError)
    assert isinstance(outcome.failed[0], EscapError)
    assert str(outcome.failed[0]) == "Opération annulée."
    assert outcome.finished == []
    assert cleaned.is_set()
    assert len(steps) < 100


@pytest.mark.parametrize("jobs", [3])
def test_jobs_run_one_at_a_time_in_order(qtbot: QtBot, jobs: int) -> None:
    queue = JobQueue()
    order: list[int] = []
    running = threading.Lock()

    def make(number: int) -> Any:
        def job() -> Generator[Any, None, int]:
            assert running.acquire(blocking=False), "two jobs ran at once"
            try:
                yield number
                return number
            finally:
                running.release()

        return job

    with qtbot.waitSignal(queue.idle, timeout=5000):
        for number in range(jobs):
            queue.start(make(number), order.append, pytest.fail)
    assert order == list(range(jobs))
