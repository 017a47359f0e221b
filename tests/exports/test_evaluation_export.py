"""The evaluation export: pseudonymised, one line per episode, readable by Excel in French."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from escap_desktop.core.entities import (
    Escap,
    EscapState,
    Patient,
    Sex,
)
from escap_desktop.core.rules.indicators import EpisodeBundle, summarise_indicators
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.evaluation import (
    EVALUATION_COLUMNS,
    PROFESSIONAL_COLUMNS,
    build_evaluation_rows,
    build_professional_rows,
    write_evaluation_csv,
    write_professional_csv,
)
from escap_desktop.exports.evaluation_summary import write_evaluation_summary_pdf
from escap_desktop.exports.pseudonym import age_band, patient_key
from tests.exports.practice import PERIOD, Practice

SALT = b"sel-de-cette-installation-0001"


def fold(text: str) -> str:
    """Lower case without accents, so "LEFÈVRE" or "lefevre" are found as well."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def direct_identifiers(practice: Practice) -> list[str]:
    """Everything that names a patient, a caregiver or a professional of the practice."""
    found: list[str] = []
    for patient in practice.patients:
        found += [patient.birth_name, patient.used_name, *patient.first_names.split()]
        found += [patient.phone, patient.address, patient.address.split(",")[0]]
        if patient.ins:
            found += [patient.ins, patient.ins[:13]]
        birth = patient.birth_date
        found += [f"{birth:%d/%m/%Y}", birth.isoformat(), f"{birth:%d%m%Y}", f"{birth:%Y%m%d}"]
        for caregiver in patient.caregivers:
            found += [caregiver.full_name, caregiver.phone]
    for professional in practice.professionals:
        found += [professional.last_name, professional.first_name, professional.mssante]
        if professional.identifier:
            found += [professional.identifier, professional.national_id]
    return [value for value in found if value and len(value) >= 3]


def leaks_in(text: str, identifiers: list[str]) -> list[str]:
    """Identifiers found as such, or as a whole word once case and accents are ignored."""
    folded = fold(text)
    return [
        value
        for value in identifiers
        if value in text or re.search(rf"(?<!\w){re.escape(fold(value))}(?!\w)", folded)
    ]


def test_leak_detector_finds_a_planted_identity(practice: Practice, tmp_path: Path) -> None:
    """Guards the test above: an identity slipped into a cell is caught, in any case."""
    patient = practice.patients[3]
    rows = build_evaluation_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    for planted in (patient.birth_name.upper(), f"{patient.birth_date:%d/%m/%Y}", patient.ins):
        rows[0]["Version de la grille"] = planted
        text = write_evaluation_csv(rows, tmp_path / "e.csv").read_text("utf-8-sig")
        assert leaks_in(text, direct_identifiers(practice)) != []


def written_exports(practice: Practice, folder: Path) -> dict[str, str]:
    episodes = build_evaluation_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    people = build_professional_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    write_evaluation_csv(episodes, folder / "episodes.csv")
    write_professional_csv(people, folder / "professionnels.csv")
    summary = summarise_indicators(practice.bundles, *PERIOD, tz=UTC)
    write_evaluation_summary_pdf(summary, folder / "synthese.pdf", generated_on=date(2026, 10, 1))
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(folder / "synthese.pdf").pages)
    return {
        "episodes.csv": (folder / "episodes.csv").read_text(encoding="utf-8-sig"),
        "professionnels.csv": (folder / "professionnels.csv").read_text(encoding="utf-8-sig"),
        "synthese.pdf": pdf_text,
    }


def test_exports_contain_no_direct_identifier(practice: Practice, tmp_path: Path) -> None:
    exports = written_exports(practice, tmp_path)
    identifiers = direct_identifiers(practice)
    assert len(practice.patients) >= 30

    for name, text in exports.items():
        assert leaks_in(text, identifiers) == [], f"{name} contient des données identifiantes"
    # The NIR must not appear even with the spaces of the carte Vitale.
    digits_only = re.sub(r"\D", "", exports["episodes.csv"])
    for patient in practice.patients:
        if patient.ins and patient.ins.isdigit():
            assert patient.ins not in digits_only


