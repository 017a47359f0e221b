"""``escap-relay --host 127.0.0.1 --port 8765 --database-url URL``: runs the relay with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from escap_relay.settings import DEFAULT_DATABASE_URL

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared with ``escap relay`` so both commands take the same options."""
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"adresse d'écoute (par défaut : {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port d'écoute (par défaut : {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        metavar="URL",
        help=(
            f"base de données (par défaut : {DEFAULT_DATABASE_URL} ; "
            "PostgreSQL : postgresql+psycopg://utilisateur@hôte/base)"
        ),
    )


def serve(host: str, port: int, database_url: str) -> int:
    """Migrates the schema, then serves until interrupted. Returns the exit code."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from escap_relay.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s"
    )
    try:
        app = create_app(database_url)
    except (SQLAlchemyError, ValueError) as error:
        print(f"escap-relay : base de données inutilisable : {error}", file=sys.stderr)
        return 1
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    return 0


class _FrenchParser(argparse.ArgumentParser):
    """argparse with French usage, help and error lines (the relay imports no desktop code)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(add_help=False, **kwargs)
        self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="affiche cette aide et quitte",
        )

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "utilisation :", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "utilisation :", 1)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"escap-relay : erreur : {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _FrenchParser(
        prog="escap-relay",
        description="Relais ESCAP : échange chiffré des enregistrements entre les membres.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return serve(args.host, args.port, args.database_url)


if __name__ == "__main__":
    raise SystemExit(main())
