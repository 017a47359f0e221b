"""``escap-relay --host 127.0.0.1 --port 8765 --database-url URL``: runs the relay with uvicorn.

``escap-relay purge --database-url URL`` purges old envelopes and expired nonces once (what the
running relay does every hour), for an operator's cron or before a backup.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from escap_relay.settings import (
    DEFAULT_ACKED_RETENTION_DAYS,
    DEFAULT_DATABASE_URL,
    DEFAULT_MAX_AGE_DAYS,
    DEFAULT_PURGE_INTERVAL_SECONDS,
    RelaySettings,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared with ``escap relay`` so both commands take the same options and subcommands."""
    _add_database_argument(parser)
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
    _add_retention_arguments(parser)
    parser.add_argument(
        "--pro-sante-connect",
        metavar="ÉMETTEUR",
        default=None,
        help=(
            "exige Pro Santé Connect : un appareil ne donne un numéro RPPS qu'avec un jeton "
            "d'identité de cet émetteur OpenID Connect qui le porte"
        ),
    )
    parser.add_argument(
        "--psc-client-id",
        metavar="IDENTIFIANT",
        default="escap-desktop",
        help="identifiant client d'ESCAP Desktop auprès de Pro Santé Connect",
    )
    parser.add_argument(
        "--purge-interval-minutes",
        type=_non_negative_int,
        default=int(DEFAULT_PURGE_INTERVAL_SECONDS // 60),
        metavar="N",
        help=(
            "minutes entre deux purges automatiques (par défaut : "
            f"{int(DEFAULT_PURGE_INTERVAL_SECONDS // 60)} ; 0 : jamais, voir « purge »)"
        ),
    )
    actions = parser.add_subparsers(title="sous-commandes", dest="relay_action", metavar="ACTION")
    purge = actions.add_parser(
        "purge",
        prog=f"{parser.prog} purge",
        help="supprime une fois les enveloppes trop anciennes et les nonces expirés",
        description=(
            "Supprime les enveloppes conservées au-delà de la durée maximale (et, si demandé, "
            "celles que tous les membres ont reçues), puis les nonces expirés, et s'arrête."
        ),
    )
    # Options given after "purge" win; the others keep the values parsed before it.
    _add_database_argument(purge, inherit=True)
    _add_retention_arguments(purge, inherit=True)


def _add_database_argument(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    parser.add_argument(
        "--database-url",
        default=argparse.SUPPRESS if inherit else DEFAULT_DATABASE_URL,
        metavar="URL",
        help=(
            f"base de données (par défaut : {DEFAULT_DATABASE_URL} ; "
            "PostgreSQL : postgresql+psycopg://utilisateur@hôte/base)"
        ),
    )


def _add_retention_arguments(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    parser.add_argument(
        "--max-age-days",
        type=_days_or_never(minimum=1),
        default=argparse.SUPPRESS if inherit else DEFAULT_MAX_AGE_DAYS,
        metavar="JOURS",
        help=(
            "durée maximale de conservation d'une enveloppe, en jours (par défaut : "
            f"{DEFAULT_MAX_AGE_DAYS} ; « {NEVER} » : sans limite) ; un appareil resté hors ligne "
            "plus longtemps reçoit le dossier de l'équipe d'un autre membre"
        ),
    )
    parser.add_argument(
        "--acked-retention-days",
        type=_days_or_never(minimum=0),
        default=argparse.SUPPRESS if inherit else DEFAULT_ACKED_RETENTION_DAYS,
        metavar="JOURS",
        help=(
            "supprime aussi les enveloppes reçues par tous les membres de l'équipe, ce nombre "
            f"de jours après leur dépôt (par défaut : {DEFAULT_ACKED_RETENTION_DAYS} ; "
            f"« {NEVER} » : les garder) ; un membre invité plus tard reçoit le dossier d'un "
            "autre membre"
        ),
    )


NEVER = "jamais"
"""The word that turns a retention rule off on the command line."""


def _days_or_never(*, minimum: int) -> Callable[[str], int | None]:
    """A number of days of at least ``minimum``, or ``jamais`` (None: that rule never purges)."""

    def parse(text: str) -> int | None:
        if text.strip().lower() == NEVER:
            return None
        return _positive_int(text) if minimum >= 1 else _non_negative_int(text)

    return parse


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"nombre entier d'au moins 1 attendu : « {text} »")
    return value


def _non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu : « {text} »")
    return int(text)


def settings_from(args: argparse.Namespace) -> RelaySettings:
    return RelaySettings(
        max_age_days=args.max_age_days,
        acked_retention_days=args.acked_retention_days,
        purge_interval_seconds=60.0 * getattr(args, "purge_interval_minutes", 0),
    )


def run(args: argparse.Namespace) -> int:
    """Serves, or purges once with ``purge``; the exit code."""
    settings = settings_from(args)
    if getattr(args, "relay_action", None) == "purge":
        return purge(args.database_url, settings)
    return serve(
        args.host,
        args.port,
        args.database_url,
        settings,
        pro_sante_connect=(args.pro_sante_connect, args.psc_client_id)
        if getattr(args, "pro_sante_connect", None)
        else None,
    )


def serve(
    host: str,
    port: int,
    database_url: str,
    settings: RelaySettings | None = None,
    *,
    pro_sante_connect: tuple[str, str] | None = None,
) -> int:
    """Migrates the schema, then serves until interrupted. Returns the exit code."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from escap_relay.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s : %(message)s"
    )
    verifier = None
    if pro_sante_connect is not None:
        from escap_desktop.core.clock import SYSTEM_CLOCK
        from escap_relay.pro_sante_connect import ProSanteConnectVerifier

        issuer, client_id = pro_sante_connect
        verifier = ProSanteConnectVerifier(issuer, client_id, clock=SYSTEM_CLOCK)
    try:
        app = create_app(database_url, settings=settings, identity_verifier=verifier)
    except (SQLAlchemyError, ValueError) as error:
        print(f"escap-relay : base de données inutilisable : {error}", file=sys.stderr)
        return 1
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    return 0


def purge(database_url: str, settings: RelaySettings) -> int:
    """Migrates the schema if needed, purges once, prints a French summary."""
    from sqlalchemy.exc import SQLAlchemyError

    from escap_desktop.core.clock import SYSTEM_CLOCK
    from escap_relay import database, retention

    try:
        engine = database.connect(database_url)
    except (SQLAlchemyError, ValueError) as error:
        print(f"escap-relay : base de données inutilisable : {error}", file=sys.stderr)
        return 1
    try:
        database.migrate(engine)
        report = retention.purge(engine, settings, SYSTEM_CLOCK)
    except SQLAlchemyError as error:
        print(f"escap-relay : purge impossible : {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(report.summary())
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
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
