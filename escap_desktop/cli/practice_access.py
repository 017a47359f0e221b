"""Opening the practice for a headless command: data folder, key, passphrase.

Commands run in scripts and terminals alike: the passphrase comes from ``ESCAP_PASSPHRASE`` when
set, else it is asked on the terminal (never echoed); with neither, the command stops with a
French sentence saying what to do.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from escap_desktop.core.clock import SYSTEM_CLOCK, Clock
from escap_desktop.core.errors import KeyringUnavailableError, StoreError
from escap_desktop.services.paths import resolve_data_dir
from escap_desktop.services.practice import InsecureKeyringError, Practice, open_practice
from escap_desktop.store import KeyringLockedError, PassphraseRequiredError

PASSPHRASE_ENV = "ESCAP_PASSPHRASE"


def open_cli_practice(args: argparse.Namespace) -> Practice:
    """The practice of the command's data folder, dated by the clock ``main`` was given."""
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    passphrase = os.environ.get(PASSPHRASE_ENV) or None
    clock = command_clock(args)
    try:
        return open_practice(data_dir, passphrase, clock=clock)
    except KeyringLockedError:
        raise  # a passphrase cannot open a keyring-mode store: unlocking the keyring can
    except (KeyringUnavailableError, PassphraseRequiredError) as error:
        if passphrase is not None:
            raise
        if not sys.stdin.isatty():
            raise StoreError(
                f"{error.message} Définissez la variable {PASSPHRASE_ENV} pour un usage en script."
            ) from None
        print(error.message, file=sys.stderr)
        if isinstance(error, InsecureKeyringError):
            chosen = getpass.getpass("Nouvelle phrase de passe : ")
            if getpass.getpass("Confirmation : ") != chosen:
                raise StoreError("Les deux saisies de la phrase de passe diffèrent.") from None
            return open_practice(data_dir, chosen, clock=clock)
        return open_practice(data_dir, getpass.getpass("Phrase de passe : "), clock=clock)


def command_clock(args: argparse.Namespace) -> Clock:
    """The clock every command reads: the computer's, unless ``main(argv, clock=...)`` pinned it."""
    clock = getattr(args, "clock", None)
    return clock if isinstance(clock, Clock) else SYSTEM_CLOCK


def require_profile(practice: Practice) -> None:
    """Headless commands act as the profile's professional: it must exist."""
    if practice.profile.current() is None:
        raise StoreError(
            "Aucun profil de professionnel n'existe dans ce dossier de données : lancez "
            "d'abord l'application (escap) ou créez la démonstration (escap demo)."
        )
