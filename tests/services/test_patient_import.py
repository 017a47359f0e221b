"""The patient import use case on a real store: a practice's CSV, a datamatrix, a FHIR file."""

from __future__ import annotations

import json
from collections.abc import Generator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from escap_desktop.core.entities import AuditKind, IdentityStatus, Patient, Sex
from escap_desktop.core.entities.patient_import import PatientImportReport
from escap_desktop.core.errors import DuplicatePatientError
from escap_desktop.imports.csv_mapping import ColumnMapping, PatientField
from escap_desktop.services.patient_import import ImportReadError
from escap_desktop.services.practice import Practice
from escap_desktop.store import patient_list
from escap_desktop.store.models import PatientListRow
from tests.imports.csv_samples import PracticeRow, nir_for, sample_patients, write_practice_csv
from tests.imports.datamatrix_samples import (
    datamatrix_image,
    document_page,
    ins_content,
    traits,
)
from tests.imports.fhir_samples import fr_core_patient
from tests.services.conftest import me_id


def run_import(practice: Practice, path: Path, **plan: Any) -> PatientImportReport:
    """The whole import as the GUI's runner drives it: every step, then the report."""
    planned = practice.patient_import.plan_csv(path, **plan)
    steps: Generator[Any, None, PatientImportReport] = practice.patient_import.import_csv(
        path, planned.layout, planned.mapping
    )
    percents = []
    while True:
        try:
            percents.append(next(steps).percent)
        except StopIteration as done:
            assert percents[-1] == 100
            assert percents == sorted(percents)
            return done.value  # type: ignore[no-any-return]


def _count(practice: Practice) -> int:
    return len(practice.patients.summaries())


def test_a_practice_list_comes_in_once_with_its_bad_rows_named(
    practice: Practice, tmp_path: Path
) -> None:
    rows = sample_patients(40, seed=3)
    rows[4] = PracticeRow("LEMAIRE", "Odile", "31/02/1950", sex="F")  # line 6: no such day
    rows[9] = PracticeRow("", "Paul", date(1950, 1, 1), sex="M")  # line 11: no birth name
    rows[20] = rows[19]  # line 22: the same patient twice in the file
    path = write_practice_csv(tmp_path / "export.csv", rows)

    report = run_import(practice, path)

    assert report.rows_read == 40
    assert report.imported == 37 == _count(practice)
    assert [row.line for row in report.refused] == [6, 11]
    assert "31/02/1950" in report.refused[0].text
    assert [row.line for row in report.already_recorded] == [22]
    assert report.summary == (
        "37 patients importés, 1 déjà enregistré, 2 lignes refusées sur 40 lignes."
    )
    # Each imported patient is in the access trail as created, by me.
    some = practice.patients.summaries()[0].patient_id
    [entry] = practice.audit.patient_trail(some)
    assert (entry.kind, entry.actor_id) == (AuditKind.CREATED, me_id(practice))

    again = run_import(practice, path)
    assert again.imported == 0
    assert len(again.already_recorded) == 38  # never a second record by import
    assert _count(practice) == 37


def test_imported_identities_are_retrieved_and_searchable(
    practice: Practice, tmp_path: Path
) -> None:
    rows = [
        PracticeRow("ŒUVRARD", "Hélène Marie", date(1947, 5, 2), sex="Femme", nir=""),
        PracticeRow(
            "LEFÈVRE",
            "Jean-Pierre",
            date(1951, 11, 30),
            sex="H",
            nir=nir_for("M", date(1951, 11, 30), "69123", 42),
        ),
    ]
    run_import(practice, write_practice_csv(tmp_path / "export.csv", rows, encoding="utf-8"))

    [found] = practice.patients.summaries(search="oeuvrard")
    assert found.display_name == "ŒUVRARD Hélène"
    oeuvrard = practice.patients.get(found.patient_id)
    assert oeuvrard.identity_status is IdentityStatus.PROVISIONAL  # no INS in the file
    [lefevre] = practice.patients.summaries(search="lefevre jean")
    assert practice.patients.get(lefevre.patient_id).identity_status is IdentityStatus.RETRIEVED


