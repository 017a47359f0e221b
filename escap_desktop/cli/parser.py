"""An argparse parser whose own words (usage, help, errors) are in French."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        return super().add_usage(
            usage, actions, groups, prefix if prefix is not None else "utilisation : "
        )


class FrenchArgumentParser(argparse.ArgumentParser):
    """Same as argparse, with French titles, ``-h`` help text and error line."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="affiche cette aide et quitte",
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"escap : erreur : {_translate(message)}\n")


_PHRASES = {
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments inconnus",
    "invalid choice": "choix invalide",
    "expected one argument": "une valeur est attendue",
    "invalid int value": "nombre entier invalide",
    "(choose from": "(choix possibles :",
    "not allowed with argument": "incompatible avec l'argument",
    "ambiguous option": "option ambiguë",
}


def _translate(message: str) -> str:
    for english, french in _PHRASES.items():
        message = message.replace(english, french)
    return message
