"""``escap patients import FICHIER`` on a real practice: a practice software's patient list, an
INS datamatrix, a FHIR file — what the professional reads in the terminal, and what the store
then holds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.cli.progress import ProgressLine
from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import IdentityStatus, Profession
from escap_desktop.services.patient_import import MAPPING_FILE
from escap_desktop.services.practice import Practice, open_practice
from tests.cli.test_export_cli import ID, assert_one_french_error
from tests.imports.csv_samples import HEADERS, PracticeRow, sample_patients, write_practice_csv
from tests.imports.datamatrix_samples import (
    datamatrix_image,
    document_page,
    ins_content,
    nir,
    traits,
)
from tests.imports.fhir_samples import NIR as FHIR_NIR
from tests.imports.fhir_samples import fr_core_patient
from tests.services.conftest import professional


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def one_french_error(self, expected: str) -> None:
        """Exit 1 and one French line on stderr (what was read may be on stdout)."""
        assert self.code == 1
        assert self.err.count("\n") == 1
        assert self.err.startswith("escap : ")
        assert "Traceback" not in self.err
        assert expected in self.err


@dataclass(frozen=True)
class Cabinet:
    """A practice with its professional's profile and no patient, in a data folder."""

    data_dir: Path
    clock: FrozenClock
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> Result:
        code = main(["--data-dir", str(self.data_dir), *args], self.clock)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def import_(self, path: Path, *options: str) -> Result:
        return self.run("patients", "import", str(path), *options)

    @contextmanager
    def practice(self) -> Iterator[Practice]:
        opened = open_practice(self.data_dir, clock=self.clock)
        try:
            yield opened
        finally:
            opened.close()

    def patient_count(self) -> int:
        with self.practice() as practice:
            return len(practice.patients.summaries())


@pytest.fixture
def cabinet(
    tmp_path: Path,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cabinet:
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)
    data_dir = tmp_path / "donnees"
    practice = open_practice(data_dir, clock=clock)
    try:
        practice.profile.save(professional("Lefèvre", "Claire", Profession.MEDECIN, "10000000001"))
    finally:
        practice.close()
    return Cabinet(data_dir, clock, capsys)


def csv_with_headers(path: Path, headers: tuple[str, ...], rows: list[PracticeRow]) -> Path:
    """An export whose header row is ``headers`` instead of the usual one."""
    write_practice_csv(path, rows, header=False)
    path.write_bytes(";".join(headers).encode("cp1252") + b"\r\n" + path.read_bytes())
    return path


def datamatrix_png(path: Path, **changes: object) -> Path:
    """A document page with the INS datamatrix of MARTIN Léa Marie (12/05/1950), or of the
    traits ``changes`` give."""
    document_page(datamatrix_image(ins_content(traits(**changes)))).save(path)
    return path


# --- a practice's patient list ----------------------------------------------------------------


