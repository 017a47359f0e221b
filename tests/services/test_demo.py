"""The demo practice: what a new user sees on first launch must be realistic and complete."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from stdnum.fr import nir

from escap_desktop.cli.main import main
from escap_desktop.core.entities import (
    Action,
    AuditEntry,
    AuditKind,
    BillingRecord,
    Consent,
    Escap,
    EscapState,
    Event,
    GridAssessment,
    Membership,
    Message,
    Patient,
)
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store, patient_list
from tests.support.clock import frozen_clock

DEMO_PASSPHRASE = "phrase de passe de démonstration"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Practice:
    folder = tmp_path_factory.mktemp("demo")
    # Passphrase mode: a module-wide store must not depend on the per-test keyring. A module
    # fixture outlives the per-test clock: a clock from the same start.
    clock = frozen_clock()
    store = open_store(folder, passphrase=DEMO_PASSPHRASE, clock=clock)
    practice = build_practice(store, folder)
    steps = list(
        generate_demo(
            store,
            practice.escaps.current_grid(),
            practice.billing.config,
            patients=120,
            today=clock.today(),
        )
    )
    assert steps[-1].done == 120
    return practice


def test_demo_has_escaps_in_every_state(demo: Practice) -> None:
    states = Counter(row.escap_state for row in demo.patients.summaries())
    assert set(EscapState) <= set(states)
    assert states[None] > 0  # some patients have no ESCAP yet


def test_demo_identities_are_valid_and_french(demo: Practice) -> None:
    rows = demo.patients.summaries()
    assert all(nir.is_valid(row.ins) for row in rows)
    names = " ".join(row.display_name for row in rows)
    assert any(c in names for c in "éèëï")
    assert "'" in names or "-" in names


def test_active_demo_teams_meet_the_team_rules(demo: Practice) -> None:
    active = [r for r in demo.patients.summaries() if r.escap_state is EscapState.ACTIVE]
    assert active
    for row in active:
        assert row.escap_id is not None
        assert demo.escaps.team_problems(row.escap_id) == []
        overview = demo.escaps.overview(row.escap_id)
        assert overview.messages
        assert overview.actions


def test_demo_patients_open_as_full_records(demo: Practice) -> None:
    row = demo.patients.summaries()[0]
    assert isinstance(demo.patients.get(row.patient_id), Patient)


def test_cli_demo_creates_then_refuses_a_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "30"]) == 0
    assert "30 patients" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "30"]) == 1
    assert "contient déjà des données" in capsys.readouterr().err


def test_demo_store_file_shows_no_patient_name_or_nir(demo: Practice) -> None:
    """The file on disk (and its WAL) must not leak any demo identity in clear.

    Names of 7 letters or more only: megabytes of ciphertext hold a given 4-letter sequence
    now and then by chance (« Roux » did, once), a 7-letter one practically never; a store
    written in clear would show every name, the long ones too."""
    rows = demo.patients.summaries()
    raw = b"".join(path.read_bytes() for path in demo.data_dir.iterdir() if path.is_file())
    checked = 0
    for row in rows:
        assert row.ins.encode() not in raw
        for name in (row.birth_name, row.first_names.split()[0]):
            if len(name.encode()) >= 7:
                assert name.encode() not in raw, name
                checked += 1
    assert checked >= len(rows) // 2  # enough names to tell


def test_demo_records_are_each_audited_once_as_created_with_their_patient(
    demo: Practice,
) -> None:
    """The demo writes in bulk; every record still has its audit entry, in the same store."""
    with demo.store.unit_of_work(None) as uow:
        created = {
            (e.entity_type, e.entity_id): e.patient_id
            for e in uow.find(AuditEntry, kind=AuditKind.CREATED)
        }
        assert len(created) == len(uow.find(AuditEntry, kind=AuditKind.CREATED))
        stored: dict[tuple[str, str], str | None] = {}
        for patient in uow.find(Patient):
            stored[("Patient", patient.id)] = patient.id
        patients = {}
        for escap in uow.find(Escap):
            stored[("Escap", escap.id)] = patients[escap.id] = escap.patient_id
        for entity_type in (
            GridAssessment,
            Consent,
            Membership,
            Action,
            Message,
            Event,
            BillingRecord,
        ):
            for record in uow.find(entity_type):
                stored[(entity_type.__name__, record.id)] = patients[record.escap_id]
    patient_records = {key: value for key, value in created.items() if value is not None}
    assert patient_records == stored


def test_demo_patient_list_figures_match_a_full_recomputation(demo: Practice) -> None:
    with demo.store.unit_of_work(None) as uow:
        kept = uow.patient_summaries()
        patient_list.refresh(uow.session)
        assert patient_list.patient_summaries(uow.session) == kept
        uow.session.rollback()
