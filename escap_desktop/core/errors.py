"""Typed errors of the domain, each carrying a French message meant for the user.

The UI shows ``str(error)`` as is; the CLI prints it on one line and exits non-zero. Programming
errors are never subclasses of :class:`EscapError`, so they can be told apart and reported as bugs.
"""

from __future__ import annotations


class EscapError(Exception):
    """An expected problem, explained in French to the professional."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(EscapError):
    """Input that cannot be accepted as typed (a NIR with a wrong key, a date in the future...).

    ``field`` names the input at fault so that a form can show the message next to it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DuplicatePatientError(ValidationError):
    """The patient being created may already be recorded; ``same_ins`` means it surely is."""

    def __init__(self, message: str, *, same_ins: bool, existing_id: str) -> None:
        super().__init__(message, field="ins" if same_ins else "birth_name")
        self.same_ins = same_ins
        self.existing_id = existing_id


class NotFoundError(EscapError):
    """A record that was asked for does not exist (or no longer exists) in the store."""


class TransitionError(EscapError):
    """An ESCAP lifecycle step that is not allowed from the current state."""


class TeamRuleError(EscapError):
    """A change that would break the team rules (3 members, the médecin traitant...)."""


class ConsentError(EscapError):
    """An action that the patient's consent does not (or no longer) allow."""


class GridError(EscapError):
    """An inclusion grid file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class StoreError(EscapError):
    """The local store cannot be opened or written (wrong key, newer version, disk full...)."""


class StoreInUseError(StoreError):
    """Another ESCAP Desktop process on this computer has the data folder open."""


class KeyringUnavailableError(StoreError):
    """No usable OS keyring: the caller must ask the professional for a passphrase instead."""


class PassphraseRequiredError(StoreError):
    """The store is in passphrase mode and no passphrase was given: ask for one."""


class WrongPassphraseError(StoreError):
    """The passphrase (or key) does not open the store."""


class SyncError(EscapError):
    """The relay could not be reached or refused a request."""


class DocumentError(EscapError):
    """A printable document could not be produced."""
