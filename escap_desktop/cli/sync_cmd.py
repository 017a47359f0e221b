"""``escap sync``: one sync cycle headless; ``setup``, ``status`` and the invitations.

``escap sync`` exchanges once with the relay (what the GUI does in the background) and prints a
French summary; an unreachable relay ends it with one French line and exit code 1, the changes
staying queued in the store.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from collections.abc import Callable
from typing import Any, TypeVar

from escap_desktop.cli.practice_access import PASSPHRASE_ENV, open_cli_practice, require_profile
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.clock import paris_time
from escap_desktop.services.practice import Practice
from escap_desktop.services.sync import SyncReport
from escap_desktop.sync.device import DevicePassphraseRequiredError

T = TypeVar("T")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        prog="escap sync",
        help="synchronise les ESCAP partagées avec le relais (un cycle)",
        description=(
            "Sans sous-commande : envoie les modifications en attente, reçoit celles de "
            "l'équipe et les invitations, puis affiche un résumé."
        ),
    )
    parser.set_defaults(handler=run_cycle)
    actions = parser.add_subparsers(title="sous-commandes", dest="sync_action", metavar="ACTION")
    setup = actions.add_parser(
        "setup",
        prog="escap sync setup",
        help="indique l'adresse du relais et crée les clés de cet appareil",
        description="Enregistre l'adresse du relais et affiche l'empreinte de cet appareil.",
    )
    setup.add_argument("--relay", required=True, metavar="URL", help="adresse du relais")
    setup.set_defaults(handler=run_setup)
    prove = actions.add_parser(
        "prouver",
        prog="escap sync prouver",
        help="prouve votre numéro RPPS avec Pro Santé Connect (relais qui l'exige)",
        description=(
            "Ouvre le navigateur sur Pro Santé Connect (e-CPS ou carte CPS), puis enregistre "
            "cet appareil auprès du relais avec le jeton obtenu, dans la même commande."
        ),
    )
    prove.add_argument("--emetteur", required=True, metavar="URL", help="émetteur OpenID Connect")
    prove.add_argument(
        "--client-id", default="escap-desktop", metavar="ID", help="identifiant client"
    )
    prove.set_defaults(handler=run_prove)
    status = actions.add_parser(
        "status", prog="escap sync status", help="état de la synchronisation"
    )
    status.set_defaults(handler=run_status)
    listing = actions.add_parser(
        "invitations", prog="escap sync invitations", help="invitations reçues en attente"
    )
    listing.set_defaults(handler=run_invitations)
    for name, verb in (("accept", "accepte"), ("decline", "refuse")):
        answer = actions.add_parser(
            name, prog=f"escap sync {name}", help=f"{verb} une invitation reçue"
        )
        answer.add_argument("invitation", metavar="IDENTIFIANT")
        if name == "accept":
            answer.add_argument(
                "code",
                metavar="CODE",
                help="le code de l'invitation (lettre d'invitation, ou donné au téléphone)",
            )
        answer.set_defaults(handler=run_answer, accept=name == "accept")


def _open(args: argparse.Namespace) -> Practice:
    practice = open_cli_practice(args)
    require_profile(practice)
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        practice.sync.unlock(passphrase)  # device keys kept in a passphrase file
    return practice


def _asking_passphrase(practice: Practice, action: Callable[[], T]) -> T:
    """Runs ``action``; if the device keys need the passphrase, asks it on a terminal once."""
    try:
        return action()
    except DevicePassphraseRequiredError:
        if not sys.stdin.isatty():
            raise
        practice.sync.unlock(getpass.getpass("Phrase de passe : "))
        return action()


def run_cycle(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        report = _asking_passphrase(practice, lambda: _cycle(practice))
        print(report.summary())
    finally:
        practice.close()
    return 0


def _cycle(practice: Practice) -> SyncReport:
    line = ProgressLine(sys.stderr, every_seconds=2.0)
    cycle = practice.sync.sync_once()
    try:
        while True:
            step = next(cycle)
            line.update(step.percent, 100, step.text)
    except StopIteration as stop:
        report: SyncReport = stop.value
        return report
    finally:
        line.finish()


def run_prove(args: argparse.Namespace) -> int:
    """The token lives in memory only: the sign-in and the registration run in this process."""
    practice = _open(args)
    try:
        rpps = _asking_passphrase(
            practice,
            lambda: practice.sync.prove_identity(args.emetteur, args.client_id, webbrowser.open),
        )
        print(f"Numéro RPPS {rpps} prouvé par Pro Santé Connect.")
        print(_cycle(practice).summary())
    finally:
        practice.close()
    return 0


def run_setup(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        fingerprint = _asking_passphrase(practice, lambda: practice.sync.set_up(args.relay))
    finally:
        practice.close()
    print(f"Relais enregistré : {args.relay.strip().rstrip('/')}")
    print(f"Empreinte de cet appareil : {fingerprint}")
    print("Lancez « escap sync » pour enregistrer l'appareil auprès du relais.")
    return 0


def run_status(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        status = practice.sync.status()
        fingerprint = practice.sync.fingerprint()
    finally:
        practice.close()
    if not status.configured:
        print("Synchronisation non configurée (escap sync setup --relay URL).")
        return 0
    last = (
        f"{paris_time(status.last_sync_at):%d/%m/%Y à %H:%M}" if status.last_sync_at else "jamais"
    )
    print(f"Relais : {status.relay_url}")
    print(f"Empreinte de cet appareil : {fingerprint}")
    print(f"Dernière synchronisation réussie : {last}")
    print(f"Modifications en attente d'envoi : {status.pending_changes}")
    print(f"Invitations en attente de réponse : {status.pending_invitations}")
    if status.last_error:
        print(f"Dernière erreur : {status.last_error}")
    return 0


def run_invitations(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        invitations = practice.sync.pending_invitations()
    finally:
        practice.close()
    if not invitations:
        print("Aucune invitation en attente.")
        return 0
    for item in invitations:
        print(
            f"{item.invitation_id}  {paris_time(item.received_at):%d/%m/%Y}  "
            f"{item.inviter_name} ({item.inviter_profession}) "
            + (
                "ajoute ce nouvel ordinateur à votre équipe"
                if item.new_computer
                else "vous invite" + (f" comme « {item.role} »" if item.role else "")
            )
            + f" : patient {item.patient_initials}, {item.patient_age} ans"
        )
    return 0


def run_answer(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        if args.accept:
            practice.sync.accept_invitation(args.invitation, args.code)
        else:
            practice.sync.decline_invitation(args.invitation)
    finally:
        practice.close()
    verb = "acceptée" if args.accept else "refusée"
    print(f"Invitation {verb} : la réponse part à la prochaine synchronisation (escap sync).")
    return 0
