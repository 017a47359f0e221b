"""Opening the practice and reading its patient list in one worker job.

Qt-free on purpose: the launcher runs it on the worker thread while the GUI thread is still
importing the windows, and the start-up sequence runs it after a passphrase is typed. Reading
the list in the same job as the opening saves a round trip through the GUI thread before the
professional sees their patients; so does building the list's search keys here
(``PatientListing``), off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from escap_desktop.core.clock import Clock
from escap_desktop.core.errors import EscapError, KeyringUnavailableError, PassphraseRequiredError
from escap_desktop.services.practice import Practice, open_practice
from escap_desktop.ui.models.patient_search import PatientListing

DEMO_PASSPHRASE = "demonstration-escap-desktop"  # fictitious data only, when no keyring


def opens_with_demo_passphrase(error: BaseException) -> bool:
    """Whether the demo practice, after this error opening it with the keyring, opens with its
    own passphrase (nobody is asked: the start-up sequence does the same, ``Startup``)."""
    return isinstance(error, PassphraseRequiredError) or type(error) is KeyringUnavailableError


@dataclass
class Opened:
    """An open practice and its patient list; ``listing`` is None when there is no profile yet
    (the first-launch wizard comes first) or the list could not be read (the main window reads
    it again and says why)."""

    practice: Practice
    listing: PatientListing | None = None
    passphrase: str | None = None  # the one it was opened with, if any


def open_and_list(
    data_dir: Path | str,
    passphrase: str | None = None,
    clock: Clock | None = None,
    listing: PatientListing | None = None,
) -> Opened:
    """``listing``: the list the launcher read before the store layer was imported
    (``store.first_list``), kept as it is: it was read only because this opening changes
    nothing of it (no migration, figures up to date), and nothing else writes to the store
    before the main window (one instance per data folder)."""
    practice = open_practice(Path(data_dir), passphrase, clock=clock)
    try:
        if practice.profile.current() is None:
            return Opened(practice, passphrase=passphrase)
        if listing is None:
            listing = PatientListing.of(practice.patients.summaries())
        return Opened(practice, listing, passphrase)
    except EscapError:
        return Opened(practice, passphrase=passphrase)
    except BaseException:
        practice.close()
        raise
