"""The log file is safe to e-mail to support: a whole demo practice run at DEBUG leaves no
patient name and no NIR in it, even when a careless call or a chatty library tries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from escap_desktop.core.entities import Patient
from escap_desktop.logging_setup import (
    LOG_DIR_ENV,
    log_store_writes,
    redact,
    safe,
    setup_logging,
    teardown_logging,
)
from escap_desktop.services.backup import create_backup
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.practice import build_practice
from escap_desktop.store import open_store
from tests.backup.conftest import cheap_kdf


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "journaux"
    monkeypatch.setenv(LOG_DIR_ENV, str(folder))
    yield folder
    teardown_logging()


def _all_log_text(folder: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))


def test_a_demo_practice_at_debug_leaves_no_name_and_no_nir_in_the_logs(
    log_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log_path = setup_logging("DEBUG")
    assert log_path == log_folder / "escap-desktop.log"
    # A developer switching SQLAlchemy's SQL echo on (its INFO lines carry the parameters).
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # restored after the test
    careless = logging.getLogger("escap_desktop.test")

    store = open_store(tmp_path / "donnees", "phrase de passe du test")
    log_store_writes(store)
    practice = build_practice(store, tmp_path / "donnees")
    for _ in generate_demo(
        store, practice.escaps.current_grid(), practice.billing.config, patients=15, seed=5
    ):
        pass
    with store.unit_of_work(None) as uow:
        patients = uow.find(Patient)
    for summary in practice.patients.summaries():
        practice.patients.get(summary.patient_id)
        if summary.escap_id:
            overview = practice.escaps.overview(summary.escap_id)
            practice.messages.thread(summary.escap_id)
            practice.events.timeline(summary.escap_id)
            practice.billing.status(summary.escap_id)
            careless.info("ouverture de %s (%s)", overview.patient.birth_name, summary.ins)
            careless.debug(f"NIR lu : {summary.ins}")
        careless.debug("patient %s, état %s", summary.patient_id, summary.escap_state)
    try:
        raise ValueError(f"identité refusée : {patients[0].birth_name} {patients[0].ins}")
    except ValueError:
        careless.exception("échec de l'identité du patient %s", patients[0].id)
    run_backup = create_backup(
        store, tmp_path / "s.escap-sauvegarde", "phrase de sauvegarde", kdf=cheap_kdf()
    )
    for _ in run_backup:
        pass
    practice.close()
    teardown_logging()

    text = _all_log_text(log_folder)
    assert "écriture Patient " in text  # the writes are logged, as record types and ids
    assert f"patient {patients[0].id}" in text
    assert "sauvegarde : écrite" in text
    assert "ValueError: ‹masqué›" in text
    assert "‹NIR masqué›" in text
    assert "sqlalchemy" not in text
    assert len(patients) == 15
    for patient in patients:
        for value in (patient.birth_name, patient.used_name, patient.first_names, patient.ins):
            if value:
                assert value not in text, value
        for first_name in patient.first_names.split():
            assert f" {first_name} " not in text, first_name
        assert patient.ins[:13] not in text


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(log_folder: Path) -> None:
    setup_logging("INFO", max_bytes=2_000, backup_count=3)
    logger = logging.getLogger("escap_desktop.test")
    for index in range(200):
        logger.info("événement %s de type %s", index, safe("essai"))
    teardown_logging()

    names = sorted(path.name for path in log_folder.iterdir())
    assert names == [
        "escap-desktop.log",
        "escap-desktop.log.1",
        "escap-desktop.log.2",
        "escap-desktop.log.3",
    ]
    assert all(path.stat().st_size <= 2_200 for path in log_folder.iterdir())
    assert "événement 199 de type essai" in (log_folder / "escap-desktop.log").read_text("utf-8")


def test_an_unwritable_log_folder_never_stops_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv(LOG_DIR_ENV, str(blocker / "journaux"))
    assert setup_logging() is None
    logging.getLogger("escap_desktop.test").warning("toujours possible")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("NIR 2 48 02 75 056 123 45 lu", "NIR ‹NIR masqué› lu"),
        ("ins=248027505612345;", "ins=‹NIR masqué›;"),
        ("corse 185022A012345", "corse ‹NIR masqué›"),
        ("tél. 06 12 34 56 78", "tél. ‹téléphone masqué›"),
        ("écrire à jeanne.martin@exemple.fr", "écrire à ‹adresse masquée›"),
        ("id 0123456789abcdef0123456789abcdef", "id 0123456789abcdef0123456789abcdef"),
        ("RPPS 10000000001 invité", "RPPS 10000000001 invité"),
    ],
)
def test_redaction_masks_identifiers_but_keeps_record_ids(line: str, expected: str) -> None:
    assert redact(line) == expected
