"""Exports from the store: the evaluation files identify nobody, FHIR bundles validate."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import AuditKind, EscapState, IdentifierKind, Patient
from escap_desktop.core.errors import NotFoundError, ValidationError
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.fhir import (
    IDNPS_SYSTEM,
    INS_NIA_SYSTEM,
    INS_NIR_SYSTEM,
    URI_SYSTEM,
    validate_fhir_bundle,
)
from escap_desktop.exports.salt import SALT_BYTES, salt_path
from escap_desktop.services.exports import EvaluationFiles, evaluation_paths
from escap_desktop.services.practice import Practice
from tests.services.demo_practice import ReadPdf, open_demo_practice

FROM = date(2025, 3, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Practice:
    return open_demo_practice(tmp_path_factory.mktemp("exports"), patients=60)


@pytest.fixture(scope="module")
def demo_patients(demo: Practice) -> list[Patient]:
    return [demo.patients.get(row.patient_id) for row in demo.patients.summaries()]


@pytest.fixture(scope="module")
def evaluation(demo: Practice, tmp_path_factory: pytest.TempPathFactory) -> EvaluationFiles:
    return demo.exports.evaluation(
        FROM, demo.clock.today(), tmp_path_factory.mktemp("out") / "evaluation.csv"
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def exported_entries(demo: Practice, patient_id: str) -> int:
    with demo.store.unit_of_work(None) as uow:
        return sum(1 for e in uow.audit_entries(patient_id) if e.kind is AuditKind.EXPORTED)


# --- evaluation -------------------------------------------------------------------------------


def test_evaluation_writes_three_files_named_after_the_csv(evaluation: EvaluationFiles) -> None:
    folder = evaluation.episodes_csv.parent
    assert evaluation.paths == (
        folder / "evaluation.csv",
        folder / "evaluation-professionnels.csv",
        folder / "evaluation-synthese.pdf",
    )
    assert all(path.is_file() for path in evaluation.paths)
    assert len(read_csv(evaluation.episodes_csv)) == evaluation.episode_count > 0
    assert read_csv(evaluation.professionals_csv)
    assert "Synthèse d'évaluation" in ReadPdf(evaluation.summary_pdf.read_bytes()).text


def test_evaluation_counts_the_episodes_of_the_period(
    demo: Practice, evaluation: EvaluationFiles, clock: FrozenClock
) -> None:
    bundles = demo.exports.episode_bundles(FROM, clock.today())
    with_grid = [
        row
        for row in demo.patients.summaries()
        if row.escap_state is not None
        and (row.escap_state is not EscapState.DRAFT or row.last_score is not None)
    ]
    assert len(bundles) == evaluation.episode_count == len(with_grid)


def test_evaluation_files_hold_no_name_nir_or_birth_date(
    demo: Practice, evaluation: EvaluationFiles, demo_patients: list[Patient]
) -> None:
    contents = [
        evaluation.episodes_csv.read_text(encoding="utf-8-sig"),
        evaluation.professionals_csv.read_text(encoding="utf-8-sig"),
        ReadPdf(evaluation.summary_pdf.read_bytes()).text,
    ]
    everything = "\n".join(contents)
    for patient in demo_patients:
        for name in (patient.birth_name, patient.used_name, *patient.first_names.split(" ")):
            if name:  # as a whole word: "Pons" may hide in "réponse"
                assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", everything, re.I), name
        assert patient.ins not in everything
        assert patient.ins[:13] not in everything
        assert patient.birth_date.strftime("%d/%m/%Y") not in everything
        assert patient.birth_date.isoformat() not in everything
        assert patient.id not in everything
    for professional in demo.professionals.list():
        assert not re.search(rf"(?<!\w){re.escape(professional.last_name)}(?!\w)", everything)
        assert not professional.identifier or professional.identifier not in everything


def test_evaluation_keys_are_stable_and_the_salt_is_kept_private(
    demo: Practice, evaluation: EvaluationFiles, tmp_path: Path, clock: FrozenClock
) -> None:
    salt_file = salt_path(demo.data_dir)
    assert len(salt_file.read_bytes()) == SALT_BYTES
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(salt_file).st_mode) == 0o600
    again = demo.exports.evaluation(FROM, clock.today(), tmp_path)
    assert again.episodes_csv.name == f"evaluation-escap-{FROM:%Y%m%d}-{clock.today():%Y%m%d}.csv"
    keys = {row["Clé patient"] for row in read_csv(evaluation.episodes_csv)}
    assert keys == {row["Clé patient"] for row in read_csv(again.episodes_csv)}
    assert len(salt_file.read_bytes()) == SALT_BYTES


def test_evaluation_file_names_derive_from_the_name_given(
    tmp_path: Path, clock: FrozenClock
) -> None:
    assert evaluation_paths(tmp_path / "rapport", FROM, clock.today()) == (
        tmp_path / "rapport.csv",
        tmp_path / "rapport-professionnels.csv",
        tmp_path / "rapport-synthese.pdf",
    )


def test_evaluation_is_traced_in_each_exported_patients_audit(
    demo: Practice, evaluation: EvaluationFiles, clock: FrozenClock
) -> None:
    for bundle in demo.exports.episode_bundles(FROM, clock.today()):
        assert exported_entries(demo, bundle.patient.id) >= 1


def test_evaluation_refuses_a_reversed_period_or_a_missing_folder(
    demo: Practice, tmp_path: Path, clock: FrozenClock
) -> None:
    with pytest.raises(ValidationError, match="doit précéder"):
        demo.exports.evaluation(clock.today(), FROM, tmp_path / "x.csv")
    with pytest.raises(ExportError, match="n'existe pas"):
        demo.exports.evaluation(FROM, clock.today(), tmp_path / "absent" / "x.csv")
    assert not list(tmp_path.iterdir())


# --- FHIR -------------------------------------------------------------------------------------


def test_fhir_bundle_of_every_patient_with_an_escap_validates(
    demo: Practice, tmp_path: Path
) -> None:
    rows = [row for row in demo.patients.summaries() if row.escap_state is not None]
    assert rows
    for row in rows:
        target = demo.exports.fhir(row.patient_id, tmp_path / f"{row.patient_id}.json")
        bundle = json.loads(target.read_text(encoding="utf-8"))
        validate_fhir_bundle(bundle)
        resources = [entry["resource"] for entry in bundle["entry"]]
        patient = next(r for r in resources if r["resourceType"] == "Patient")
        systems = {identifier["system"] for identifier in patient["identifier"]}
        # Demo identities are not qualified: the INS must not leave the computer.
        assert systems == {URI_SYSTEM}
        for practitioner in (r for r in resources if r["resourceType"] == "Practitioner"):
            for identifier in practitioner.get("identifier", []):
                if identifier["system"] == IDNPS_SYSTEM:
                    assert identifier["value"].startswith("8")
                    assert len(identifier["value"]) == 12
        responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
        grids = {r["url"]: r for r in resources if r["resourceType"] == "Questionnaire"}
        assert row.escap_id is not None
        overview = demo.escaps.overview(row.escap_id)
        assert len(responses) == len(overview.assessments)
        for assessment, response in zip(overview.assessments, responses, strict=True):
            grid = grids[response["questionnaire"]]
            assert grid["version"] == assessment.grid_version
            used = demo.escaps.grids.get(assessment.grid_id, assessment.grid_version)
            link_ids = [item["linkId"] for group in grid["item"] for item in group.get("item", [])]
            assert link_ids == [item.id for item in used.items]
        assert exported_entries(demo, row.patient_id) >= 1


def test_fhir_carries_the_ins_once_the_identity_is_qualified(
    demo: Practice, tmp_path: Path
) -> None:
    row = next(r for r in demo.patients.summaries() if r.escap_state is EscapState.ACTIVE)
    patient = demo.patients.qualify_identity(row.patient_id, "carte_identite")
    target = demo.exports.fhir(row.patient_id, tmp_path / "qualifie.json")
    resources = [e["resource"] for e in json.loads(target.read_text(encoding="utf-8"))["entry"]]
    fhir_patient = next(r for r in resources if r["resourceType"] == "Patient")
    ins = [i for i in fhir_patient["identifier"] if i["system"] in (INS_NIR_SYSTEM, INS_NIA_SYSTEM)]
    assert [i["value"] for i in ins] == [patient.ins]
    assert ins[0]["system"] == INS_NIR_SYSTEM
    rpps = {
        p.identifier
        for p in demo.escaps.overview(row.escap_id or "").members
        for p in [p.professional]
        if p.identifier_kind is IdentifierKind.RPPS
    }
    idnps = {
        i["value"]
        for r in resources
        if r["resourceType"] == "Practitioner"
        for i in r.get("identifier", [])
        if i["system"] == IDNPS_SYSTEM
    }
    assert {"8" + number for number in rpps} <= idnps


def test_fhir_refuses_unknown_patients_and_patients_without_escap(
    demo: Practice, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="Patient introuvable"):
        demo.exports.fhir("0" * 32, tmp_path / "x.json")
    without = next(r for r in demo.patients.summaries() if r.escap_state is None)
    with pytest.raises(NotFoundError, match="n'a pas d'ESCAP"):
        demo.exports.fhir(without.patient_id, tmp_path / "x.json")
    active = next(r for r in demo.patients.summaries() if r.escap_state is EscapState.ACTIVE)
    with pytest.raises(ExportError, match="n'existe pas"):
        demo.exports.fhir(active.patient_id, tmp_path / "absent" / "x.json")
