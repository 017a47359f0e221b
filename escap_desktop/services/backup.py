"""Backing up and restoring the store: the use cases shared by ``escap backup``/``restore`` and
the GUI's "Sauvegarder…" / "Restaurer…" actions.

Both are generators: they yield :class:`BackupProgress` (a percentage and a French label, what
the GUI's job runner and the CLI's progress line show) and return their result. A backup is
protected by a passphrase the professional chooses, so it can be restored on another computer
(a new one, after a theft) where neither the keyring nor the store's own passphrase exist.

A backup holds the store and the scans of the signed consent forms (their key is kept in the
store, so they open again under the restored store's new key); see ``store/backup_file.py``.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from escap_desktop import __version__
from escap_desktop.core.clock import PARIS
from escap_desktop.core.errors import EscapError, KeyringUnavailableError, ValidationError
from escap_desktop.logging_setup import safe
from escap_desktop.services import instance_lock
from escap_desktop.store import Store
from escap_desktop.store.backup_file import (
    BACKUP_SUFFIX,
    BackupHeader,
    BackupWritten,
    LocalProtection,
    RestoreOutcome,
    read_header,
    restore_backup,
    write_backup,
)
from escap_desktop.store.keys import (
    MIN_PASSPHRASE_LENGTH,
    KdfParams,
    KeyMode,
    ensure_keyring_usable,
)

__all__ = [
    "BACKUP_SUFFIX",
    "BackupDescription",
    "BackupProgress",
    "BackupResult",
    "LocalProtection",
    "PassphraseStrength",
    "RestoreResult",
    "create_backup",
    "default_backup_name",
    "describe_backup",
    "keyring_available",
    "passphrase_strength",
    "restore",
]

logger = logging.getLogger(__name__)
R = TypeVar("R")

PASSPHRASES_DIFFER_MESSAGE = "Les deux phrases de passe saisies ne sont pas identiques."


@dataclass(frozen=True, slots=True)
class BackupProgress:
    percent: int
    text: str


@dataclass(frozen=True, slots=True)
class BackupDescription:
    """What the restore dialog shows before the passphrase is typed."""

    created_at: datetime
    app_version: str
    schema_revision: str
    size_bytes: int
    scans: int  # consent scans it carries (0 for a backup written before scans travelled)


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    created_at: datetime
    size_bytes: int
    scans: int
    # Scans a consent records but that were already missing or unreadable on this computer, so
    # not in the backup: the professional should attach them again from the paper form.
    scans_left_out: int = 0


@dataclass(frozen=True, slots=True)
class RestoreResult:
    store: Path
    previous: Path | None
    backup_created_at: datetime
    protected_by_keyring: bool
    scans: int = 0
    previous_scans: Path | None = None  # the replaced store's scans folder, kept beside it


@dataclass(frozen=True, slots=True)
class PassphraseStrength:
    """A rough hint shown while the passphrase is typed; the rule itself is the minimum length."""

    score: int  # 0 (refused) to 4
    label: str
    acceptable: bool


def default_backup_name(now: datetime) -> str:
    """A file name with the French date and time of ``now`` (what the professional reads)."""
    stamp = now.astimezone(PARIS).strftime("%Y-%m-%d-%H%M")
    return f"escap-sauvegarde-{stamp}{BACKUP_SUFFIX}"


def passphrase_strength(passphrase: str) -> PassphraseStrength:
    text = unicodedata.normalize("NFC", passphrase).strip()
    if len(text) < MIN_PASSPHRASE_LENGTH:
        missing = MIN_PASSPHRASE_LENGTH - len(text)
        return PassphraseStrength(0, f"Trop courte : encore {missing} caractère(s) au moins", False)
    kinds = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
    words = len(text.split())
    score = 1 + (len(text) >= 16) + (len(text) >= 24 or words >= 4) + (kinds >= 3)
    labels = {1: "Acceptable", 2: "Correcte", 3: "Bonne", 4: "Très bonne"}
    return PassphraseStrength(score, labels[score], True)


def keyring_available() -> bool:
    """Whether a restored store can be protected by the OS keyring on this computer."""
    try:
        ensure_keyring_usable()
    except KeyringUnavailableError:
        return False
    return True


def check_confirmation(passphrase: str, confirmation: str) -> None:
    if passphrase != confirmation:
        raise ValidationError(PASSPHRASES_DIFFER_MESSAGE, field="confirmation")


def describe_backup(source: Path | str) -> BackupDescription:
    """Reads (and checks) a backup's header: EscapError in French when it is not usable."""
    header = read_header(source)
    return _description(header, Path(source))


