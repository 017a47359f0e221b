"""The mail adapter's error: a French sentence, and whether trying again later may help."""

from __future__ import annotations

from enum import StrEnum

from escap_desktop.core.errors import EscapError


class MailFailure(StrEnum):
    """What went wrong, so the queue knows whether to retry and a run whether to go on.

    ``SERVER`` failures (no connection, no TLS, bad certificate, refused login, no password)
    concern every message of the run: it stops and they all wait. ``TEMPORARY`` is a 4xx answer
    about this message; ``PERMANENT`` a 5xx answer about it (the recipient or the content): it
    is not tried again until the professional acts.
    """

    SERVER = "serveur"
    TEMPORARY = "temporaire"
    PERMANENT = "definitif"


class MailError(EscapError):
    """An expected mail problem, explained in French (``str(error)``)."""

    def __init__(
        self, message: str, failure: MailFailure = MailFailure.SERVER, *, credentials: bool = False
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.credentials = credentials
        """The login was refused: trying again soon would not help, and an operator may lock
        an account after repeated failures."""

    @property
    def retry(self) -> bool:
        return self.failure is not MailFailure.PERMANENT
