"""``escap patients`` and ``escap export ...`` on a demo practice made by ``escap demo``."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pypdf
import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import EscapState, MembershipStatus
from escap_desktop.exports.fhir import validate_fhir_bundle
from escap_desktop.services.practice import open_practice
from tests.support.clock import frozen_clock
from tests.support.memory_keyring import MemoryKeyring

ID = re.compile(r"\b[0-9a-f]{32}\b")


@pytest.fixture(scope="module")
def module_keyring() -> Iterator[MemoryKeyring]:
    """One keyring for the whole module, so the demo store made once opens in every test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def memory_keyring(module_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """Replaces the per-test empty keyring of tests/conftest.py with the module's."""
    keyring.set_keyring(module_keyring)
    monkeypatch.delenv("ESCAP_PASSPHRASE", raising=False)
    return module_keyring


@dataclass(frozen=True)
class Demo:
    data_dir: Path
    clock: FrozenClock
    by_state: dict[EscapState | None, list[str]]
    names: dict[str, str]
    pending_invitation: str
    answered_invitation: str

    def args(self, *rest: str) -> list[str]:
        return ["--data-dir", str(self.data_dir), *rest]

    def patient(self, state: EscapState | None) -> str:
        return self.by_state[state][0]


@pytest.fixture(scope="module")
def demo(module_keyring: MemoryKeyring, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    data_dir = tmp_path_factory.mktemp("cli") / "donnees"
    clock = frozen_clock()  # the module's demo outlives one test's clock fixture
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ESCAP_PASSPHRASE", raising=False)
        assert main(["--data-dir", str(data_dir), "demo", "--patients", "40"], clock) == 0
        practice = open_practice(data_dir, clock=clock)
    try:
        rows = practice.patients.summaries()
        by_state: dict[EscapState | None, list[str]] = {}
        for row in rows:
            by_state.setdefault(row.escap_state, []).append(row.patient_id)
        memberships = [
            member.membership
            for row in rows
            if row.escap_state is EscapState.FORMING and row.escap_id
            for member in practice.escaps.overview(row.escap_id).members
        ]
    finally:
        practice.close()
    return Demo(
        data_dir=data_dir,
        clock=clock,
        by_state=by_state,
        names={row.patient_id: row.display_name for row in rows},
        pending_invitation=next(m.id for m in memberships if m.status is MembershipStatus.INVITED),
        answered_invitation=next(
            m.id for m in memberships if m.status is MembershipStatus.ACCEPTED
        ),
    )


def run(capsys: pytest.CaptureFixture[str], demo: Demo, *args: str) -> tuple[int, str, str]:
    code = main(demo.args(*args), demo.clock)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def assert_one_french_error(code: int, out: str, err: str, expected: str) -> None:
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("escap : ")
    assert expected in err


# --- patients ---------------------------------------------------------------------------------


def test_patients_lists_ids_names_and_states(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, demo, "patients")
    assert code == 0
    assert set(ID.findall(out)) == set(demo.names)
    assert "Active" in out
    assert "sans ESCAP" in out
    assert out.rstrip().endswith(f"{len(demo.names)} patients.")

    patient_id = demo.patient(EscapState.ACTIVE)
    family = demo.names[patient_id].split(" ")[0]
    code, out, _ = run(capsys, demo, "patients", "--search", family)
    assert code == 0
    assert patient_id in out
    assert len(ID.findall(out)) < len(demo.names)


def test_patients_needs_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(tmp_path), "patients"])
    captured = capsys.readouterr()
    assert_one_french_error(code, captured.out, captured.err, "Aucun profil de professionnel")


# --- printed documents ------------------------------------------------------------------------


