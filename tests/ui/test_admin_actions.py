"""Practice-wide actions from the main window, on a real practice: the evaluation and FHIR
exports, the patient's access journal and its printout, forgetting this computer, and this
device's fingerprint in the profile."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from escap_desktop.services.forget import CONFIRMATION
from escap_desktop.services.practice import Practice
from escap_desktop.store import store_path
from escap_desktop.ui.admin.audit_dialog import AuditTrailDialog
from escap_desktop.ui.admin.evaluation_export_dialog import EvaluationExportDialog
from escap_desktop.ui.admin.forget_dialog import ForgetDialog
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.main_window.profile_dialog import FINGERPRINT_HINT, NOT_CONFIGURED
from tests.ui.conftest import NURSE, assessed_patient, forming_team
from tests.ui.main_window_driver import open_main_window
from tests.ui.save_dialog import SaveTo
from tests.ui.typing import type_text

LEFT = Qt.MouseButton.LeftButton


def _shot(widget: QWidget, name: str) -> None:
    """Saves a screenshot when ESCAP_SCREENSHOTS_DIR is set (to check the French text fits)."""
    folder = os.environ.get("ESCAP_SCREENSHOTS_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def chooser(tmp_path: Path) -> SaveTo:
    out = tmp_path / "sorties"
    out.mkdir()
    return SaveTo(out / "export.csv")


@pytest.fixture
def quits() -> list[bool]:
    return []


@pytest.fixture
def main(
    qtbot: QtBot, shell: Shell, practice: Practice, chooser: SaveTo, quits: list[bool]
) -> Iterator[MainController]:
    controller = open_main_window(
        qtbot,
        practice,
        shell,
        size=(1366, 768),
        save_chooser=chooser,
        quit_app=lambda: quits.append(True),
    )
    yield controller
    controller.shutdown()


def test_evaluation_export_writes_its_three_files(
    qtbot: QtBot, practice: Practice, main: MainController, chooser: SaveTo
) -> None:
    assessed_patient(practice)
    main.window.evaluation_export_action.trigger()
    dialog = main.dialog
    assert isinstance(dialog, EvaluationExportDialog)
    assert dialog.date_from.text() == "31/03/2025"
    assert dialog.date_to.date().toPython() == practice.clock.today()
    qtbot.mouseClick(dialog.browse, LEFT)
    assert dialog.out.text() == str(chooser.path)

    with qtbot.waitSignal(dialog.exported, timeout=20_000) as written:
        qtbot.mouseClick(dialog.export_button, LEFT)
    paths = written.args[0].paths
    assert [p.name for p in paths] == [
        "export.csv",
        "export-professionnels.csv",
        "export-synthese.pdf",
    ]
    assert all(p.exists() for p in paths)
    assert paths[2].read_bytes().startswith(b"%PDF")
    shown = dialog.result.toPlainText()
    assert str(paths[0].parent) in shown
    for path in paths:
        assert path.name in shown
    _shot(dialog, "export-evaluation")


def test_evaluation_export_of_a_reversed_period_says_why_in_the_dialog(
    qtbot: QtBot, practice: Practice, main: MainController, chooser: SaveTo
) -> None:
    main.window.evaluation_export_action.trigger()
    dialog = main.dialog
    assert isinstance(dialog, EvaluationExportDialog)
    dialog.out.setText(str(chooser.path))
    dialog.date_to.setDate(QDate(2025, 1, 1))
    qtbot.mouseClick(dialog.export_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.error.isVisible()
    assert dialog.error.text()
    assert not chooser.path.exists()
    _shot(dialog, "export-evaluation-erreur")


def test_fhir_export_from_the_escap_page_writes_json(
    qtbot: QtBot, practice: Practice, main: MainController, chooser: SaveTo
) -> None:
    patient_id, _escap_id = forming_team(practice)
    chooser.path = chooser.path.with_name("dossier.json")
    main.open_patient(patient_id)
    page = main.pages[patient_id]
    _shot(main.window, "page-escap")
    with qtbot.waitSignal(main.fhir_exported, timeout=20_000) as written:
        qtbot.mouseClick(page.view.fhir_button, LEFT)
    assert written.args[0] == str(chooser.path)
    bundle = json.loads(chooser.path.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert chooser.titles == ["Exporter en FHIR"]


def test_access_journal_lists_the_opening_and_prints_a_pdf(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    patient_id, _escap_id = forming_team(practice)
    main.open_patient(patient_id)
    page = main.pages[patient_id]
    qtbot.mouseClick(page.view.audit_button, LEFT)
    dialog = main.dialog
    assert isinstance(dialog, AuditTrailDialog)
    rows = dialog.rows()
    assert ("Dr Marie LEFÈVRE", "Consultation", "Dossier du patient") in [r[1:] for r in rows]
    assert [dialog.table.horizontalHeaderItem(c).text() for c in range(4)] == [
        "Date",
        "Professionnel",
        "Action",
        "Élément",
    ]
    _shot(dialog, "journal-acces")
    with qtbot.waitSignal(main.documents.shown, timeout=20_000) as shown:
        qtbot.mouseClick(dialog.print_button, LEFT)
    preview = shown.args[0]
    assert preview.content.startswith(b"%PDF")
    assert preview.parentWidget() is dialog
    assert preview.page_count >= 1
    preview.reject()


def test_access_journal_from_the_menu_needs_a_patient(qtbot: QtBot, main: MainController) -> None:
    with qtbot.waitSignal(main.shell.errors.message_posted) as posted:
        main.window.audit_action.trigger()
    assert "patient" in posted.args[0]


def test_forget_this_computer_needs_the_exact_phrase_then_removes_the_store(
    qtbot: QtBot, practice: Practice, main: MainController, data_dir: Path, quits: list[bool]
) -> None:
    store_file = store_path(data_dir)
    assert store_file.exists()
    main.window.forget_action.trigger()
    dialog = main.dialog
    assert isinstance(dialog, ForgetDialog)
    assert store_file.name in dialog.plan_text.toPlainText()

    type_text(dialog.phrase, "oublier ce post")
    qtbot.mouseClick(dialog.forget_button, LEFT)
    assert dialog.error.isVisible()
    assert CONFIRMATION in dialog.error.text()
    assert "rien n'a été supprimé" in dialog.error.text()
    assert store_file.exists()
    assert practice.patients.summaries() == []  # the practice still works
    _shot(dialog, "oublier-erreur")

    dialog.phrase.clear()
    type_text(dialog.phrase, CONFIRMATION)
    qtbot.keyClick(dialog.phrase, Qt.Key.Key_Return)  # from the keyboard
    assert not store_file.exists()
    assert "va se fermer" in dialog.plan_text.toPlainText()
    assert quits == []
    button = dialog.close_button
    assert button.text().replace("&", "") == "Fermer ESCAP Desktop"
    qtbot.waitUntil(lambda: button.width() >= button.sizeHint().width())  # laid out again
    _shot(dialog, "oublier-fait")
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert quits == [True]


def test_profile_shows_this_device_fingerprint(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    main.window.profile_action.trigger()
    dialog = main.profile_dialog
    assert dialog is not None
    assert dialog.fingerprint.text() == NOT_CONFIGURED
    dialog.reject()

    fingerprint = practice.sync.set_up("http://127.0.0.1:9")
    assert fingerprint
    main.window.profile_action.trigger()
    dialog = main.profile_dialog
    assert dialog is not None
    assert dialog.fingerprint.text() == fingerprint == practice.sync.fingerprint()
    assert dialog.fingerprint.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert FINGERPRINT_HINT in [
        label.text() for label in dialog.findChildren(type(dialog.fingerprint))
    ]
    _shot(dialog, "profil-empreinte")
    dialog.reject()


def test_team_tab_shows_the_selected_member_fingerprint_once_sync_is_set_up(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    patient_id, _escap_id = forming_team(practice)
    main.open_patient(patient_id)
    members = main.pages[patient_id].view.members
    assert not members.fingerprint_label.isVisible()  # no sync, nothing to compare
    main.window.close_tab_action.trigger()
    assert patient_id not in main.pages

    fingerprint = practice.sync.set_up("http://127.0.0.1:9")
    main.open_patient(patient_id)
    members = main.pages[patient_id].view.members
    me = practice.profile.current()
    assert me is not None
    assert members.select_professional(me[1].id)
    assert members.fingerprint_label.text() == f"Empreinte de ce poste : {fingerprint}"
    nurse = next(p.id for p in practice.professionals.list() if p.identifier == NURSE.identifier)
    assert members.select_professional(nurse)
    assert "pas encore connue" in members.fingerprint_label.text()
    assert members.fingerprint_label.isVisible()
    _shot(main.window, "equipe-empreinte")
