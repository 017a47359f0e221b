"""``escap directory``: import the public directory of health professionals and their MSSanté
addresses, search it, and write synthetic extracts for demonstrations and benchmarks.

``import`` shows a progress line (lines per second, time left), then a French summary and where
the report listing every line left out is. ``search`` prints a table of the best matches.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from escap_desktop.cli.parser import FrenchArgumentParser
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.clock import paris_time
from escap_desktop.core.entities.directory import (
    AnyImportReport,
    DirectoryEntry,
    ImportReport,
    MssanteImportReport,
    group_thousands,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.services.paths import resolve_data_dir
from escap_desktop.store.directory.synthetic import (
    directory_people,
    write_extract,
    write_mssante_extract,
)

SHOWN_BAD_LINES = 10


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "directory",
        prog="escap directory",
        help="annuaire des professionnels de santé (RPPS)",
        description=(
            "Annuaire public des professionnels de santé : import de l'extrait "
            "« PS_LibreAcces_Personne_activite » de l'Annuaire Santé et de celui des adresses "
            "MSSanté « Extraction_Correspondance_MSSante », et recherche."
        ),
    )
    actions = parser.add_subparsers(
        title="actions",
        dest="directory_action",
        metavar="ACTION",
        parser_class=FrenchArgumentParser,
        prog="escap directory",
        required=True,
    )
    importing = actions.add_parser(
        "import",
        help="importe un extrait de l'annuaire ou des adresses MSSanté",
        description=(
            "Importe le fichier « PS_LibreAcces_Personne_activite_….txt » de l'Annuaire Santé, "
            "ou celui des adresses MSSanté « Extraction_Correspondance_MSSante_….txt » (après "
            "l'annuaire) ; l'en-tête du fichier dit lequel, un .zip publié est accepté. "
            "L'annuaire (ou les adresses) actuel reste utilisable jusqu'à la fin de l'import, "
            "et le reste si l'import échoue ou est interrompu (Ctrl+C)."
        ),
    )
    importing.add_argument("file", metavar="FICHIER", help="l'extrait à importer (.txt ou .zip)")
    importing.set_defaults(handler=run_import)

    search = actions.add_parser(
        "search",
        help="cherche un professionnel par nom, profession, ville",
        description=(
            "Cherche dans l'annuaire : les mots peuvent être dans n'importe quel ordre, sans "
            "accents, et le début d'un mot suffit (« lefev lyon »)."
        ),
    )
    search.add_argument("text", metavar="TEXTE", nargs="*", help="nom, prénom, ville…")
    search.add_argument(
        "--profession", metavar="PROFESSION", help="code (60) ou début du libellé (infirm)"
    )
    search.add_argument(
        "--postcode", metavar="CP", help="début du code postal (75 pour tout Paris)"
    )
    search.add_argument(
        "--limit", metavar="N", type=int, default=20, help="nombre de résultats (20)"
    )
    search.set_defaults(handler=run_search)

    status = actions.add_parser(
        "status",
        help="indique si un annuaire est installé, et sa date",
        description="Indique l'annuaire installé : date d'import et nombre de professionnels.",
    )
    status.set_defaults(handler=run_status)

    generate = actions.add_parser(
        "generate",
        help="écrit un extrait fictif au format exact (démonstrations, mesures)",
        description=(
            "Écrit un extrait fictif au format de l'Annuaire Santé : noms, professions et "
            "villes plausibles, professionnels à plusieurs lieux d'exercice, quelques lignes "
            "abîmées exprès."
        ),
    )
    generate.add_argument(
        "--lines", metavar="N", type=int, required=True, help="nombre de lignes de données"
    )
    generate.add_argument("--out", metavar="FICHIER", required=True, help="fichier à écrire")
    generate.add_argument(
        "--seed", metavar="S", type=int, default=0, help="graine (même graine, même fichier)"
    )
    generate.add_argument(
        "--mssante",
        action="store_true",
        help="écrit un extrait fictif des adresses MSSanté (Extraction_Correspondance_MSSante)",
    )
    generate.add_argument(
        "--for",
        dest="for_extract",
        metavar="EXTRAIT",
        help="avec --mssante : des adresses pour les professionnels de cet extrait fictif",
    )
    generate.set_defaults(handler=run_generate)


def _service(args: argparse.Namespace) -> DirectoryService:
    return DirectoryService(resolve_data_dir(getattr(args, "data_dir", None)))


def run_import(args: argparse.Namespace) -> int:
    service = _service(args)
    source = Path(args.file)
    service.check_file(source)
    progress = ProgressLine(sys.stderr)
    steps = service.import_file(source)
    report: AnyImportReport | None = None
    try:
        for step in steps:
            if isinstance(step, ImportReport | MssanteImportReport):
                report = step
            else:
                progress.update(round(step.fraction * 1000), 1000, step.counts_text)
    finally:
        steps.close()  # on Ctrl+C: removes the partial file at once
        progress.finish()
    assert report is not None  # the import always ends with its report
    if isinstance(report, MssanteImportReport):
        print(f"Adresses MSSanté importées : {report.summary}")
    else:
        print(f"Annuaire importé : {report.summary}")
    if report.bad_line_count:
        for bad_line in report.bad_lines[:SHOWN_BAD_LINES]:
            print(f"  {bad_line.text}")
        if report.bad_line_count > SHOWN_BAD_LINES:
            print(f"  … et {group_thousands(report.bad_line_count - SHOWN_BAD_LINES)} autres.")
    print(f"Rapport d'import : {report.report_path}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    service = _service(args)
    entries = service.search(
        " ".join(args.text), profession=args.profession, postcode=args.postcode, limit=args.limit
    )
    if not entries:
        print("Aucun professionnel ne correspond à cette recherche.")
        return 0
    # On a terminal the place of practice is shortened to fit; piped output keeps it whole.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 10_000
    print_table(entries, width)
    return 0


def run_status(args: argparse.Namespace) -> int:
    service = _service(args)
    imported_at = service.imported_at()
    if imported_at is None:
        print("Aucun annuaire n'est installé : escap directory import FICHIER.")
        return 0
    print(
        f"Annuaire importé le {paris_time(imported_at).strftime('%d/%m/%Y à %H:%M')} : "
        f"{group_thousands(service.entry_count())} professionnels ({service.path})."
    )
    mssante_at = service.mssante_imported_at()
    if mssante_at is None:
        print("Adresses MSSanté : pas encore importées.")
    else:
        print(
            f"Adresses MSSanté importées le {paris_time(mssante_at).strftime('%d/%m/%Y à %H:%M')}"
            f" : {group_thousands(service.mssante_address_count())} adresses."
        )
    return 0


def run_generate(args: argparse.Namespace) -> int:
    if args.lines < 1:
        raise ValidationError("Le nombre de lignes doit être au moins 1.", "lines")
    out = Path(args.out)
    if args.mssante:
        people = directory_people(Path(args.for_extract)) if args.for_extract else None
        mssante = write_mssante_extract(out, args.lines, seed=args.seed, people=people)
        print(
            f"Extrait fictif des adresses MSSanté écrit : {out} "
            f"({group_thousands(mssante.lines)} lignes, "
            f"{group_thousands(len(mssante.addresses))} professionnels, "
            f"{len(mssante.bad_lines)} lignes abîmées exprès)."
        )
        return 0
    if args.for_extract:
        raise ValidationError("--for ne sert qu'avec --mssante.", "for")
    extract = write_extract(out, args.lines, seed=args.seed)
    print(
        f"Extrait fictif écrit : {out} ({group_thousands(extract.lines)} lignes, "
        f"{group_thousands(extract.professionals)} professionnels, "
        f"{len(extract.bad_lines)} lignes abîmées exprès)."
    )
    return 0


_HEADERS = (
    "Nom",
    "Profession",
    "Spécialité",
    "Lieu d'exercice",
    "Téléphone",
    "N° RPPS/ADELI",
    "MSSanté",
)


def print_table(entries: list[DirectoryEntry], width: int) -> None:
    """Columns sized to their content; the place of practice shrinks to fit the terminal."""
    rows = [
        (
            entry.display_name,
            entry.profession_label,
            entry.specialty,
            entry.sites[0].place if entry.sites else "",
            entry.sites[0].phone_display if entry.sites else "",
            entry.identifier,
            entry.mssante,
        )
        for entry in entries
    ]
    widths = [max(len(row[i]) for row in (_HEADERS, *rows)) for i in range(len(_HEADERS))]
    widths[2] = min(widths[2], 28)
    others = sum(widths) - widths[3] + 2 * (len(widths) - 1)
    widths[3] = max(20, min(widths[3], width - others))
    for row in (_HEADERS, *rows):
        print("  ".join(_fit(text, size) for text, size in zip(row, widths, strict=True)).rstrip())


def _fit(text: str, size: int) -> str:
    return text.ljust(size) if len(text) <= size else text[: size - 1] + "…"
