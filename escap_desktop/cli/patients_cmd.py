"""``escap patients``: the patient list in a terminal, to find the ID the export commands take;
``escap patients import FICHIER`` (``cli/patients_import_cmd.py``): patients brought in from what
the practice already has.
"""

from __future__ import annotations

import argparse
from typing import Any

from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.cli.patients_import_cmd import register_import
from escap_desktop.cli.practice_access import open_cli_practice, require_profile
from escap_desktop.core.entities.summaries import PatientSummary

_NO_ESCAP = "sans ESCAP"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "patients",
        prog="escap patients",
        usage=(
            "%(prog)s [-h] [--search TEXTE]\n"
            + " " * len("utilisation : ")
            + "%(prog)s import [-h] [options] FICHIER"
        ),
        help="liste les patients (identifiant, nom, état de l'ESCAP) ; import de patients",
        description=(
            "Sans action, liste les patients avec leur identifiant, à passer aux commandes "
            "« escap export ». L'action « import » enregistre des patients depuis un "
            "datamatrix INS, un fichier FHIR ou la liste de patients du logiciel du cabinet "
            "(escap patients import --help)."
        ),
    )
    parser.add_argument(
        "--search",
        default="",
        metavar="TEXTE",
        help="nom, date de naissance (JJ/MM/AAAA) ou NIR, comme dans la liste de l'application",
    )
    parser.set_defaults(handler=run)
    actions = parser.add_subparsers(
        title="actions",
        dest="patients_action",
        metavar="ACTION",
        parser_class=FrenchArgumentParser,
        prog="escap patients",
        required=False,
    )
    register_import(actions)


# --- escap patients -------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    practice = open_cli_practice(args)
    try:
        require_profile(practice)
        rows = practice.patients.summaries(search=args.search)
    finally:
        practice.close()
    if not rows:
        print("Aucun patient ne correspond." if args.search else "Aucun patient.")
        return 0
    lines = [("IDENTIFIANT", "NOM", "NAISSANCE", "ESCAP")] + [_line(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    for line in lines:
        padded = [line[i].ljust(widths[i]) for i in range(3)]
        print("  ".join([*padded, line[3]]))
    count = len(rows)
    print(f"{count} patient{'s' if count > 1 else ''}.")
    return 0


def _line(row: PatientSummary) -> tuple[str, str, str, str]:
    state = row.escap_state.label if row.escap_state is not None else _NO_ESCAP
    return (row.patient_id, row.display_name, f"{row.birth_date:%d/%m/%Y}", state)


# --- escap patients import ------------------------------------------------------------------