def test_a_list_of_fifty_is_imported_listed_and_never_imported_twice(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    rows = sample_patients(50, seed=5)
    export = write_practice_csv(tmp_path / "export.csv", rows)

    first = cabinet.import_(export)

    assert first.code == 0, first.err
    assert "Liste de patients « export.csv » : 50 lignes de patients." in first.out
    assert "encodage Windows (ANSI, cp1252), séparateur « ; » (point-virgule)" in first.out
    assert "dates JJ/MM/AAAA, première ligne d'en-têtes" in first.out
    assert re.search(r"naissance\s+Date de naissance\s+← colonne 6 « Né\(e\) le »", first.out)
    assert re.search(r"nir\s+NIR / INS\s+← colonne 8 « N° SS »", first.out)
    assert "Import terminé : 50 patients importés sur 50 lignes." in first.out
    assert "Import terminé." in first.err  # the progress line, on stderr
    assert cabinet.patient_count() == 50

    listed = cabinet.run("patients")
    assert listed.code == 0
    assert listed.out.rstrip().endswith("50 patients.")
    assert len(set(ID.findall(listed.out))) == 50
    found = cabinet.run("patients", "--search", rows[0].birth_name)
    assert found.code == 0
    assert rows[0].birth_name in found.out

    again = cabinet.import_(export)

    assert again.code == 0, again.err
    assert "celles de l'import précédent" in again.out  # the mapping saved by the first import
    assert "Import terminé : 0 patient importé, 50 déjà enregistrés sur 50 lignes." in again.out
    assert "Patients déjà enregistrés (non importés une seconde fois) :" in again.out
    assert again.out.count("  Ligne ") == 20
    assert "  … et 30 autres." in again.out
    assert "relancez avec --rapport-complet" in again.out
    assert cabinet.patient_count() == 50

    complete = cabinet.import_(export, "--rapport-complet")
    assert complete.code == 0
    assert complete.out.count("\nLigne ") == 50
    assert "autres." not in complete.out


def test_rows_with_problems_are_named_by_their_line_and_the_others_come_in(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    rows = sample_patients(30, seed=8)
    rows[4] = PracticeRow("LEMAIRE", "Odile", "31/02/1950", sex="F")  # line 6: no such day
    rows[9] = PracticeRow("", "Paul", date(1950, 1, 1), sex="M")  # line 11: no birth name
    rows[24] = replace(rows[24], sex="X")  # line 26: not a sex
    export = write_practice_csv(tmp_path / "export.csv", rows)

    result = cabinet.import_(export)

    assert result.code == 0, result.err
    assert "Aperçu des 8 premières lignes : 1 à corriger." in result.out  # line 6 is in the preview
    assert "Import terminé : 27 patients importés, 3 lignes refusées sur 30 lignes." in result.out
    refused = result.out.split("Lignes refusées")[1]
    assert re.findall(r"^  Ligne (\d+) — ", refused, re.MULTILINE) == ["6", "11", "26"]
    assert "« 31/02/1950 » n'existe pas" in refused
    assert "« X » n'est pas un sexe reconnu" in refused
    assert cabinet.patient_count() == 27


def test_verifier_shows_the_plan_and_writes_nothing(cabinet: Cabinet, tmp_path: Path) -> None:
    rows = sample_patients(12, seed=2)
    rows[1] = PracticeRow("LEMAIRE", "Odile", "31/02/1950", sex="F")
    export = write_practice_csv(tmp_path / "export.csv", rows)

    result = cabinet.import_(export, "--verifier")

    assert result.code == 0, result.err
    assert "Colonnes (proposées d'après les en-têtes" in result.out
    assert "  Ligne 3 — Né(e) le : la date « 31/02/1950 » n'existe pas" in result.out
    assert "Vérification seule : aucun patient n'a été enregistré." in result.out
    assert "Import terminé" not in result.out + result.err
    assert cabinet.patient_count() == 0
    assert not (cabinet.data_dir / MAPPING_FILE).exists()  # not even the mapping


def test_unrecognised_headers_name_the_missing_fields_then_colonne_maps_them(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    headers = ("Dossier", "Nom d'usage", "Famille", "Appellation", "Prénom usuel", "Jour")
    export = csv_with_headers(
        tmp_path / "export.csv", (*headers, *HEADERS[6:]), sample_patients(20, seed=4)
    )

    refused = cabinet.import_(export)

    refused.one_french_error(
        "ces champs obligatoires : « Nom de naissance », « Prénom(s) » et « Date de naissance »"
    )
    assert "--colonne nom=COLONNE --colonne prenoms=COLONNE --colonne naissance=COLONNE" in (
        refused.err
    )
    assert "nom             Nom de naissance                ← aucune colonne (obligatoire)" in (
        refused.out
    )
    assert "colonne 3 « Famille », colonne 4 « Appellation »" in refused.out  # to choose from
    assert cabinet.patient_count() == 0

    # By header name (any case, accents or not) or by number, as the message says.
    mapped = cabinet.import_(
        export, "--colonne", "nom=Famille", "--colonne", "prénoms=4", "--colonne", "naissance=JOUR"
    )

    assert mapped.code == 0, mapped.err
    assert "Colonnes (avec les colonnes données par --colonne" in mapped.out
    assert re.search(r"prenoms\s+Prénom\(s\)\s+← colonne 4 « Appellation »", mapped.out)
    assert "Import terminé : 20 patients importés sur 20 lignes." in mapped.out
    assert cabinet.patient_count() == 20


def test_a_column_given_to_a_field_leaves_the_field_the_guess_had_put_there(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    rows = [replace(row, used_name="") for row in sample_patients(5, seed=6)]
    export = write_practice_csv(tmp_path / "export.csv", rows)

    # "Nom" was guessed as the used name; the user says it is nothing to import, and the
    # birth name is column 3 as guessed.
    result = cabinet.import_(export, "--colonne", "nom-utilise=", "--verifier")

    assert result.code == 0, result.err
    assert re.search(r"nom-utilise\s+Nom utilisé\s+← aucune colonne\n", result.out)

    taken = cabinet.import_(export, "--colonne", "nir=Nom", "--verifier")
    assert taken.code == 0, taken.err
    assert re.search(r"nir\s+NIR / INS\s+← colonne 2 « Nom »", taken.out)
    assert re.search(r"nom-utilise\s+Nom utilisé\s+← aucune colonne\n", taken.out)


def test_a_column_that_is_not_in_the_file_is_one_french_line(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    export = write_practice_csv(tmp_path / "export.csv", sample_patients(3, seed=1))

    cabinet.import_(export, "--colonne", "nom=Nom patronymique").one_french_error(
        "La colonne « Nom patronymique » n'est pas dans ce fichier"
    )
    cabinet.import_(export, "--colonne", "nom=14").one_french_error("un numéro de 1 à 13")
    assert cabinet.patient_count() == 0


def test_a_file_without_header_row_is_mapped_by_column_numbers(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    export = write_practice_csv(tmp_path / "export.csv", sample_patients(10, seed=3), header=False)
    numbers = ["--colonne", "nom=3", "--colonne", "prenoms=4", "--colonne", "naissance=6"]

    unmapped = cabinet.import_(export, "--sans-entete")
    unmapped.one_french_error("« Sexe »")
    assert "sans ligne d'en-têtes" in unmapped.out

    result = cabinet.import_(export, "--sans-entete", *numbers, "--colonne", "sexe=7")

    assert result.code == 0, result.err
    assert re.search(r"nom\s+Nom de naissance\s+← colonne 3\n", result.out)
    assert "Import terminé : 10 patients importés sur 10 lignes." in result.out
    assert cabinet.patient_count() == 10


def test_separator_encoding_and_date_format_can_be_corrected(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    rows = [replace(row, birth_name="LEFÈVRE") for row in sample_patients(6, seed=9)]
    export = write_practice_csv(tmp_path / "export.csv", rows, encoding="cp1252")

    # A separator that is not the file's: one column, nothing to map.
    wrong_separator = cabinet.import_(export, "--separateur", ",", "--verifier")
    wrong_separator.one_french_error("« Nom de naissance »")
    assert "séparateur « , » (virgule)" in wrong_separator.out

    # UTF-8 forced on a Windows file: the accented headers cannot be read, nor mapped.
    wrong_encoding = cabinet.import_(export, "--encodage", "utf-8")
    wrong_encoding.one_french_error("« Prénom(s) » et « Date de naissance »")
    assert "encodage UTF-8," in wrong_encoding.out
    assert "Pr\ufffdnom(s)" in wrong_encoding.out  # the file's columns as read

    # A date format that is not the file's refuses every date.
    wrong_dates = cabinet.import_(export, "--format-date", "aaaa-mm-jj", "--verifier")
    assert wrong_dates.code == 0
    assert "dates AAAA-MM-JJ" in wrong_dates.out
    assert "n'est pas une date au format AAAA-MM-JJ" in wrong_dates.out

    right = cabinet.import_(export, "--encodage", "cp1252", "--separateur", ";")
    assert right.code == 0, right.err
    assert "Import terminé : 6 patients importés sur 6 lignes." in right.out
    with cabinet.practice() as practice:
        patients = [practice.patients.get(row.patient_id) for row in practice.patients.summaries()]
    assert [patient.birth_name for patient in patients] == ["LEFÈVRE"] * 6


def test_a_tab_separated_utf8_file_with_bom_is_read_with_the_options_given(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    rows = sample_patients(8, seed=11)
    export = write_practice_csv(
        tmp_path / "export.tsv",
        rows,
        encoding="utf-8-sig",
        delimiter="\t",
        date_format="%Y-%m-%d",
    )

    result = cabinet.import_(
        export, "--separateur", "tab", "--encodage", "utf-8", "--format-date", "AAAA-MM-JJ"
    )

    assert result.code == 0, result.err
    assert "encodage UTF-8 avec BOM, séparateur « tab » (tabulation), dates AAAA-MM-JJ" in (
        result.out
    )
    assert "Import terminé : 8 patients importés sur 8 lignes." in result.out
    with cabinet.practice() as practice:
        births = {row.birth_date for row in practice.patients.summaries()}
    assert births == {row.birth_date for row in rows}


def test_ctrl_c_during_the_import_writes_nothing(
    cabinet: Cabinet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = write_practice_csv(tmp_path / "export.csv", sample_patients(40, seed=7))
    shown = ProgressLine.update

    def interrupted_before_writing(self: ProgressLine, done: int, total: int, text: str) -> None:
        if done == 92:  # every row read and checked, the patients about to be written
            raise KeyboardInterrupt
        shown(self, done, total, text)

    monkeypatch.setattr(ProgressLine, "update", interrupted_before_writing)

    result = cabinet.import_(export)

    assert result.code == 130
    assert result.err.endswith("escap : Import interrompu : aucun patient n'a été enregistré.\n")
    assert "Traceback" not in result.err
    assert "Import terminé :" not in result.out
    assert cabinet.patient_count() == 0


def test_a_file_that_is_not_a_list_is_refused_in_one_french_line(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    book = tmp_path / "patients.csv"
    book.write_bytes(b"PK\x03\x04" + bytes(200))  # an Excel workbook renamed .csv
    result = cabinet.import_(book)
    assert_one_french_error(result.code, result.out, result.err, "Excel")

    missing = cabinet.import_(tmp_path / "absente.csv")
    assert_one_french_error(missing.code, missing.out, missing.err, "est introuvable")
    assert cabinet.patient_count() == 0


# --- one identity: an INS datamatrix, a FHIR file -----------------------------------------------


def test_a_datamatrix_is_printed_recorded_once_then_refused(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    image = datamatrix_png(tmp_path / "compte-rendu.png")

    first = cabinet.import_(image)

    assert first.code == 0, first.err
    assert "Identité lue dans « compte-rendu.png » :" in first.out
    for line in (
        "  Nom de naissance : MARTIN",
        "  Prénoms : LEA MARIE",
        "  Date de naissance : 12/05/1950",
        "  Sexe : Féminin",
        "  Lieu de naissance (code INSEE) : 75056",
        "  Statut : Identité récupérée",
    ):
        assert line in first.out
    assert re.search(r"  NIR : 2 50 05 75 056 123 \d\d\n", first.out)
    recorded = re.search(
        r"Patient enregistré : MARTIN LEA \(identifiant ([0-9a-f]{32})\)\.", first.out
    )
    assert recorded is not None
    with cabinet.practice() as practice:
        patient = practice.patients.get(recorded.group(1))
    assert patient.ins == traits().matricule
    assert patient.identity_status is IdentityStatus.RETRIEVED

    # The same INS is never recorded twice, even for "another person".
    for options in ((), ("--autre-personne",)):
        again = cabinet.import_(image, *options)
        again.one_french_error("Ce patient est déjà enregistré (MARTIN LEA, né(e) le 12/05/1950")
        assert "même matricule INS" in again.err
        assert recorded.group(1) in again.err
        assert "Patient enregistré" not in again.out
    assert cabinet.patient_count() == 1


def test_same_traits_with_another_ins_need_autre_personne(cabinet: Cabinet, tmp_path: Path) -> None:
    assert cabinet.import_(datamatrix_png(tmp_path / "lea.png")).code == 0
    namesake = datamatrix_png(tmp_path / "homonyme.png", matricule=nir("2", 1950, 5, order="124"))

    checked = cabinet.import_(namesake, "--verifier")
    assert checked.code == 0
    assert "Un patient aux mêmes traits d'identité est déjà enregistré" in checked.out
    assert "Vérification seule : aucun patient n'a été enregistré." in checked.out

    refused = cabinet.import_(namesake)
    refused.one_french_error("Un patient aux mêmes traits d'identité est déjà enregistré")
    assert "relancez la commande avec --autre-personne" in refused.err
    assert cabinet.patient_count() == 1

    accepted = cabinet.import_(namesake, "--autre-personne")
    assert accepted.code == 0, accepted.err
    assert "Patient enregistré : MARTIN LEA" in accepted.out
    assert cabinet.patient_count() == 2


def test_a_fhir_file_is_recorded_once_then_refused(cabinet: Cabinet, tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(fr_core_patient()), encoding="utf-8")

    checked = cabinet.import_(path, "--verifier")
    assert checked.code == 0
    assert "Vérification seule : aucun patient n'a été enregistré." in checked.out
    assert cabinet.patient_count() == 0

    first = cabinet.import_(path)

    assert first.code == 0, first.err
    for line in (
        "  Nom de naissance : Durand",
        "  Prénoms : Pierre Yves André",
        "  Date de naissance : 25/12/1974",
        "  Sexe : Masculin",
        "  Lieu de naissance (code INSEE) : 45234",
        "  Statut : Identité récupérée",
        "  Nom utilisé : Durand-Lefèvre",
    ):
        assert line in first.out
    assert "Patient enregistré : DURAND-LEFÈVRE Yves (identifiant " in first.out
    with cabinet.practice() as practice:
        [row] = practice.patients.summaries()
        assert practice.patients.get(row.patient_id).ins == FHIR_NIR

    cabinet.import_(path).one_french_error("même matricule INS")
    assert cabinet.patient_count() == 1


def test_a_file_that_carries_no_identity_is_one_french_line(
    cabinet: Cabinet, tmp_path: Path
) -> None:
    letter = tmp_path / "lettre.docx"
    letter.write_bytes(b"PK\x03\x04" + bytes(100))
    result = cabinet.import_(letter)
    assert_one_french_error(result.code, result.out, result.err, "Type de fichier non reconnu")

    text = tmp_path / "scan.png"
    text.write_text("ceci n'est pas une image", encoding="utf-8")
    result = cabinet.import_(text)
    assert_one_french_error(result.code, result.out, result.err, "n'est ni une image")

    options = cabinet.import_(datamatrix_png(tmp_path / "cr.png"), "--colonne", "nom=2")
    assert_one_french_error(options.code, options.out, options.err, "liste de patients (.csv")
    assert cabinet.patient_count() == 0


# --- the command itself -----------------------------------------------------------------------


def test_the_help_says_both_uses_and_every_field_alias(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["patients", "--help"])
    out = capsys.readouterr().out
    assert "utilisation : escap patients [-h] [--search TEXTE]" in out
    assert "escap patients import [-h] [options] FICHIER" in out

    with pytest.raises(SystemExit):
        main(["patients", "import", "--help"])
    out = capsys.readouterr().out
    for text in ("--verifier", "--autre-personne", "--encodage", "--separateur", "--sans-entete"):
        assert text in out
    for alias in ("nom", "prenoms", "naissance", "sexe", "lieu", "nir", "nom-utilise"):
        assert re.search(rf"^  {alias}\s+\S", out, re.MULTILINE)
    assert "JJ/MM/AAAA" in out


def test_a_bad_colonne_option_is_a_french_usage_error(cabinet: Cabinet, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    with pytest.raises(SystemExit) as exit_info:
        cabinet.import_(export, "--colonne", "ddn=3")
    assert exit_info.value.code == 2
    err = cabinet.capsys.readouterr().err
    assert "escap : erreur : argument --colonne: champ inconnu « ddn »" in err
