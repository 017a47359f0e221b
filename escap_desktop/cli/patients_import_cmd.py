"""``escap patients import FICHIER``: patients brought in from what the practice already has.

The ``import`` action of ``escap patients`` (``cli/patients_cmd.py``) reads:

* an INS datamatrix (image or scanned PDF) or a FHIR Patient file (.json): the identity read is
  printed, then recorded after the same checks as a typed patient — never a second record of
  the same INS; a patient with the same traits only with ``--autre-personne``;
* the practice software's patient list (.csv, .txt, .tsv): the detected layout (encoding,
  separator, date format, header row) and the column of each trait are printed, each
  correctable by an option; then every row is read and checked (a progress line on stderr),
  the accepted ones written in one transaction, and the report printed (rows refused, with
  their line numbers, and patients already recorded). Ctrl+C before the end writes nothing.

``--verifier`` prints what would be done and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from escap_desktop.cli.parser import FrenchHelpFormatter
from escap_desktop.cli.practice_access import open_cli_practice, require_profile
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.entities import Patient
from escap_desktop.core.entities.patient_import import PatientImportReport, RefusedRow
from escap_desktop.core.errors import DuplicatePatientError, ValidationError
from escap_desktop.core.rules.identity import duplicate_sentence
from escap_desktop.core.rules.wording import plural, quoted_list
from escap_desktop.core.text import fold
from escap_desktop.imports.csv_layout import (
    DATE_FORMATS,
    CsvLayout,
    date_format_label,
    encoding_label,
)
from escap_desktop.imports.csv_mapping import ColumnMapping, PatientField, check_mapping
from escap_desktop.services.patient_import import CsvPlan, ImportReadError, ImportStep
from escap_desktop.services.practice import Practice
from escap_desktop.ui.formatting import format_nir

SHOWN_ROWS = 20
"""Refused rows, and rows already recorded, printed each (all with ``--rapport-complet``)."""
EXIT_INTERRUPTED = 130

FIELD_ALIASES: dict[str, PatientField] = {
    "nom": PatientField.BIRTH_NAME,
    "prenoms": PatientField.FIRST_NAMES,
    "naissance": PatientField.BIRTH_DATE,
    "sexe": PatientField.SEX,
    "lieu": PatientField.BIRTH_PLACE_CODE,
    "nir": PatientField.INS,
    "nom-utilise": PatientField.USED_NAME,
    "prenom-utilise": PatientField.USED_FIRST_NAME,
    "telephone": PatientField.PHONE,
    "adresse": PatientField.ADDRESS,
}
"""The French names ``--colonne`` takes (the ``PatientField`` values are accepted too)."""
_ALIAS_OF = {field: alias for alias, field in FIELD_ALIASES.items()}
_ACCEPTED_FIELDS = {
    **FIELD_ALIASES,
    "prenom": PatientField.FIRST_NAMES,
    "date": PatientField.BIRTH_DATE,
    "ins": PatientField.INS,
    **{field.value.replace("_", "-"): field for field in PatientField},
}

_ENCODING_CHOICES = ("utf-8", "cp1252")
_SEPARATORS = {";": ";", ",": ",", "tab": "\t", "|": "|"}
_SEPARATOR_NAMES = {
    ";": "point-virgule",
    ",": "virgule",
    "\t": "tabulation",
    "|": "barre verticale",
}
_DATE_CHOICES = {date_format_label(date_format): date_format for date_format in DATE_FORMATS}
_UTF8_BOM = b"\xef\xbb\xbf"

_IMPORT_EPILOG = "\n".join(
    [
        "Champs de --colonne CHAMP=COLONNE (COLONNE : le nom d'un en-tête du fichier, ou son",
        "numéro à partir de 1 ; « CHAMP= » sans colonne : champ non importé) :",
        *(f"  {alias:<15} {field.label}" for alias, field in FIELD_ALIASES.items()),
        "Les quatre premiers sont obligatoires ; les noms internes (birth_name, first_names,",
        "birth_date…) sont acceptés aussi.",
        "",
        f"Formats de --format-date : {', '.join(_DATE_CHOICES)}.",
        "",
        "Exemples :",
        "  escap patients import compte-rendu.pdf",
        "  escap patients import patient.json --verifier",
        "  escap patients import export.csv --verifier",
        '  escap patients import export.csv --separateur tab --colonne naissance="Né(e) le"',
        "  escap patients import export.csv --sans-entete --colonne nom=2 --colonne prenoms=3 \\",
        "      --colonne naissance=4 --colonne sexe=5",
    ]
)


def _unbroken(text: str) -> str:
    """« text » that the help's line wrapping never cuts (no-break spaces inside)."""
    return f"«\u00a0{text}\u00a0»"


