"""``escap audit --patient ID``: the access journal of a patient's record, shown or printed.

For a patient exercising their right of access: ``--out FICHIER.pdf`` writes the journal to hand
over; without it the journal is listed in the terminal (no identity shown there, only the id).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from escap_desktop.cli.practice_access import open_cli_practice, require_profile
from escap_desktop.core.errors import DocumentError
from escap_desktop.services.audit import AuditLine


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        prog="escap audit",
        help="journal des accès au dossier d'un patient (droit d'accès)",
        description=(
            "Liste qui a consulté, créé, modifié, imprimé ou exporté un élément du dossier d'un "
            "patient sur ce poste, et quand ; avec --out, écrit ce journal en PDF à remettre au "
            "patient. Aucun contenu médical n'y figure."
        ),
    )
    parser.add_argument("--patient", required=True, metavar="ID", help="identifiant du patient")
    parser.add_argument(
        "--out",
        metavar="FICHIER.pdf",
        help="écrit le journal en PDF (par défaut : affichage dans le terminal)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.out and not Path(args.out).parent.is_dir():
        raise DocumentError(
            f"Le dossier {Path(args.out).parent} n'existe pas : le journal n'a pas été écrit."
        )
    practice = open_cli_practice(args)
    try:
        require_profile(practice)
        if args.out:
            pdf = practice.audit.print_patient_trail(args.patient)
            target = pdf.write_to(Path(args.out))
        else:
            lines = practice.audit.patient_trail(args.patient)
    finally:
        practice.close()
    if args.out:
        print(f"Journal des accès enregistré : {target}")
        print(f"Référence {pdf.reference}")
        return 0
    _print_lines(args.patient, lines)
    return 0


def _print_lines(patient_id: str, lines: list[AuditLine]) -> None:
    print(f"Journal des accès au dossier du patient {patient_id}")
    if not lines:
        print("Aucune opération enregistrée sur ce poste.")
        return
    table = [("DATE ET HEURE", "PROFESSIONNEL", "ACTION", "ÉLÉMENT")]
    table += [(line.when, line.who, line.action, line.record) for line in lines]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        print("  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row[3]]))
    count = len(lines)
    print(f"{count} opération{'s' if count > 1 else ''}.")