def test_consent_form_is_written_with_its_reference(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = demo.patient(EscapState.ASSESSED)
    out_file = tmp_path / "consentement.pdf"
    code, out, _ = run(
        capsys, demo, "export", "consent-form", "--patient", patient_id, "--out", str(out_file)
    )
    assert code == 0
    assert str(out_file) in out
    reference = re.search(r"ESCAP-CF-[0-9A-Z]{4}-[0-9A-Z]{4}", out)
    assert reference is not None
    text = pdf_text(out_file)
    assert reference.group() in text
    assert demo.names[patient_id].split(" ")[0] in text


def test_consent_form_of_an_unknown_patient_is_one_french_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "x.pdf"
    result = run(
        capsys, demo, "export", "consent-form", "--patient", "inconnu", "--out", str(out_file)
    )
    assert_one_french_error(*result, "Patient introuvable (identifiant inconnu)")
    assert not out_file.exists()


def test_invitation_by_membership(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "invitation.pdf"
    code, out, _ = run(
        capsys,
        demo,
        "export",
        "invitation",
        "--membership",
        demo.pending_invitation,
        "--out",
        str(out_file),
    )
    assert code == 0
    assert "Lettre d'invitation, référence ESCAP-IN-" in out
    assert "nondisponible" in pdf_text(out_file)


def test_invitation_already_answered_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(
        capsys,
        demo,
        "export",
        "invitation",
        "--membership",
        demo.answered_invitation,
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert_one_french_error(*result, "a déjà reçu une réponse")
    result = run(capsys, demo, "export", "invitation", "--out", str(tmp_path / "x.pdf"))
    assert_one_french_error(*result, "--membership")


def test_care_plan_names_the_patient(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = demo.patient(EscapState.ACTIVE)
    out_file = tmp_path / "plan.pdf"
    code, _, _ = run(
        capsys, demo, "export", "care-plan", "--patient", patient_id, "--out", str(out_file)
    )
    assert code == 0
    assert re.sub(r"\s+", "", demo.names[patient_id]) in pdf_text(out_file)


def test_care_plan_before_the_team_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = demo.patient(EscapState.ASSESSED)
    result = run(
        capsys, demo, "export", "care-plan", "--patient", patient_id, "--out", str(tmp_path / "x")
    )
    assert_one_french_error(*result, "en constitution")


def test_grid_report_defaults_to_a_file_named_by_its_reference(
    demo: Demo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    patient_id = demo.patient(EscapState.CLOSED)
    code, out, _ = run(capsys, demo, "export", "grid-report", "--patient", patient_id)
    assert code == 0
    [written] = list(tmp_path.glob("grille-inclusion-ESCAP-GR-*.pdf"))
    assert str(written) in out
    assert demo.names[patient_id] not in written.name


def test_grid_report_without_a_grid_or_to_a_missing_folder_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = demo.patient(EscapState.DRAFT)
    result = run(
        capsys, demo, "export", "grid-report", "--patient", draft, "--out", str(tmp_path / "x")
    )
    assert_one_french_error(*result, "Aucune grille d'inclusion")
    active = demo.patient(EscapState.ACTIVE)
    missing = tmp_path / "absent" / "grille.pdf"
    result = run(capsys, demo, "export", "grid-report", "--patient", active, "--out", str(missing))
    assert_one_french_error(*result, "n'existe pas")


# --- evaluation -------------------------------------------------------------------------------


def test_evaluation_writes_and_prints_three_files(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "evaluation.csv"
    today = demo.clock.today()
    code, out, _ = run(
        capsys,
        demo,
        "export",
        "evaluation",
        "--from",
        "31/03/2025",
        "--to",
        today.isoformat(),
        "--out",
        str(out_file),
    )
    assert code == 0
    expected = [
        out_file,
        tmp_path / "evaluation-professionnels.csv",
        tmp_path / "evaluation-synthese.pdf",
    ]
    assert out.splitlines()[1:] == [str(path) for path in expected]
    assert f"au {today:%d/%m/%Y}" in out.splitlines()[0]
    assert all(path.is_file() for path in expected)
    csv_text = out_file.read_text(encoding="utf-8-sig")
    assert not any(name in csv_text for name in demo.names.values())


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("31/02/2025", "01/01/2026", "n'existe pas"),
        ("2025/01/01", "01/01/2026", "doit être écrite JJ/MM/AAAA"),
        ("01/01/2026", "2025-01-01", "est postérieure à la date --to"),
    ],
)
def test_evaluation_refuses_wrong_dates(
    demo: Demo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    date_from: str,
    date_to: str,
    message: str,
) -> None:
    out_file = tmp_path / "e.csv"
    args = ("--from", date_from, "--to", date_to, "--out", str(out_file))
    assert_one_french_error(*run(capsys, demo, "export", "evaluation", *args), message)
    assert not out_file.exists()


def test_evaluation_to_an_unwritable_place_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--from", "01/01/2025", "--to", "01/01/2026", "--out", str(tmp_path / "a" / "e.csv"))
    assert_one_french_error(*run(capsys, demo, "export", "evaluation", *args), "n'existe pas")


# --- FHIR -------------------------------------------------------------------------------------


def test_fhir_bundle_is_written_and_valid(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "patient.json"
    patient_id = demo.patient(EscapState.ACTIVE)
    code, out, _ = run(
        capsys, demo, "export", "fhir", "--patient", patient_id, "--out", str(out_file)
    )
    assert code == 0
    assert str(out_file) in out
    bundle = json.loads(out_file.read_text(encoding="utf-8"))
    validate_fhir_bundle(bundle)
    assert bundle["type"] == "collection"


def test_fhir_of_a_patient_without_escap_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = demo.patient(None)
    result = run(
        capsys, demo, "export", "fhir", "--patient", patient_id, "--out", str(tmp_path / "x")
    )
    assert_one_french_error(*result, "n'a pas d'ESCAP")