def test_every_episode_in_the_period_has_one_line(practice: Practice) -> None:
    rows = build_evaluation_rows(practice.bundles, SALT, *PERIOD, tz=UTC)

    expected = [
        b
        for b in practice.bundles
        if not (b.escap.state is EscapState.DRAFT and not b.assessments)
        and b.escap.created_at.date() <= PERIOD[1]
        and (b.escap.closed_at is None or b.escap.closed_at.date() >= PERIOD[0])
    ]
    assert len(expected) < len(practice.bundles)
    assert len(rows) == len(expected)
    assert all(list(row) == list(EVALUATION_COLUMNS) for row in rows)
    keys = {row["Clé patient"] for row in rows}
    assert len(keys) == len({b.patient.id for b in expected})
    assert all(re.fullmatch(r"[0-9a-f]{16}", key) for key in keys)


def test_csv_opens_in_french_excel(practice: Practice, tmp_path: Path) -> None:
    rows = build_evaluation_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    path = write_evaluation_csv(rows, tmp_path / "evaluation.csv")
    raw = path.read_bytes()

    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:3] == ["Clé patient", "Épisode", "Tranche d'âge"]
    read_back = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert read_back == rows
    dates = [row["Date d'évaluation"] for row in read_back if row["Date d'évaluation"]]
    assert dates
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", d) for d in dates)


def test_professional_file_counts_without_naming(practice: Practice, tmp_path: Path) -> None:
    rows = build_professional_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    path = write_professional_csv(rows, tmp_path / "professionnels.csv")

    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(";") == list(PROFESSIONAL_COLUMNS)
    assert {row["Profession"] for row in rows} >= {"Médecin", "Infirmier"}
    assert sum(int(row["Entrées facturées"]) for row in rows) == sum(
        1
        for b in practice.bundles
        for r in b.billing_records
        if r.kind.value == "entree" and PERIOD[0] <= r.billed_on <= PERIOD[1]
    )
    patient_keys = {patient_key(SALT, p.id) for p in practice.patients}
    assert not patient_keys & {row["Clé professionnel"] for row in rows}


def test_patient_key_is_salted_stable_and_not_a_plain_hash(practice: Practice) -> None:
    patient = practice.patients[0]

    assert patient_key(SALT, patient.id) == patient_key(SALT, patient.id)
    assert patient_key(SALT, patient.id) != patient_key(b"une-autre-installation", patient.id)
    assert patient_key(SALT, patient.id) not in hashlib.sha256(patient.id.encode()).hexdigest()
    with pytest.raises(ExportError, match="trop courte"):
        patient_key(b"court", patient.id)


def test_restarted_escap_keeps_the_same_patient_key(practice: Practice) -> None:
    rows = build_evaluation_rows(practice.bundles, SALT, *PERIOD, tz=UTC)
    restarted = [row for row in rows if row["Épisode"] == "2"]

    assert restarted
    for row in restarted:
        first = [r for r in rows if r["Clé patient"] == row["Clé patient"] and r["Épisode"] == "1"]
        assert len(first) == 1


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, ""),
        (40, "<65"),
        (64, "<65"),
        (65, "65-74"),
        (74, "65-74"),
        (75, "75-84"),
        (84, "75-84"),
        (85, "85+"),
        (103, "85+"),
    ],
)
def test_age_bands(age: int | None, band: str) -> None:
    assert age_band(age) == band


def _lonely_bundle(**escap_fields: object) -> EpisodeBundle:
    patient = Patient("Testard", "Yves", date(1940, 1, 1), Sex.MALE)
    escap = Escap(
        patient_id=patient.id,
        created_by="x",
        created_at=datetime(2025, 5, 1, 9, tzinfo=UTC),
        state=EscapState.ASSESSED,
    )
    return EpisodeBundle(escap=replace(escap, **escap_fields), patient=patient)


def test_episodes_outside_the_period_are_left_out() -> None:
    before = _lonely_bundle(
        state=EscapState.CLOSED,
        activated_at=datetime(2025, 5, 2, tzinfo=UTC),
        closed_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    after = _lonely_bundle(created_at=datetime(2026, 1, 2, tzinfo=UTC))
    during = _lonely_bundle()

    rows = build_evaluation_rows(
        [before, after, during], SALT, date(2025, 7, 1), date(2025, 12, 31)
    )

    assert [r["Clé patient"] for r in rows] == [patient_key(SALT, during.patient.id)]


def test_spreadsheet_formulas_are_neutralised(tmp_path: Path) -> None:
    rows = [dict.fromkeys(EVALUATION_COLUMNS, "")]
    rows[0]["Version de la grille"] = '=HYPERLINK("http://exemple.invalid")'
    path = write_evaluation_csv(rows, tmp_path / "e.csv")

    read_back = next(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert read_back["Version de la grille"].startswith("'=")


def test_unwritable_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="n'a pas pu être écrit"):
        write_evaluation_csv([], tmp_path)
