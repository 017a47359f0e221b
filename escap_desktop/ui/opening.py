"""Opening the practice and reading its patient list in one worker job.

Qt-free on purpose: the launcher runs it on the worker thread while the GUI thread is still
importing the windows, and the start-up sequence runs it after a passphrase is typed. Reading
the list in the same job as the opening saves a round trip through the GUI thread before the
professional sees their patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.errors import EscapError
from escap_desktop.services.practice import Practice, open_practice


@dataclass
class Opened:
    """An open practice and its patient list; ``rows`` is None when there is no profile yet
    (the first-launch wizard comes first) or the list could not be read (the main window reads
    it again and says why)."""

    practice: Practice
    rows: list[PatientSummary] | None = None


def open_and_list(
    data_dir: Path | str, passphrase: str | None = None, clock: Clock | None = None
) -> Opened:
    practice = open_practice(Path(data_dir), passphrase, clock=clock)
    try:
        if practice.profile.current() is None:
            return Opened(practice)
        return Opened(practice, practice.patients.summaries())
    except EscapError:
        return Opened(practice)
    except BaseException:
        practice.close()
        raise
