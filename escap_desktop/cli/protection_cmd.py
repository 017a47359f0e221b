"""``escap protection ...``: change the store's passphrase, key, or keyring/passphrase mode.

Passphrases are typed on the terminal, never echoed (the new one twice); scripts give the
current one in ``ESCAP_PASSPHRASE`` and the new one in ``ESCAP_NEW_PASSPHRASE``. The whole store
is re-encrypted: close the application first.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.cli.practice_access import PASSPHRASE_ENV
from escap_desktop.core.errors import StoreError
from escap_desktop.services.paths import resolve_data_dir
from escap_desktop.services.practice import open_practice
from escap_desktop.services.store_protection import (
    ProtectionChange,
    ProtectionSteps,
    StoreProtectionService,
    check_new_passphrase,
)
from escap_desktop.store import KeyMode, store_key_mode

NEW_PASSPHRASE_ENV = "ESCAP_NEW_PASSPHRASE"
NO_STORE_MESSAGE = "Aucun coffre de données dans {folder} : rien à protéger."
CLOSE_APP = " Fermez l'application avant : le coffre entier est rechiffré."


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "protection",
        prog="escap protection",
        help="change la protection du coffre : phrase de passe, trousseau, clé",
        description=(
            "Change la façon dont le coffre de données est protégé sur ce poste." + CLOSE_APP
        ),
    )
    actions = parser.add_subparsers(
        title="actions",
        dest="protection_action",
        metavar="ACTION",
        parser_class=FrenchArgumentParser,
        prog="escap protection",
        required=True,
    )
    passphrase = actions.add_parser(
        "passphrase",
        help="choisit une nouvelle phrase de passe (ou quitte le trousseau pour une phrase)",
        description=(
            "Protège le coffre par une nouvelle phrase de passe d'au moins 12 caractères, "
            "saisie deux fois (ou $" + NEW_PASSPHRASE_ENV + "). Si le coffre est protégé par "
            "une phrase de passe, l'actuelle est demandée d'abord (ou $" + PASSPHRASE_ENV + ") ; "
            "s'il est protégé par le trousseau du système, sa clé en est retirée." + CLOSE_APP
        ),
    )
    passphrase.set_defaults(handler=run_passphrase)
    keyring = actions.add_parser(
        "keyring",
        help="garde la clé du coffre dans le trousseau du système au lieu d'une phrase de passe",
        description=(
            "Le coffre ne demandera plus de phrase de passe : sa nouvelle clé est gardée dans le "
            "trousseau du système, qui doit être disponible et déverrouillé. La phrase de passe "
            "actuelle est demandée (ou $" + PASSPHRASE_ENV + ")." + CLOSE_APP
        ),
    )
    keyring.set_defaults(handler=run_keyring)
    rekey = actions.add_parser(
        "rekey",
        help="rechiffre le coffre sous une nouvelle clé aléatoire, même protection",
        description=(
            "Rechiffre tout le coffre sous une nouvelle clé : l'ancienne clé ne l'ouvre plus. "
            "La protection (trousseau ou phrase de passe) reste la même ; en mode phrase de "
            "passe, l'actuelle est demandée (ou $" + PASSPHRASE_ENV + ")." + CLOSE_APP
        ),
    )
    rekey.set_defaults(handler=run_rekey)


def run_passphrase(args: argparse.Namespace) -> int:
    mode, current = _current(args)
    new = _new_passphrase()
    if mode is KeyMode.PASSPHRASE:
        assert current is not None
        old: str = current
        change = _change(args, current, lambda protection: protection.change_passphrase(old, new))
    else:
        change = _change(args, current, lambda protection: protection.use_passphrase(new))
    return _report(change)


def run_keyring(args: argparse.Namespace) -> int:
    _mode, current = _current(args)
    change = _change(args, current, lambda protection: protection.use_keyring(current or ""))
    return _report(change)


def run_rekey(args: argparse.Namespace) -> int:
    _mode, current = _current(args)
    change = _change(args, current, lambda protection: protection.rekey(current))
    print("Le coffre de données a été rechiffré sous une nouvelle clé.")
    return _report(change)


def _change(
    args: argparse.Namespace,
    current: str | None,
    start: Callable[[StoreProtectionService], ProtectionSteps],
) -> ProtectionChange:
    """The one way each action opens the store (with its current passphrase), runs its change
    with the steps on stderr, and closes the store even when the change is refused."""
    practice = open_practice(resolve_data_dir(args.data_dir), current)
    try:
        return _drive(start(practice.protection))
    finally:
        practice.close()


def _current(args: argparse.Namespace) -> tuple[KeyMode, str | None]:
    """The store's mode, and its current passphrase when it has one (asked only then)."""
    folder = resolve_data_dir(getattr(args, "data_dir", None))
    mode = store_key_mode(folder)
    if mode is None:
        raise StoreError(NO_STORE_MESSAGE.format(folder=folder))
    if mode is KeyMode.KEYRING:
        return mode, None
    return mode, os.environ.get(PASSPHRASE_ENV) or _ask("Phrase de passe actuelle du coffre")


def _new_passphrase() -> str:
    new = os.environ.get(NEW_PASSPHRASE_ENV)
    if new:
        check_new_passphrase(new)
        return new
    new = _ask("Nouvelle phrase de passe (12 caractères au moins)")
    check_new_passphrase(new)
    check_new_passphrase(new, _ask("Confirmez la nouvelle phrase de passe"))
    return new


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise StoreError(
            f"{prompt} : aucune saisie possible hors d'un terminal ; définissez "
            f"{PASSPHRASE_ENV} (phrase actuelle) et {NEW_PASSPHRASE_ENV} (nouvelle phrase) "
            "dans un script."
        )
    return getpass.getpass(f"{prompt} : ")


def _drive(steps: ProtectionSteps) -> ProtectionChange:
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            result: ProtectionChange = stop.value
            return result
        print(step.text, file=sys.stderr)


def _report(change: ProtectionChange) -> int:
    if change.mode is KeyMode.KEYRING:
        print("Le coffre de données est protégé par le trousseau du système.")
    else:
        print(
            "Le coffre de données est protégé par une phrase de passe : elle sera demandée à "
            "chaque ouverture. Sans elle, le coffre est illisible."
        )
    for note in change.notes:
        print(f"Attention : {note}", file=sys.stderr)
    return 0
