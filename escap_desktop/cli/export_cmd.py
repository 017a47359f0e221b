"""``escap export``: the printed documents, the evaluation export and FHIR bundles, headless.

For offices that script their paperwork, and for support: the same services as the GUI's print
buttons and export actions, so a file made here is the file the GUI makes.
"""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path
from typing import Any

from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.cli.practice_access import open_cli_practice, require_profile
from escap_desktop.core.errors import DocumentError, ValidationError
from escap_desktop.documents import DocumentKind
from escap_desktop.services.documents import DocumentService, PrintedDocument
from escap_desktop.services.practice import Practice

_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

_DOCUMENT_HELP = {
    DocumentKind.CONSENT_FORM: "formulaire de consentement à faire signer (ESCAP évaluée)",
    DocumentKind.INVITATION: "lettre d'invitation d'un professionnel (invitation en attente)",
    DocumentKind.CARE_PLAN: "fiche du plan de soins à laisser au domicile",
    DocumentKind.GRID_REPORT: "compte rendu de la grille d'inclusion (la dernière par défaut)",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        prog="escap export",
        help="documents imprimables, export d'évaluation, export FHIR",
        description=(
            "Produit les documents imprimables d'un patient (PDF), l'export d'évaluation "
            "pseudonymisé ou le lot FHIR d'un patient. Trouvez l'identifiant d'un patient avec "
            "« escap patients --search NOM »."
        ),
    )
    kinds = parser.add_subparsers(
        title="exports",
        dest="export_kind",
        metavar="EXPORT",
        parser_class=FrenchArgumentParser,
        prog="escap export",
        required=True,
    )
    # the printed documents; the team's news (DocumentKind.DIGEST) only leaves by MSSanté: what
    # it holds depends on what was already sent to that recipient (services/mssante.py)
    for kind in _DOCUMENT_HELP:
        document = kinds.add_parser(
            kind.value,
            help=_DOCUMENT_HELP[kind],
            description=f"{kind.label} d'un patient, en PDF.",
        )
        document.add_argument("--patient", metavar="ID", help="identifiant du patient")
        if kind is DocumentKind.INVITATION:
            document.add_argument(
                "--membership",
                metavar="ID",
                help="identifiant de l'invitation (facultatif s'il n'y en a qu'une en attente)",
            )
        if kind is DocumentKind.GRID_REPORT:
            document.add_argument(
                "--assessment", metavar="ID", help="identifiant d'une grille précise"
            )
        document.add_argument(
            "--out",
            metavar="FICHIER.pdf",
            help="fichier à écrire (par défaut : nom tiré de la référence, dossier courant)",
        )
        document.set_defaults(handler=run_document, document_kind=kind)

    evaluation = kinds.add_parser(
        "evaluation",
        help="export d'évaluation pseudonymisé (2 CSV et une synthèse PDF)",
        description=(
            "Écrit le CSV des épisodes de la période, le CSV par professionnel et la synthèse "
            "PDF à côté, avec des noms dérivés (…-professionnels.csv, …-synthese.pdf). Aucun "
            "nom, NIR ni date de naissance n'y figure."
        ),
    )
    evaluation.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="début (JJ/MM/AAAA)"
    )
    evaluation.add_argument(
        "--to", dest="date_to", required=True, metavar="DATE", help="fin incluse (JJ/MM/AAAA)"
    )
    evaluation.add_argument(
        "--out", required=True, metavar="FICHIER.csv", help="CSV des épisodes (ou un dossier)"
    )
    evaluation.set_defaults(handler=run_evaluation)

    fhir = kinds.add_parser(
        "fhir",
        help="lot FHIR R4 de l'ESCAP d'un patient",
        description="Écrit l'ESCAP actuelle du patient en lot FHIR (JSON) validé.",
    )
    fhir.add_argument("--patient", required=True, metavar="ID", help="identifiant du patient")
    fhir.add_argument("--out", required=True, metavar="FICHIER.json", help="fichier à écrire")
    fhir.set_defaults(handler=run_fhir)