def test_the_list_figures_of_imported_patients_are_those_the_list_computes(
    practice: Practice, tmp_path: Path
) -> None:
    run_import(practice, write_practice_csv(tmp_path / "e.csv", sample_patients(30, seed=5)))
    with practice.store.unit_of_work(me_id(practice)) as uow:
        session = uow.session
        written = sorted(tuple(r) for r in session.execute(select(PatientListRow.__table__)))
        patient_list.refresh(session)
        computed = sorted(tuple(r) for r in session.execute(select(PatientListRow.__table__)))
    assert written == computed


def test_an_import_stopped_midway_writes_nothing(practice: Practice, tmp_path: Path) -> None:
    path = write_practice_csv(tmp_path / "e.csv", sample_patients(1500, seed=7))
    planned = practice.patient_import.plan_csv(path)
    steps = practice.patient_import.import_csv(path, planned.layout, planned.mapping)
    next(steps)
    next(steps)  # 500 rows read
    steps.close()  # what the runner does on « Annuler »
    assert _count(practice) == 0
    assert practice.patient_import.plan_csv(path).mapping_was_saved is False  # nor remembered


def test_the_mapping_is_remembered_even_when_the_columns_move(
    practice: Practice, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Champ A;Champ B;Champ C;Champ D\nMARTIN;Léa;12/05/1950;F\n", encoding="utf-8")
    first = practice.patient_import.plan_csv(path)
    assert first.mapping.missing_required()  # these headers mean nothing to the suggestion
    mapping = ColumnMapping(
        {
            PatientField.BIRTH_NAME: 0,
            PatientField.FIRST_NAMES: 1,
            PatientField.BIRTH_DATE: 2,
            PatientField.SEX: 3,
        }
    )
    report = run_import(practice, path, mapping=mapping)
    assert report.imported == 1

    moved = tmp_path / "export2.csv"
    moved.write_text(
        "Champ D;Champ C;Champ A;Champ B\nM;01/01/1960;DURAND;Paul\n", encoding="utf-8"
    )
    second = practice.patient_import.plan_csv(moved)
    assert second.mapping_was_saved
    [row] = second.preview
    assert row.patient is not None
    assert (row.patient.birth_name, row.patient.sex) == ("DURAND", Sex.MALE)


def test_a_file_that_is_no_patient_list_is_refused_in_french(
    practice: Practice, tmp_path: Path
) -> None:
    book = tmp_path / "patients.csv"
    book.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(ImportReadError, match="Excel"):
        practice.patient_import.plan_csv(book)
    assert _count(practice) == 0


def test_a_datamatrix_fills_a_draft_recorded_once(practice: Practice, tmp_path: Path) -> None:
    image = tmp_path / "compte-rendu.png"
    document_page(datamatrix_image(ins_content(traits()))).save(image)
    draft = practice.patient_import.read_identity(image)
    assert (draft.birth_name, draft.first_names, draft.birth_date) == (
        "MARTIN",
        "LEA MARIE",
        date(1950, 5, 12),
    )
    assert draft.identity_status is IdentityStatus.RETRIEVED
    assert _count(practice) == 0  # a draft: nothing recorded yet
    saved = practice.patients.create(draft)
    assert practice.patients.get(saved.id).identity_status is IdentityStatus.RETRIEVED
    with pytest.raises(DuplicatePatientError, match="même matricule INS"):
        practice.patients.create(practice.patient_import.read_identity(image))


def test_a_fhir_file_fills_a_draft(practice: Practice, tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(fr_core_patient()), encoding="utf-8")
    draft = practice.patient_import.read_identity(path)
    assert isinstance(draft, Patient)
    assert draft.identity_status is IdentityStatus.RETRIEVED
    with pytest.raises(ImportReadError, match="Type de fichier non reconnu"):
        practice.patient_import.read_identity(tmp_path / "lettre.docx")
