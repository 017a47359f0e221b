"""``escap demo``: fills a store with a synthetic practice (for trying the app, never real)."""

from __future__ import annotations

import argparse
import sys
import time

from escap_desktop.cli.practice_access import open_cli_practice
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.errors import StoreError
from escap_desktop.services.demo import generate_demo


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "demo",
        help="crée un cabinet de démonstration (patients fictifs)",
        description=(
            "Remplit un coffre vide avec un cabinet fictif réaliste : professionnels, patients, "
            "ESCAP dans tous les états, messages, actions, événements, facturation."
        ),
    )
    parser.add_argument(
        "--patients", type=int, default=200, metavar="N", help="nombre de patients (200)"
    )
    parser.add_argument("--seed", type=int, default=1, help="graine du hasard (1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.patients <= 200_000:
        raise StoreError("Le nombre de patients doit être compris entre 1 et 200 000.")
    practice = open_cli_practice(args)
    try:
        if practice.profile.current() is not None:
            raise StoreError(
                "Ce coffre contient déjà des données : la démonstration ne se crée que dans un "
                "dossier vide (choisissez-en un autre avec --data-dir)."
            )
        progress = ProgressLine(sys.stderr)
        started = time.monotonic()
        for step in generate_demo(
            practice.store,
            practice.escaps.current_grid(),
            practice.billing.config,
            patients=args.patients,
            seed=args.seed,
        ):
            progress.update(step.done, step.total, step.message)
        progress.finish()
        print(
            f"Cabinet de démonstration créé : {args.patients} patients en "
            f"{time.monotonic() - started:.1f} s, dans {practice.data_dir}."
        )
    finally:
        practice.close()
    return 0
