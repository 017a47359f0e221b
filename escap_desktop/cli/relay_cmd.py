"""``escap relay``: runs the ESCAP relay on this computer (same options as ``escap-relay``);
``escap relay purge`` purges its old envelopes once.

A site that hosts its own relay (or a test bench) needs no other command than the app's own.
"""

from __future__ import annotations

import argparse
from typing import Any

from escap_relay import cli as relay_cli


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "relay",
        prog="escap relay",
        help="démarre le relais de synchronisation chiffrée",
        description=(
            "Démarre le relais ESCAP : il conserve et achemine les enregistrements chiffrés "
            "entre les membres des équipes, sans jamais pouvoir les lire."
        ),
    )
    relay_cli.add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return relay_cli.run(args)
