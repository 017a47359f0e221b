"""``escap forget``: « Oublier ce poste », remove this computer's keys and patient data.

Lists what will go, then asks for the confirmation phrase (typed on the terminal, or given with
``--confirm "OUBLIER CE POSTE"`` in a script). Works on a store that no longer opens too (lost
passphrase, damaged file): that is when a professional most needs a clean slate.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from escap_desktop.cli.practice_access import PASSPHRASE_ENV
from escap_desktop.core.errors import StoreError
from escap_desktop.services.forget import (
    CONFIRMATION,
    ForgetPlan,
    check_confirmation,
    forget_data_folder,
    plan_forget,
    read_store_entries,
)
from escap_desktop.services.paths import resolve_data_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forget",
        prog="escap forget",
        help="oublier ce poste : supprime les clés et les données patients de cet ordinateur",
        description=(
            "Retire du trousseau du système les clés du coffre et de la synchronisation, puis "
            "supprime le coffre de données, ses copies, les scans et la clé de pseudonymisation. "
            "L'annuaire public, les grilles et modèles du site et les journaux techniques sont "
            "gardés. Irréversible : faites d'abord une sauvegarde (escap backup) si besoin. "
            "Fermez l'application avant."
        ),
    )
    parser.add_argument(
        "--confirm",
        metavar="PHRASE",
        help=f"confirmation sans question (scripts) : --confirm « {CONFIRMATION} »",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if args.confirm is not None:
        check_confirmation(args.confirm)  # a typo must not even open the store
    own = read_store_entries(data_dir, os.environ.get(PASSPHRASE_ENV) or None)
    plan = plan_forget(data_dir, own)
    if not plan.files and not plan.keyring_entries:
        print(f"Rien à oublier : aucune donnée de patient dans {data_dir}.")
        return 0
    _show(plan)
    confirmation = args.confirm if args.confirm is not None else _ask()
    report = forget_data_folder(data_dir, confirmation, own=own)
    for label in report.removed_keys:
        print(f"Retiré du trousseau : {label}")
    for path in report.removed_files:
        print(f"Supprimé : {_shown(path, data_dir)}")
    for note in report.notes:
        print(f"Attention : {note}", file=sys.stderr)
    print("Ce poste a été oublié.")
    return 0


def _show(plan: ForgetPlan) -> None:
    print(f"Dossier de données : {plan.data_dir}")
    print("Seront supprimés :")
    for entry in plan.keyring_entries:
        print(f"  trousseau du système : {entry}")
    for path in plan.files:
        print(f"  {_shown(path, plan.data_dir)}")
    if plan.kept:
        print("Seront gardés (aucune donnée de patient) :")
        for path in plan.kept:
            print(f"  {_shown(path, plan.data_dir)}")


def _ask() -> str:
    if not sys.stdin.isatty():
        raise StoreError(
            f"Confirmation impossible hors d'un terminal : ajoutez --confirm « {CONFIRMATION} »."
        )
    return input(f"Cette opération est irréversible. Tapez « {CONFIRMATION} » pour confirmer : ")


def _shown(path: Path, data_dir: Path) -> str:
    suffix = "/" if path.is_dir() else ""
    try:
        return f"{path.relative_to(data_dir)}{suffix}"
    except ValueError:
        return str(path)