def parse_cli_date(text: str, option: str) -> date:
    """JJ/MM/AAAA or AAAA-MM-JJ; anything else is a French one-line error naming the option."""
    french, iso = _FRENCH_DATE.match(text), _ISO_DATE.match(text)
    if french:
        day, month, year = (int(part) for part in french.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise ValidationError(
            f"La date {option} « {text} » doit être écrite JJ/MM/AAAA (par exemple 31/03/2025) "
            "ou AAAA-MM-JJ.",
            field=option,
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"La date {option} « {text} » n'existe pas.", field=option) from None


def run_document(args: argparse.Namespace) -> int:
    kind: DocumentKind = args.document_kind
    if args.out and not Path(args.out).parent.is_dir():
        raise DocumentError(
            f"Le dossier {Path(args.out).parent} n'existe pas : le document n'a pas été écrit."
        )
    practice = _open(args)
    try:
        pdf = _build(practice.documents, kind, args)
        target = pdf.write_to(Path(args.out) if args.out else Path.cwd() / pdf.filename)
    finally:
        practice.close()
    print(f"Document enregistré : {target}")
    print(f"{kind.label}, référence {pdf.reference}")
    return 0


def _build(
    documents: DocumentService, kind: DocumentKind, args: argparse.Namespace
) -> PrintedDocument:
    if kind is DocumentKind.INVITATION:
        return documents.invitation(args.membership or _only_invitation(documents, args.patient))
    if kind is DocumentKind.GRID_REPORT and args.assessment:
        return documents.grid_report(assessment_id=args.assessment)
    patient = _required_patient(args)
    if kind is DocumentKind.CONSENT_FORM:
        return documents.consent_form(patient)
    if kind is DocumentKind.CARE_PLAN:
        return documents.care_plan(patient)
    return documents.grid_report(patient)


def _required_patient(args: argparse.Namespace) -> str:
    if not args.patient:
        raise ValidationError(
            "Indiquez le patient avec --patient ID (voir « escap patients --search NOM »).",
            field="patient",
        )
    return str(args.patient)


def _only_invitation(documents: DocumentService, patient_id: str | None) -> str:
    if not patient_id:
        raise ValidationError(
            "Indiquez l'invitation avec --membership ID, ou le patient avec --patient ID.",
            field="membership",
        )
    pending = documents.pending_invitations(patient_id)
    if not pending:
        raise ValidationError(
            "Aucune invitation n'attend de réponse dans l'ESCAP actuelle de ce patient.",
            field="patient",
        )
    if len(pending) > 1:
        choices = " ; ".join(
            f"{view.membership.id} ({view.professional.display_name})" for view in pending
        )
        raise ValidationError(
            f"{len(pending)} invitations attendent une réponse : précisez --membership "
            f"parmi {choices}.",
            field="membership",
        )
    return pending[0].membership.id


def run_evaluation(args: argparse.Namespace) -> int:
    date_from = parse_cli_date(args.date_from, "--from")
    date_to = parse_cli_date(args.date_to, "--to")
    if date_from > date_to:
        raise ValidationError(
            f"La date --from ({date_from:%d/%m/%Y}) est postérieure à la date --to "
            f"({date_to:%d/%m/%Y}).",
            field="--from",
        )
    practice = _open(args)
    try:
        files = practice.exports.evaluation(date_from, date_to, Path(args.out))
    finally:
        practice.close()
    print(
        f"Export d'évaluation du {date_from:%d/%m/%Y} au {date_to:%d/%m/%Y} : "
        f"{files.episode_count} épisodes."
    )
    for path in files.paths:
        print(path)
    return 0


def run_fhir(args: argparse.Namespace) -> int:
    practice = _open(args)
    try:
        target = practice.exports.fhir(args.patient, Path(args.out))
    finally:
        practice.close()
    print(f"Lot FHIR écrit : {target}")
    return 0


def _open(args: argparse.Namespace) -> Practice:
    practice = open_cli_practice(args)
    try:
        require_profile(practice)
    except BaseException:
        practice.close()
        raise
    return practice