def create_backup(
    store: Store,
    target: Path | str,
    passphrase: str,
    *,
    now: datetime | None = None,
    kdf: KdfParams | None = None,
    scans_dir: Path | str | None = None,
) -> Generator[BackupProgress, None, BackupResult]:
    """Writes an encrypted backup of the open store and its consent scans to ``target``
    (replaced if it exists). ``scans_dir``: the scans folder, ``scans/`` beside the store by
    default."""
    target = Path(target)
    logger.info("sauvegarde : début")
    steps = write_backup(
        store,
        target,
        passphrase,
        app_version=__version__,
        created_at=now,
        kdf=kdf,
        scans_dir=Path(scans_dir) if scans_dir is not None else None,
    )
    written: BackupWritten = yield from _with_percent(steps, (5, 30, 45, 85))
    header = written.header
    size = target.stat().st_size
    logger.info(
        "sauvegarde : écrite (%s octets, révision %s, %s scan(s), %s non sauvegardé(s))",
        size,
        safe(header.schema_revision),
        len(header.scans),
        len(written.scans_left_out),
    )
    yield BackupProgress(100, "Sauvegarde terminée")
    return BackupResult(
        path=target.absolute(),
        created_at=header.created_at,
        size_bytes=size,
        scans=len(header.scans),
        scans_left_out=len(written.scans_left_out),
    )


def restore(
    source: Path | str,
    passphrase: str,
    data_dir: Path | str,
    protection: LocalProtection,
    *,
    now: datetime | None = None,
) -> Generator[BackupProgress, None, RestoreResult]:
    """Replaces the (closed) store of ``data_dir`` and its scans with the backup's; the old ones
    are kept aside."""
    logger.info("restauration : début")
    steps = restore_backup(source, passphrase, data_dir, protection, now=now)
    try:
        # Not while a window (another process) has the store open: it would keep writing to
        # the store this replaces. The window's own restore holds the lock already.
        with instance_lock.exclusive_use(Path(data_dir), "restaurer une sauvegarde"):
            outcome: RestoreOutcome = yield from _with_percent(steps, (5, 15, 45, 70, 90))
    except EscapError as error:
        logger.warning("restauration : refusée (%s)", type(error).__qualname__)
        raise
    logger.info("restauration : terminée (ancien coffre mis de côté : %s)", outcome.previous)
    yield BackupProgress(100, "Restauration terminée")
    return RestoreResult(
        store=outcome.store,
        previous=outcome.previous,
        backup_created_at=outcome.header.created_at,
        protected_by_keyring=outcome.mode is KeyMode.KEYRING,
        scans=len(outcome.header.scans),
        previous_scans=outcome.previous_scans,
    )


def _with_percent(
    steps: Generator[str, None, R], percents: tuple[int, ...]
) -> Generator[BackupProgress, None, R]:
    index = 0
    while True:
        try:
            label = next(steps)
        except StopIteration as stop:
            return stop.value
        percent = percents[min(index, len(percents) - 1)]
        index += 1
        yield BackupProgress(percent, label)


def _description(header: BackupHeader, source: Path) -> BackupDescription:
    return BackupDescription(
        created_at=header.created_at.astimezone(UTC),
        app_version=header.app_version,
        schema_revision=header.schema_revision,
        size_bytes=source.stat().st_size,
        scans=len(header.scans),
    )
