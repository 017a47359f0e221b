"""The ``escap`` command: starts the GUI, or runs one subcommand headless.

Every expected problem (an :class:`EscapError`) ends the command with one French line on stderr
and a non-zero exit code; only programming errors show a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from escap_desktop import __version__
from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.core.clock import Clock
from escap_desktop.core.errors import EscapError
from escap_desktop.logging_setup import setup_logging

EXIT_USER_ERROR = 1


def _global_parser(add_help: bool = True) -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="escap",
        description=(
            "ESCAP Desktop : équipes de soins coordonnés avec le patient. "
            "Sans sous-commande, ouvre l'application."
        ),
        add_help=add_help,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ESCAP Desktop {__version__}",
        help="affiche la version et quitte",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DOSSIER",
        help="dossier des données (par défaut : dossier utilisateur, ou $ESCAP_DATA_DIR)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="ouvre le cabinet de démonstration (créé au premier lancement, patients fictifs)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="vérifie l'installation (coffre temporaire, PDF, Qt hors écran) et quitte",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    # The subcommands import the services (SQLAlchemy, reportlab...): only when one is asked.
    from escap_desktop.cli import commands

    parser = _global_parser()
    subparsers = parser.add_subparsers(
        title="sous-commandes",
        dest="command",
        metavar="COMMANDE",
        parser_class=FrenchArgumentParser,
    )
    module: ModuleType
    for module in commands.ALL:
        module.register(subparsers)
    return parser


def _gui_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of a plain launch (``escap``, ``escap --demo``...), or None when a
    subcommand, help, the version or the self-check is asked.

    A plain launch then opens the window without building the subcommands' parser, whose
    modules would import the whole store layer before the window could show."""
    if any(arg in ("-h", "--help", "--version") for arg in argv):
        return None
    args, rest = _global_parser(add_help=False).parse_known_args(argv)
    return None if rest or args.self_check else args


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    """Runs one command; ``clock`` pins the date of everything it does (tests)."""
    if argv is None:  # a real process, not a test calling main(): log to the rotated file
        setup_logging()
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _gui_arguments(arguments)
    if args is None:
        args = build_parser().parse_args(arguments)
    args.clock = clock
    handler = getattr(args, "handler", None)
    try:
        if args.self_check:
            from escap_desktop.cli.self_check import run_self_check

            return run_self_check()
        if handler is None:
            from escap_desktop.cli import gui_launcher

            return gui_launcher.run(args)
        return int(handler(args) or 0)
    except EscapError as error:
        print(f"escap : {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("escap : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into a command that stopped reading (``escap patients | head``):
        # not an error; silence the interpreter's own flush of the closed pipe too.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
