"""Reading a practice software's patient list (CSV): layout detection, column mapping, rows.

Every file is a real one on disk, written the way practice software exports (tests/imports/
csv_samples.py) or typed byte for byte when the case is about the bytes themselves.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.imports.csv_layout import (
    DATE_FORMATS,
    DELIMITERS,
    ENCODINGS,
    CsvLayout,
    date_format_label,
    inspect_csv,
    parse_date,
)
from escap_desktop.imports.csv_mapping import (
    ColumnMapping,
    PatientField,
    check_mapping,
    suggest_mapping,
)
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.practice_csv import CsvRow, read_csv_rows
from tests.imports.csv_samples import (
    HEADERS,
    PracticeRow,
    nir_for,
    sample_patients,
    write_practice_csv,
)

TODAY = date(2025, 6, 1)
HELENE = PracticeRow(
    "LEFÈVRE",
    "Hélène Marie",
    date(1948, 3, 12),
    "F",
    nir=nir_for("F", date(1948, 3, 12), "2A004", 12),
    birth_place_code="2A004",
    used_name="ŒUVRARD",
    address="12, rue de la Paix; bâtiment B",
)
JEAN_PIERRE = PracticeRow("N'DIAYE", "Jean-Pierre", date(1961, 11, 2), "M")
SEXES = {"M": Sex.MALE, "H": Sex.MALE, "Homme": Sex.MALE, "Masculin": Sex.MALE, "1": Sex.MALE}
SEXES |= {"F": Sex.FEMALE, "Femme": Sex.FEMALE, "Féminin": Sex.FEMALE, "2": Sex.FEMALE}


def _read(path: Path, today: date = TODAY) -> list[CsvRow]:
    sample = inspect_csv(path)
    return list(read_csv_rows(path, sample.layout, suggest_mapping(sample.headers), today))


def _typed(tmp_path: Path, text: str, encoding: str = "cp1252") -> Path:
    path = tmp_path / "patients.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


# --- Layout detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp1252", "cp1252"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")],
)
def test_encoding_is_detected_and_accents_survive(
    tmp_path: Path, encoding: str, detected: str
) -> None:
    path = write_practice_csv(tmp_path / "a.csv", [HELENE, JEAN_PIERRE], encoding=encoding)
    sample = inspect_csv(path)
    assert sample.layout.encoding == detected
    assert sample.headers[0] == "N° dossier"  # no BOM left in the first header
    assert sample.rows[0][1:4] == ("ŒUVRARD", "LEFÈVRE", "Hélène Marie")
    [helene, _] = _read(path)
    assert helene.patient is not None
    assert (helene.patient.birth_name, helene.patient.used_name) == ("LEFÈVRE", "ŒUVRARD")


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_each_separator_is_detected_with_quoted_separators_inside(
    tmp_path: Path, delimiter: str
) -> None:
    rows = [HELENE, JEAN_PIERRE, *sample_patients(5, seed=3)]
    path = write_practice_csv(tmp_path / "a.csv", rows, delimiter=delimiter)
    sample = inspect_csv(path)
    assert sample.layout.delimiter == delimiter
    assert len(sample.headers) == len(HEADERS)
    assert sample.rows[0][10] == "12, rue de la Paix; bâtiment B"
    read = _read(path)
    assert next(row.patient.address for row in read if row.patient) == HELENE.address


@pytest.mark.parametrize("date_format", DATE_FORMATS)
def test_each_date_format_is_detected_and_read(tmp_path: Path, date_format: str) -> None:
    rows = sample_patients(30, seed=7, born_after=date(1926, 1, 1))
    path = write_practice_csv(tmp_path / "a.csv", rows, date_format=date_format)
    assert inspect_csv(path).layout.date_format == date_format
    read = _read(path)
    assert [row.patient.birth_date for row in read if row.patient] == [r.birth_date for r in rows]


def test_day_first_wins_when_every_date_reads_both_ways(tmp_path: Path) -> None:
    rows = [
        PracticeRow("MARTIN", "Léa", date(1950, 4, 3)),
        PracticeRow("ROUX", "Ana", "05/06/1961"),
    ]
    sample = inspect_csv(write_practice_csv(tmp_path / "a.csv", rows))
    assert sample.layout.date_format == "%d/%m/%Y"
    assert date_format_label(sample.layout.date_format) == "JJ/MM/AAAA"
    [lea, ana] = _read(tmp_path / "a.csv")
    assert [lea.patient and lea.patient.birth_date, ana.patient and ana.patient.birth_date] == [
        date(1950, 4, 3),
        date(1961, 6, 5),
    ]


def test_a_file_without_header_row_gets_numbered_columns(tmp_path: Path) -> None:
    path = write_practice_csv(tmp_path / "a.csv", [HELENE, JEAN_PIERRE], header=False)
    sample = inspect_csv(path)
    assert not sample.layout.has_header
    assert sample.headers == tuple(f"Colonne {n}" for n in range(1, 14))
    assert (sample.data_rows, sample.rows[0][2]) == (2, "LEFÈVRE")
    assert suggest_mapping(sample.headers).columns == {}
    mapping = ColumnMapping({PatientField.BIRTH_NAME: 2, PatientField.FIRST_NAMES: 3} | _TRAITS)
    read = list(read_csv_rows(path, sample.layout, mapping, TODAY))
    assert [row.line for row in read] == [1, 2]
    assert [row.patient.first_names for row in read if row.patient] == [
        "Hélène Marie",
        "Jean-Pierre",
    ]


_TRAITS = {PatientField.BIRTH_DATE: 5, PatientField.SEX: 6}


def test_a_header_row_is_told_from_a_first_patient(tmp_path: Path) -> None:
    path = _typed(tmp_path, "MARTIN;Léa;F;12/03/1950\nROUX;Marc;M;01/01/1960\n")
    assert not inspect_csv(path).layout.has_header
    path = _typed(tmp_path, "Nom;Prénom;Sexe;DDN\nMARTIN;Léa;F;12/03/1950\n")
    assert inspect_csv(path).layout.has_header


def test_a_layout_given_by_the_user_overrides_detection(tmp_path: Path) -> None:
    path = write_practice_csv(tmp_path / "a.csv", [HELENE], encoding="cp1252")
    layout = CsvLayout("utf-8", ",", "%Y-%m-%d", has_header=False)
    sample = inspect_csv(path, layout=layout)
    assert sample.layout == layout
    assert sample.data_rows == 2  # the header is a row when the user says there is none
    assert "\ufffd" in sample.rows[0][0]  # what "N° dossier" looks like in the wrong encoding


def test_rows_are_counted_across_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    rows = [*sample_patients(40, seed=1)]
    rows[3] = PracticeRow("MARTIN", "Léa", date(1950, 3, 12), address="3 rue B\n75001 Paris")
    path = write_practice_csv(tmp_path / "a.csv", rows)
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    sample = inspect_csv(path, sample_rows=5)
    assert (sample.data_rows, len(sample.rows)) == (40, 5)
    assert sample.rows[3][10] == "3 rue B\n75001 Paris"


# --- Column mapping --------------------------------------------------------------------------

WEDA_STYLE = (
    "N° dossier",
    "NOM",
    "Nom de naissance",
    "Prénom",
    "Né(e) le",
    "Sexe",
    "N° SS",
    "Tél. portable",
    "Adresse",
    "Code postal",
    "Ville",
)
DATABASE_STYLE = (
    "IDPATIENT",
    "NOM_NAISSANCE",
    "NOM_USAGE",
    "PRENOMS",
    "PRENOM_USUEL",
    "DATE_NAISSANCE",
    "SEXE",
    "MATRICULE_INS",
    "CODE_LIEU_NAISSANCE",
    "TELEPHONE",
    "ADRESSE",
    "EMAIL",
)
NURSE_STYLE = (
    "Nom patronymique",
    "Nom marital",
    "Prénoms",
    "DDN",
    "Sexe",
    "Numéro de sécurité sociale",
    "Lieu de naissance",
    "Lieu de naissance (INSEE)",
    "Téléphone",
    "Adresse e-mail",
    "Adresse",
    "Médecin traitant",
    "ALD",
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            WEDA_STYLE,
            {"birth_name": 2, "first_names": 3, "birth_date": 4, "sex": 5, "ins": 6}
            | {"used_name": 1, "phone": 7, "address": 8},
        ),
        (
            DATABASE_STYLE,
            {"birth_name": 1, "first_names": 3, "birth_date": 5, "sex": 6, "ins": 7}
            | {"birth_place_code": 8, "used_name": 2, "used_first_name": 4}
            | {"phone": 9, "address": 10},
        ),
        (
            NURSE_STYLE,
            {"birth_name": 0, "first_names": 2, "birth_date": 3, "sex": 4, "ins": 5}
            | {"birth_place_code": 7, "used_name": 1, "phone": 8, "address": 10},
        ),
        (
            ("Nom", "Prénom(s)", "Date de naissance", "Sexe", "NIR"),
            {"birth_name": 0} | {"first_names": 1, "birth_date": 2, "sex": 3, "ins": 4},
        ),
        (
            ("nom d'usage", "NOM", "prenom usuel", "Matricule INS"),
            {"used_name": 0} | {"birth_name": 1, "used_first_name": 2, "ins": 3},
        ),
    ],
)
def test_usual_french_headers_are_recognised(
    headers: tuple[str, ...], expected: dict[str, int]
) -> None:
    mapping = suggest_mapping(headers)
    assert {field.value: index for field, index in mapping.columns.items()} == expected


def test_the_generic_name_column_is_the_used_name_beside_a_birth_name() -> None:
    assert suggest_mapping(HEADERS).columns[PatientField.USED_NAME] == 1
    assert suggest_mapping(HEADERS).columns[PatientField.BIRTH_NAME] == 2
    assert suggest_mapping(("Nom du patient", "DDN")).columns == {
        PatientField.BIRTH_NAME: 0,
        PatientField.BIRTH_DATE: 1,
    }


def test_field_labels_and_required_fields() -> None:
    assert PatientField.BIRTH_PLACE_CODE.label == "Lieu de naissance (code INSEE)"
    assert PatientField.INS.label == "NIR / INS"
    assert [field for field in PatientField if field.required] == [
        PatientField.BIRTH_NAME,
        PatientField.FIRST_NAMES,
        PatientField.BIRTH_DATE,
        PatientField.SEX,
    ]


def test_a_saved_mapping_survives_reordered_columns() -> None:
    mapping = suggest_mapping(DATABASE_STYLE)
    text = mapping.to_json(DATABASE_STYLE)
    assert ColumnMapping.from_json(text, DATABASE_STYLE) == mapping
    reordered = tuple(reversed(DATABASE_STYLE))
    moved = ColumnMapping.from_json(text, reordered)
    assert {f: reordered[i] for f, i in moved.columns.items()} == {
        f: DATABASE_STYLE[i] for f, i in mapping.columns.items()
    }


def test_a_saved_mapping_drops_headers_gone_and_uses_indexes_without_header() -> None:
    text = suggest_mapping(WEDA_STYLE).to_json(WEDA_STYLE)
    without_phone = tuple(h for h in WEDA_STYLE if h != "Tél. portable")
    restored = ColumnMapping.from_json(text, without_phone)
    assert PatientField.PHONE not in restored.columns
    assert restored.columns[PatientField.ADDRESS] == without_phone.index("Adresse")
    numbered = tuple(f"Colonne {n}" for n in range(1, 8))
    mapping = ColumnMapping({PatientField.BIRTH_NAME: 0, PatientField.SEX: 6})
    assert ColumnMapping.from_json(mapping.to_json(numbered), numbered) == mapping
    assert ColumnMapping.from_json(mapping.to_json(numbered), numbered[:5]).columns == {
        PatientField.BIRTH_NAME: 0
    }


def test_a_damaged_saved_mapping_is_refused_in_french() -> None:
    with pytest.raises(ImportReadError, match="correspondance des colonnes enregistrée"):
        ColumnMapping.from_json("{not json", HEADERS)


def test_check_mapping_names_missing_fields_and_shared_columns() -> None:
    mapping = ColumnMapping({PatientField.BIRTH_NAME: 0, PatientField.USED_NAME: 0})
    assert mapping.missing_required() == [
        PatientField.FIRST_NAMES,
        PatientField.BIRTH_DATE,
        PatientField.SEX,
    ]
    with pytest.raises(ImportReadError) as raised:
        check_mapping(mapping)
    assert raised.value.message == (
        "Associez une colonne du fichier à ces champs obligatoires : « Prénom(s) », « Date de "
        "naissance » et « Sexe » ; la colonne 1 est associée à plusieurs champs (« Nom de "
        "naissance » et « Nom utilisé ») : une colonne ne peut remplir qu'un champ."
    )
    check_mapping(suggest_mapping(HEADERS))


# --- Rows ------------------------------------------------------------------------------------

# fmt: off
PROBLEMS_FILE = (
    "Nom;Prénom;Date de naissance;Sexe;NIR;Adresse\n"        # 1
    "MARTIN;Léa;12/03/1950;F;;1 rue A\n"                     # 2
    "DURAND;Paul;31/02/1950;M;;\n"                           # 3
    "\n"                                                     # 4
    "PETIT;Anne;12/03/2030;F;;\n"                            # 5
    "ROUX;Marc;01/01/1960;X;;\n"                             # 6
    "BLANC;Lucie;05/06/1970;F;2 70 06 75 056 123;\n"         # 7
    "NOIR;Jean;05/06/1970;M;1,70068E+14;\n"                  # 8
    f"GRIS;Jules;05/06/1970;M;{nir_for('M', date(1970, 6, 5), '75056', 7)[:13]}99;\n"  # 9
    f"VERT;Ève;05/06/1970;M;{nir_for('F', date(1970, 6, 5), '75056', 7)};\n"  # 10
    'BRUN2;Zoé;05/06/1970;F;;"3 rue B\n75001 Paris"\n'       # 11
    "LAMBERT;Hugo\n"                                         # 12
    ";Léon;;M;;\n"                                           # 13
    "FAURE;Léon, Marie;01/01/1950;masculin;;\n"              # 14
)
# fmt: on


def test_each_kind_of_bad_row_is_reported_on_its_line(tmp_path: Path) -> None:
    rows = {row.line: row for row in _read(_typed(tmp_path, PROBLEMS_FILE))}
    assert sorted(rows) == [2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]  # line 4 is blank
    problems = {line: row.problems for line, row in rows.items() if row.patient is None}
    assert problems == {
        3: ("Date de naissance : la date « 31/02/1950 » n'existe pas (format JJ/MM/AAAA).",),
        5: ("Date de naissance : la date de naissance (12/03/2030) est dans le futur.",),
        6: (
            "Sexe : « X » n'est pas un sexe reconnu : M ou H (homme), F (femme), I "
            "(indéterminé), ou 1 et 2 comme dans le NIR.",
        ),
        7: (
            "NIR : la clé du NIR manque : « 2 70 06 75 056 123 » n'a que les 13 premiers "
            "caractères ; ajoutez les 2 chiffres de la clé (carte Vitale ou attestation de "
            "droits).",
        ),
        8: (
            "NIR : le NIR a été abîmé par un tableur (« 1,70068E+14 ») : ses derniers chiffres "
            "sont perdus ; exportez de nouveau la liste depuis le logiciel, sans l'ouvrir ni "
            "l'enregistrer dans un tableur.",
        ),
        9: (rows[9].problems[0],),
        10: ("NIR : le NIR commence par 2 (une femme) alors que le sexe saisi est « Masculin ».",),
        11: ("Nom : le nom de naissance ne peut pas contenir de chiffres (« BRUN2 »).",),
        12: (
            "La ligne n'a que 2 cellules alors que la colonne « Date de naissance » est la 3e : "
            "une cellule ou un séparateur manque.",
        ),
        13: (
            "Nom : le nom de naissance est obligatoire.",
            "Date de naissance : la date de naissance est obligatoire.",
        ),
    }
    assert rows[9].problems[0].startswith("NIR : la clé du NIR est incorrecte (attendue : ")
    lea, leon = rows[2].patient, rows[14].patient
    assert lea is not None
    assert leon is not None
    assert (lea.birth_name, lea.first_names, lea.address) == ("MARTIN", "Léa", "1 rue A")
    assert (leon.first_names, leon.sex) == ("Léon Marie", Sex.MALE)
    assert lea.identity_status is IdentityStatus.PROVISIONAL


def test_a_multiline_cell_is_one_spreadsheet_row(tmp_path: Path) -> None:
    text = (
        "Nom;Prénom;DDN;Sexe;Adresse\n"
        'MARTIN;Léa;12/03/1950;F;"Résidence Les Lilas\nBât. C\n\n3 rue B"\n'
        "ROUX;Marc;01/13/1960;M;\n"
    )
    [lea, marc] = _read(_typed(tmp_path, text))
    assert lea.patient is not None
    assert lea.patient.address == "Résidence Les Lilas, Bât. C, 3 rue B"
    assert (marc.line, marc.problems) == (
        3,
        (
            "DDN : la date « 01/13/1960 » n'existe pas (format JJ/MM/AAAA) : il n'y a pas de "
            "mois 13, le jour et le mois sont-ils inversés ?",
        ),
    )


def test_an_undecodable_cell_is_reported_once(tmp_path: Path) -> None:
    path = write_practice_csv(tmp_path / "a.csv", [HELENE, JEAN_PIERRE], encoding="cp1252")
    sample = inspect_csv(path)
    utf8 = CsvLayout("utf-8", ";", "%d/%m/%Y", has_header=True)
    mapping = suggest_mapping(sample.headers)
    [helene, jean_pierre] = read_csv_rows(path, utf8, mapping, TODAY)
    assert helene.problems[0].startswith(
        "Nom : un caractère de cette cellule ne peut pas être lu dans l'encodage choisi (UTF-8)"
    )
    columns = [problem.split(" : ")[0] for problem in helene.problems]
    assert columns == ["Nom", "Nom de naissance", "Pr\ufffdnom(s)", "Adresse"]  # once each
    assert jean_pierre.patient is not None
    assert sample.layout.encoding == "cp1252"
    path.write_bytes(b"Nom;Pr\xe9nom;DDN;Sexe\r\nMART\x81N;L\xe9a;12/03/1950;F\r\n")
    [row] = _read(path)
    assert row.problems == (
        "Nom : un caractère de cette cellule ne peut pas être lu dans l'encodage choisi "
        "(Windows (ANSI, cp1252)) : choisissez un autre encodage pour ce fichier.",
    )


def test_an_unclosed_quote_is_reported_on_its_line_not_raised(tmp_path: Path) -> None:
    patients = "".join("ROUX;Marc;01/01/1960;M\n" for _ in range(8000))
    text = f'Nom;Prénom;DDN;Sexe\nMARTIN;Léa;12/03/1950;F\nPETIT;"Anne;01/01/1960;F\n{patients}'
    path = _typed(tmp_path, text)
    assert inspect_csv(path).data_rows == 2
    [lea, anne] = _read(path)
    assert lea.patient is not None
    assert (anne.line, anne.patient) == (3, None)
    assert anne.problems[0].startswith("Le fichier ne peut pas être lu au-delà de cette ligne")


def test_a_layout_the_screen_does_not_offer_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a layout"):
        CsvLayout("latin-1", ";", "%d/%m/%Y", has_header=True)


@pytest.mark.parametrize(("written", "sex"), [*SEXES.items(), ("i", Sex.INDETERMINATE)])
def test_sex_words_of_practice_software(tmp_path: Path, written: str, sex: Sex) -> None:
    text = f"Nom;Prénom;DDN;Sexe\nMARTIN;Camille;12/03/1950;{written}\n"
    [row] = _read(_typed(tmp_path, text))
    assert row.patient is not None
    assert row.patient.sex is sex


def test_an_ins_gives_a_retrieved_identity_never_a_qualified_one(tmp_path: Path) -> None:
    nir = nir_for("F", date(1948, 3, 12), "2A004", 12)
    text = f"Nom;Prénom;DDN;Sexe;INS;Statut\nLEFÈVRE;Hélène;12/03/1948;F;{nir};Qualifiée\n"
    [row] = _read(_typed(tmp_path, text.replace(nir, f"{nir[:1]} {nir[1:3]}.{nir[3:]}")))
    assert row.patient is not None
    assert row.patient.ins == nir
    assert row.patient.identity_status is IdentityStatus.RETRIEVED
    assert row.patient.identity_document is None


@pytest.mark.parametrize(
    ("written", "born"),
    [
        ("01/02/30", date(1930, 2, 1)),
        ("01/02/20", date(2020, 2, 1)),
        ("01/06/25", date(2025, 6, 1)),
        ("02/06/25", date(1925, 6, 2)),
        ("29/02/00", date(2000, 2, 29)),
    ],
)
def test_two_digit_years_never_put_a_birth_in_the_future(written: str, born: date) -> None:
    assert parse_date(written, "%d/%m/%y", TODAY) == born


def test_every_row_gets_a_new_id(tmp_path: Path) -> None:
    rows = _read(write_practice_csv(tmp_path / "a.csv", [JEAN_PIERRE] * 3))
    assert len({row.patient.id for row in rows if row.patient}) == 3


# --- Files that are no CSV -------------------------------------------------------------------


def _xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as workbook:
        workbook.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "n'est pas un fichier CSV (un classeur Excel ?) : enregistrez-le au format CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "n'est pas un fichier CSV"),
        (b"", "est vide"),
        (b"\xef\xbb\xbf\r\n\r\n", "est vide"),
        ("Nom\tPrénom\r\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_files_that_are_no_csv_are_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "patients.csv"
    if content is None:
        _xlsx(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ImportReadError, match=re.escape(message)):
        inspect_csv(path)
    layout = CsvLayout("cp1252", ";", "%d/%m/%Y", has_header=True)
    with pytest.raises(ImportReadError, match=r"CSV|vide|UTF-16"):
        read_csv_rows(path, layout, suggest_mapping(HEADERS), TODAY)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportReadError, match=re.escape("« absent.csv » est introuvable")):
        inspect_csv(tmp_path / "absent.csv")


# --- Round trip ------------------------------------------------------------------------------


def _traits(patient: Patient) -> tuple[object, ...]:
    return (
        patient.birth_name,
        patient.first_names,
        patient.birth_date,
        patient.sex,
        patient.ins,
        patient.birth_place_code,
        patient.used_name,
        patient.used_first_name,
        patient.phone,
        patient.address,
        patient.identity_status,
    )


def _expected(row: PracticeRow) -> tuple[object, ...]:
    status = IdentityStatus.RETRIEVED if row.nir else IdentityStatus.PROVISIONAL
    return (
        row.birth_name,
        row.first_names,
        row.birth_date,
        SEXES[row.sex],
        row.nir,
        row.birth_place_code,
        row.used_name,
        row.used_first_name,
        row.phone,
        row.address,
        status,
    )


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    count=st.integers(1, 25),
    seed=st.integers(0, 2**32),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    date_format=st.sampled_from(DATE_FORMATS),
    header=st.booleans(),
)
def test_written_rows_read_back_with_the_same_traits(
    count: int, seed: int, encoding: str, delimiter: str, date_format: str, header: bool
) -> None:
    rows = sample_patients(count, seed, born_after=date(1926, 1, 1))
    with tempfile.TemporaryDirectory() as folder:
        path = write_practice_csv(
            Path(folder) / "export.csv",
            rows,
            encoding=encoding,
            delimiter=delimiter,
            date_format=date_format,
            header=header,
        )
        sample = inspect_csv(path)
        assert (sample.layout.delimiter, sample.layout.date_format) == (delimiter, date_format)
        assert sample.layout.has_header is header
        assert sample.data_rows == count
        mapping = suggest_mapping(sample.headers if header else HEADERS)
        read = list(read_csv_rows(path, sample.layout, mapping, TODAY))
    assert [row.problems for row in read] == [()] * count
    assert [row.line for row in read] == list(range(1 + header, count + 1 + header))
    assert [_traits(row.patient) for row in read if row.patient] == [_expected(r) for r in rows]


def test_a_file_with_its_header_only_has_no_row(tmp_path: Path) -> None:
    path = _typed(tmp_path, "Nom;Prénom;DDN;Sexe\n\n")
    sample = inspect_csv(path)
    assert (sample.layout.has_header, sample.data_rows, sample.rows) == (True, 0, ())
    assert _read(path) == []