def _paragraphs(*paragraphs: str) -> str:
    """Text for a raw-formatted description: each paragraph wrapped as argparse would."""
    return "\n\n".join(textwrap.fill(paragraph, 78) for paragraph in paragraphs)


class _HelpWithEpilog(FrenchHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """The French help, the epilog's table and examples kept as written."""


def register_import(actions: Any) -> None:
    """The ``import`` action, under ``escap patients``'s actions."""
    importing = actions.add_parser(
        "import",
        help="enregistre des patients : datamatrix INS, fichier FHIR, liste CSV du cabinet",
        formatter_class=_HelpWithEpilog,
        epilog=_IMPORT_EPILOG,
        description=_paragraphs(
            "Enregistre les patients d'un fichier ; un patient déjà enregistré ne l'est "
            "jamais une seconde fois.",
            "Une image ou un PDF scanné portant le datamatrix INS, ou un fichier FHIR Patient "
            "(.json) : l'identité lue est affichée, puis enregistrée avec le statut "
            "« Identité récupérée ».",
            "Une liste de patients exportée par le logiciel du cabinet (.csv, .txt, .tsv) : la "
            "lecture détectée (encodage, séparateur, format des dates, ligne d'en-têtes) et la "
            "colonne de chaque champ sont affichées, chacune corrigeable par une option "
            "(essayez d'abord --verifier) ; puis toutes les lignes sont vérifiées et les "
            "patients acceptés enregistrés d'un coup à la fin : interrompu (Ctrl+C) avant la "
            "fin, l'import n'enregistre rien. Les lignes refusées sont listées avec leur "
            "numéro, pour les corriger dans le fichier.",
        ),
    )
    importing.add_argument(
        "file",
        metavar="FICHIER",
        help="image ou PDF (datamatrix INS), fichier FHIR .json, ou liste .csv/.txt/.tsv",
    )
    importing.add_argument(
        "--verifier",
        action="store_true",
        help="affiche ce qui serait lu et enregistré, sans rien enregistrer",
    )
    importing.add_argument(
        "--autre-personne",
        action="store_true",
        help=(
            "datamatrix ou FHIR : enregistre le patient même si un patient aux mêmes traits "
            "d'identité existe (une autre personne ; jamais pour un même matricule INS)"
        ),
    )
    listing = importing.add_argument_group(
        "liste de patients (CSV)", "corrigent ce que la commande a détecté dans le fichier"
    )
    listing.add_argument(
        "--encodage",
        choices=_ENCODING_CHOICES,
        help="utf-8 (avec ou sans BOM) ou cp1252 (Windows, « ANSI »)",
    )
    listing.add_argument(
        "--separateur",
        choices=tuple(_SEPARATORS),
        metavar="SEP",
        help="séparateur des colonnes : "
        + ", ".join(_unbroken(choice) for choice in list(_SEPARATORS)[:-1])
        + f" ou {_unbroken(list(_SEPARATORS)[-1])}",
    )
    listing.add_argument(
        "--format-date",
        type=str.upper,
        choices=tuple(_DATE_CHOICES),
        metavar="FORMAT",
        help="format des dates de naissance (formats ci-dessous)",
    )
    header = listing.add_mutually_exclusive_group()
    header.add_argument(
        "--sans-entete",
        dest="has_header",
        action="store_const",
        const=False,
        help="la première ligne est un patient (les colonnes se donnent alors par numéro)",
    )
    header.add_argument(
        "--avec-entete",
        dest="has_header",
        action="store_const",
        const=True,
        help="la première ligne porte les noms des colonnes",
    )
    listing.add_argument(
        "--colonne",
        action="append",
        default=[],
        type=_column_choice,
        metavar="CHAMP=COLONNE",
        help="la colonne d'un champ (répétable ; champs ci-dessous)",
    )
    listing.add_argument(
        "--rapport-complet",
        action="store_true",
        help=f"affiche toutes les lignes refusées et déjà enregistrées (sinon {SHOWN_ROWS})",
    )
    importing.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    practice = open_cli_practice(args)
    try:
        require_profile(practice)
        if practice.patient_import.is_patient_list(path):
            return _import_list(practice, path, args)
        return _import_identity(practice, path, args)
    finally:
        practice.close()


def _import_identity(practice: Practice, path: Path, args: argparse.Namespace) -> int:
    list_options = [
        option
        for option, given in (
            ("--encodage", args.encodage),
            ("--separateur", args.separateur),
            ("--format-date", args.format_date),
            ("--sans-entete/--avec-entete", args.has_header is not None),
            ("--colonne", args.colonne),
            ("--rapport-complet", args.rapport_complet),
        )
        if given
    ]
    if list_options:
        raise ValidationError(
            f"{', '.join(list_options)} : "
            f"{plural(len(list_options), 'cette option ne vaut', 'ces options ne valent')} que "
            "pour une liste de patients (.csv, .txt, .tsv)."
        )
    patient = practice.patient_import.read_identity(path)
    print(f"Identité lue dans « {path.name} » :")
    for label, value in identity_lines(patient):
        print(f"  {label} : {value}")
    if args.verifier:
        for duplicate in practice.patients.possible_duplicates(patient):
            print(duplicate_sentence(duplicate))
        print("Vérification seule : aucun patient n'a été enregistré.")
        return 0
    try:
        saved = practice.patients.create(patient, not_a_duplicate=args.autre_personne)
    except DuplicatePatientError as error:
        if error.same_ins:
            raise ValidationError(
                f"{error.message.rstrip('.')} (identifiant {error.existing_id}).", error.field
            ) from None
        raise ValidationError(
            f"{error.message.rstrip('.')} ; s'il s'agit d'une autre personne, relancez la "
            "commande avec --autre-personne.",
            error.field,
        ) from None
    print(f"Patient enregistré : {saved.display_name} (identifiant {saved.id}).")
    return 0


def identity_lines(patient: Patient) -> list[tuple[str, str]]:
    """The traits of a draft as the professional reads them, in the form's order."""
    lines = [
        ("Nom de naissance", patient.birth_name),
        ("Prénoms", patient.first_names),
        ("Date de naissance", f"{patient.birth_date:%d/%m/%Y}"),
        ("Sexe", patient.sex.label),
        ("Lieu de naissance (code INSEE)", patient.birth_place_code or "non renseigné"),
        ("NIR", format_nir(patient.ins) if patient.ins else "non renseigné"),
        ("Statut", patient.identity_status.label),
    ]
    optional = (
        ("Nom utilisé", patient.used_name),
        ("Prénom utilisé", patient.used_first_name),
        ("Téléphone", patient.phone),
        ("Adresse", patient.address),
    )
    return lines + [(label, value) for label, value in optional if value]


# --- a practice's patient list --------------------------------------------------------------


def _import_list(practice: Practice, path: Path, args: argparse.Namespace) -> int:
    if args.autre_personne:
        raise ValidationError(
            "--autre-personne ne vaut que pour un datamatrix ou un fichier FHIR : l'import "
            "d'une liste n'enregistre jamais un second dossier d'un patient aux mêmes traits ; "
            "créez-le à la main s'il s'agit d'une autre personne."
        )
    service = practice.patient_import
    plan = service.plan_csv(path)
    layout = _corrected_layout(plan, args)
    if layout != plan.layout:
        plan = service.plan_csv(path, layout)
    if args.colonne:
        plan = service.plan_csv(path, layout, _corrected_mapping(plan, args.colonne))
    print_plan(plan, corrected=bool(args.colonne))
    _check_mapping(plan)
    if args.verifier:
        print("Vérification seule : aucun patient n'a été enregistré.")
        return 0
    progress = ProgressLine(sys.stderr)
    reached = [0]

    def show(step: ImportStep) -> None:
        reached[0] = step.percent
        progress.update(step.percent, 100, step.text)

    steps = service.import_csv(path, plan.layout, plan.mapping, sample=plan.sample)
    try:
        report = drive(steps, show)
    except KeyboardInterrupt:
        steps.close()  # at any step before the last, the one transaction is not committed
        progress.finish()
        if reached[0] >= 100:
            print(
                "escap : Import interrompu après l'enregistrement : « escap patients » liste "
                "les patients enregistrés.",
                file=sys.stderr,
            )
        else:
            print("escap : Import interrompu : aucun patient n'a été enregistré.", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.finish()
    print_report(report, full=args.rapport_complet)
    return 0


def drive(
    steps: Generator[ImportStep, None, PatientImportReport],
    on_step: Callable[[ImportStep], None],
) -> PatientImportReport:
    """Runs the import to its end, each step handed to ``on_step``; the report it returns."""
    while True:
        try:
            step = next(steps)
        except StopIteration as finished:
            report: PatientImportReport = finished.value
            return report
        on_step(step)


def _corrected_layout(plan: CsvPlan, args: argparse.Namespace) -> CsvLayout:
    layout = plan.layout
    if args.encodage == "cp1252":
        layout = replace(layout, encoding="cp1252")
    elif args.encodage == "utf-8":
        with plan.path.open("rb") as stream:
            bom = stream.read(len(_UTF8_BOM)) == _UTF8_BOM
        layout = replace(layout, encoding="utf-8-sig" if bom else "utf-8")
    if args.separateur is not None:
        layout = replace(layout, delimiter=_SEPARATORS[args.separateur])
    if args.format_date is not None:
        layout = replace(layout, date_format=_DATE_CHOICES[args.format_date])
    if args.has_header is not None:
        layout = replace(layout, has_header=args.has_header)
    return layout


def _column_choice(text: str) -> tuple[PatientField, str]:
    """``--colonne CHAMP=COLONNE`` read as (field, column as written; "" to leave it out)."""
    name, equals, column = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(
            f'« {text} » : écrivez CHAMP=COLONNE, par exemple naissance=3 ou "naissance=Né(e) le"'
        )
    field = _ACCEPTED_FIELDS.get(fold(name).strip().replace("_", "-").replace(" ", "-"))
    if field is None:
        raise argparse.ArgumentTypeError(
            f"champ inconnu « {name} » : choisissez parmi {', '.join(FIELD_ALIASES)}"
        )
    return field, column.strip()


def _corrected_mapping(plan: CsvPlan, choices: Sequence[tuple[PatientField, str]]) -> ColumnMapping:
    """The plan's mapping with the columns given on the command line; a field the plan had put
    on a column now given to another field is left out (one column fills one field)."""
    given: dict[PatientField, int | None] = {}
    for field, column in choices:
        given[field] = column_index(column, plan.sample.headers) if column else None
    taken = {index for index in given.values() if index is not None}
    columns = {
        field: index
        for field, index in plan.mapping.columns.items()
        if field not in given and index not in taken
    }
    columns.update({field: index for field, index in given.items() if index is not None})
    return ColumnMapping({field: columns[field] for field in PatientField if field in columns})


def column_index(column: str, headers: Sequence[str]) -> int:
    """The 0-based index of a column named by its header (exact, else without case or
    accents) or by its 1-based number."""
    if column in headers:
        return headers.index(column)
    folded = [fold(header) for header in headers]
    if fold(column) in folded:
        return folded.index(fold(column))
    if column.isdigit() and 1 <= int(column) <= len(headers):
        return int(column) - 1
    raise ValidationError(
        f"La colonne « {column} » n'est pas dans ce fichier : donnez le nom d'un en-tête "
        f"({quoted_list(list(headers[:3]))}…) ou un numéro de 1 à {len(headers)}.",
        "colonne",
    )


def print_plan(plan: CsvPlan, *, corrected: bool) -> None:
    layout, sample = plan.layout, plan.sample
    count = sample.data_rows
    print(
        f"Liste de patients « {plan.path.name} » : {count} "
        f"{plural(count, 'ligne de patient', 'lignes de patients')}."
    )
    header = "première ligne d'en-têtes" if layout.has_header else "sans ligne d'en-têtes"
    print(
        f"Lecture : encodage {encoding_label(layout.encoding)}, séparateur "
        f"« {_separator_shown(layout.delimiter)} » ({_SEPARATOR_NAMES[layout.delimiter]}), "
        f"dates {date_format_label(layout.date_format)}, {header}."
    )
    if corrected:
        origin = "avec les colonnes données par --colonne"
    elif plan.mapping_was_saved:
        origin = "celles de l'import précédent"
    else:
        origin = "proposées d'après les en-têtes"
    print(f"Colonnes ({origin} ; à corriger avec --colonne CHAMP=COLONNE) :")
    width = max(len(field.label) for field in PatientField)
    for field in PatientField:
        index = plan.mapping.columns.get(field)
        if index is None:
            where = "aucune colonne" + (" (obligatoire)" if field.required else "")
        else:
            where = _column_shown(index, sample.headers)
        print(f"  {_ALIAS_OF[field]:<15} {field.label:<{width}}  ← {where}")
    if plan.mapping.missing_required():
        shown = ", ".join(
            _column_shown(index, sample.headers) for index in range(len(sample.headers))
        )
        print(f"Colonnes du fichier : {shown}.")
        return
    problems = [row for row in plan.preview if row.patient is None]
    shown_rows = len(plan.preview)
    first = f"Aperçu des {shown_rows} premières lignes" if shown_rows > 1 else "Aperçu"
    if not problems:
        print(f"{first} : rien à corriger." if shown_rows else "Aucune ligne de patient.")
        return
    print(f"{first} : {len(problems)} à corriger.")
    for row in problems:
        print(f"  {RefusedRow(row.line, row.problems).text}")


def _separator_shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def _column_shown(index: int, headers: Sequence[str]) -> str:
    name = headers[index] if index < len(headers) else ""
    if not name or name == f"Colonne {index + 1}":
        return f"colonne {index + 1}"
    return f"colonne {index + 1} « {name} »"


def _check_mapping(plan: CsvPlan) -> None:
    """Stops (one French line) when the mapping cannot be used, saying how to complete it."""
    missing = plan.mapping.missing_required()
    if missing:
        what = "ce champ obligatoire" if len(missing) == 1 else "ces champs obligatoires"
        options = " ".join(f"--colonne {_ALIAS_OF[field]}=COLONNE" for field in missing)
        raise ImportReadError(
            f"Aucune colonne du fichier n'est associée à {what} : "
            f"{quoted_list([field.label for field in missing])} ; indiquez-"
            f"{'la' if len(missing) == 1 else 'les'} avec {options} (COLONNE : le nom de "
            "l'en-tête ou le numéro de la colonne, à partir de 1)."
        )
    check_mapping(plan.mapping)


def print_report(report: PatientImportReport, *, full: bool) -> None:
    if full:
        print(f"Import terminé : {report.text}")
        return
    print(f"Import terminé : {report.summary}")
    _print_rows(
        "Lignes refusées (corrigez-les dans le fichier, puis importez-le à nouveau) :",
        report.refused,
    )
    _print_rows(
        "Patients déjà enregistrés (non importés une seconde fois) :", report.already_recorded
    )
    if len(report.refused) > SHOWN_ROWS or len(report.already_recorded) > SHOWN_ROWS:
        print("Toutes les lignes : relancez avec --rapport-complet.")


def _print_rows(title: str, rows: Sequence[RefusedRow]) -> None:
    if not rows:
        return
    print(title)
    for row in rows[:SHOWN_ROWS]:
        print(f"  {row.text}")
    if len(rows) > SHOWN_ROWS:
        print(f"  … et {len(rows) - SHOWN_ROWS} autres.")
