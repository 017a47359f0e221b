"""``escap grid check FICHIER``: checks an inclusion grid file before it is installed on a site.

Whoever prepares the official grid (or a site's own version) can see at once, in French, every
fault of the file, item by item, instead of finding out when an assessment fails to load.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.core.errors import GridError
from escap_desktop.core.rules.grid import load_grid
from escap_desktop.core.rules.wording import plural

EXIT_INVALID = 1


def register(subparsers: Any) -> None:
    # ``prog`` is given explicitly: derived by argparse, it would repeat the usage prefix.
    parser = subparsers.add_parser(
        "grid",
        prog="escap grid",
        help="grilles d'inclusion",
        description="Outils pour les fichiers de grille d'inclusion (TOML).",
    )
    actions = parser.add_subparsers(
        title="actions",
        dest="grid_action",
        metavar="ACTION",
        parser_class=FrenchArgumentParser,
        prog="escap grid",
        required=True,
    )
    check = actions.add_parser(
        "check",
        help="vérifie un fichier de grille et liste chacun de ses problèmes",
        description="Vérifie un fichier de grille d'inclusion et liste chacun de ses problèmes.",
    )
    check.add_argument("file", metavar="FICHIER", help="le fichier de grille (.toml) à vérifier")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 with a one-line summary, or 1 with every problem on its own line on stderr.

    A file that cannot be read at all raises GridError without problems: ``main`` prints its
    single French sentence.
    """
    try:
        grid = load_grid(args.file)
    except GridError as error:
        if not error.problems:
            raise
        print(f"escap : {error}", file=sys.stderr)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    count = len(grid.items)
    print(
        f"Grille valide : {grid.title} version {grid.version}, {count} "
        f"{plural(count, 'item', 'items')}, seuil {grid.threshold}."
    )
    return 0
