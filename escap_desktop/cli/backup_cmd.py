"""``escap backup --out FICHIER`` and ``escap restore --in FICHIER``: encrypted backups.

A backup holds the store and the scans of the signed consent forms; restoring brings both back.

The backup passphrase comes from ``ESCAP_BACKUP_PASSPHRASE`` (scripts) or is typed twice on
the terminal, never echoed. Restoring asks how the restored store is protected on this
computer (``--protection trousseau|phrase``; by default the keyring when there is one) and
for a confirmation, since the current store is moved aside.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import TypeVar

from escap_desktop.cli.practice_access import PASSPHRASE_ENV, open_cli_practice
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.clock import paris_time
from escap_desktop.core.errors import KeyringUnavailableError, StoreError
from escap_desktop.services.backup import (
    BackupProgress,
    LocalProtection,
    check_confirmation,
    create_backup,
    describe_backup,
    passphrase_strength,
    restore,
)
from escap_desktop.services.paths import resolve_data_dir
from escap_desktop.store.keys import ensure_keyring_usable

BACKUP_PASSPHRASE_ENV = "ESCAP_BACKUP_PASSPHRASE"
KEYRING, PASSPHRASE = "trousseau", "phrase"
T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = subparsers.add_parser(
        "backup",
        help="écrit une sauvegarde chiffrée du coffre de données",
        description=(
            "Écrit une copie chiffrée du coffre de données et des scans des formulaires de "
            "consentement, protégée par une phrase de passe que vous choisissez : elle se "
            "restaure sur un autre ordinateur avec cette phrase. "
            f"Phrase de passe : saisie deux fois, ou ${BACKUP_PASSPHRASE_ENV}."
        ),
    )
    backup.add_argument("--out", required=True, metavar="FICHIER", help="fichier à écrire")
    backup.set_defaults(handler=run_backup)

    restore_parser = subparsers.add_parser(
        "restore",
        help="remplace le coffre de données par une sauvegarde",
        description=(
            "Vérifie la sauvegarde (intégrité, phrase de passe, version, scans), met le coffre "
            "actuel et ses scans de côté puis installe le coffre et les scans sauvegardés. "
            "Fermez l'application avant."
        ),
    )
    restore_parser.add_argument(
        "--in", dest="source", required=True, metavar="FICHIER", help="sauvegarde à restaurer"
    )
    restore_parser.add_argument(
        "--protection",
        choices=(KEYRING, PASSPHRASE),
        help=(
            "protection du coffre restauré sur ce poste : trousseau du système (par défaut s'il "
            f"existe) ou phrase de passe (${PASSPHRASE_ENV}, sinon saisie)"
        ),
    )
    restore_parser.add_argument(
        "--oui", action="store_true", help="ne demande pas de confirmation (scripts)"
    )
    restore_parser.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    target = Path(args.out).expanduser()
    passphrase = _new_passphrase(
        BACKUP_PASSPHRASE_ENV, "Phrase de passe de la sauvegarde", "Protection de la sauvegarde"
    )
    practice = open_cli_practice(args)
    try:
        result = _drive(create_backup(practice.store, target, passphrase))
    finally:
        practice.close()
    print(f"Sauvegarde écrite : {result.path} ({_size(result.size_bytes)}).")
    print(f"Scans de formulaires de consentement inclus : {result.scans}.")
    if result.scans_left_out:
        print(
            f"Attention : {result.scans_left_out} scan(s) enregistré(s) sont introuvables ou "
            "illisibles sur ce poste et ne sont pas dans la sauvegarde ; joignez-les de nouveau "
            "depuis le papier.",
            file=sys.stderr,
        )
    print("Gardez la phrase de passe à part : sans elle, la sauvegarde est illisible.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    source = Path(args.source).expanduser()
    description = describe_backup(source)  # a bad file is refused before any question
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    print(
        f"Sauvegarde du {paris_time(description.created_at):%d/%m/%Y à %H:%M} "
        f"(ESCAP Desktop {description.app_version}, {_size(description.size_bytes)}, "
        f"{description.scans} scan(s))."
    )
    passphrase = os.environ.get(BACKUP_PASSPHRASE_ENV) or _ask("Phrase de passe de la sauvegarde")
    protection = _local_protection(args.protection)
    if not args.oui:
        _confirm(data_dir)
    result = _drive(restore(source, passphrase, data_dir, protection))
    print(f"Coffre restauré dans {result.store.parent}.")
    print(f"Scans de formulaires de consentement restaurés : {result.scans}.")
    if result.previous is not None:
        print(f"L'ancien coffre a été mis de côté : {result.previous.name}")
    if result.previous_scans is not None:
        print(f"Ses scans ont été mis de côté : {result.previous_scans.name}")
    return 0


def _local_protection(choice: str | None) -> LocalProtection:
    if choice is None:
        try:
            ensure_keyring_usable()
            choice = KEYRING
        except KeyringUnavailableError:
            print(
                "Aucun trousseau du système : le coffre restauré sera protégé par une phrase de "
                "passe.",
                file=sys.stderr,
            )
            choice = PASSPHRASE
    if choice == KEYRING:
        return LocalProtection()
    return LocalProtection(
        _new_passphrase(PASSPHRASE_ENV, "Nouvelle phrase de passe du coffre", "Coffre restauré")
    )


def _new_passphrase(env: str, prompt: str, purpose: str) -> str:
    """From the environment, else typed twice; the strength rule is checked either way."""
    passphrase = os.environ.get(env)
    if not passphrase:
        passphrase = _ask(prompt)
        check_confirmation(passphrase, _ask("Confirmez la phrase de passe"))
    strength = passphrase_strength(passphrase)
    if not strength.acceptable:
        raise StoreError(f"{purpose} : {strength.label.lower()}.")
    return passphrase


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise StoreError(
            f"{prompt} : aucune saisie possible hors d'un terminal ; définissez "
            f"{BACKUP_PASSPHRASE_ENV} (et {PASSPHRASE_ENV} pour le coffre) dans un script."
        )
    return getpass.getpass(f"{prompt} : ")


def _confirm(data_dir: Path) -> None:
    message = (
        f"Le coffre actuel ({data_dir}) sera mis de côté et remplacé par la sauvegarde. "
        "Continuer ? [o/N] "
    )
    if not sys.stdin.isatty():
        raise StoreError("Confirmation impossible hors d'un terminal : ajoutez --oui.")
    if input(message).strip().lower() not in {"o", "oui"}:
        raise StoreError("Restauration annulée : rien n'a été modifié.")


def _drive(steps: Generator[BackupProgress, None, T]) -> T:
    progress = ProgressLine(sys.stderr, every_seconds=0)
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as stop:
                return stop.value
            progress.update(step.percent, 100, step.text)
    finally:
        progress.finish()


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(size // 1024, 1)} Ko"
