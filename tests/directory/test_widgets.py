"""The directory widgets, driven as a professional would: keyboard, buttons, real imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities.directory import ExtractKind, ImportReport, MssanteImportReport
from escap_desktop.core.entities.professional import (
    IdentifierKind,
    Profession,
    Professional,
    ProfessionalSource,
)
from escap_desktop.services.directory import DirectoryService
from escap_desktop.store.directory.synthetic import (
    SyntheticExtract,
    SyntheticMssante,
    write_extract,
    write_mssante_extract,
)
from escap_desktop.ui.directory import (
    DirectorySearchWidget,
    DirectoryTableModel,
    ImportDirectoryDialog,
)
from escap_desktop.ui.directory.directory_table_model import ENTRY_ROLE
from escap_desktop.ui.runner import OperationCancelledError

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def larger_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several blocks of lines, so an import is still running when it is cancelled."""
    path = tmp_path_factory.mktemp("grand") / "extrait.txt"
    return write_extract(path, 60_000, seed=5).path


def _dialog(qtbot: QtBot, service: DirectoryService) -> ImportDirectoryDialog:
    dialog = ImportDirectoryDialog(service, pool=QThreadPool())
    qtbot.addWidget(dialog)
    return dialog


def _search_widget(qtbot: QtBot, service: DirectoryService) -> DirectorySearchWidget:
    widget = DirectorySearchWidget(service, debounce_ms=10)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _names(widget: DirectorySearchWidget) -> list[str]:
    return [entry.display_name for entry in widget.model.rows]


def test_import_dialog_imports_a_file_and_shows_the_report(
    qtbot: QtBot, service: DirectoryService, synthetic: SyntheticExtract
) -> None:
    dialog = _dialog(qtbot, service)
    assert dialog.current.text() == "Aucun annuaire n'est installé pour l'instant."
    with qtbot.waitSignal(dialog.import_finished, timeout=TIMEOUT_MS) as finished:
        assert dialog.start_import(synthetic.path)
        assert not dialog.import_button.isEnabled()
        assert dialog.cancel_button.isVisibleTo(dialog)
    report = finished.args[0]
    assert isinstance(report, ImportReport)
    assert dialog.progress.value() == 100
    text = dialog.report_view.toPlainText()
    assert text.startswith(report.summary)
    assert "ligne 4 : nombre de champs incorrect" in text
    assert f"Rapport complet : {service.report_path}" in text
    assert dialog.current.text().startswith("Annuaire actuel : importé le ")
    assert dialog.import_button.isEnabled()
    assert service.entry_count() == report.professionals


def test_import_dialog_refuses_a_wrong_file_before_starting(
    qtbot: QtBot, service: DirectoryService, tmp_path: Path
) -> None:
    other = tmp_path / "liste.txt"
    other.write_text("Nom|Ville|\nDUPONT|Lyon|\n", encoding="utf-8")
    dialog = _dialog(qtbot, service)
    with (
        qtbot.assertNotEmitted(dialog.import_finished),
        qtbot.assertNotEmitted(dialog.import_failed),
    ):
        assert not dialog.start_import(other)
    assert "colonnes manquantes dans l'en-tête" in dialog.error_label.text()
    assert not dialog.running


def test_cancelling_an_import_keeps_the_previous_directory(
    qtbot: QtBot, people: DirectoryService, larger_extract: Path
) -> None:
    dialog = _dialog(qtbot, people)
    with qtbot.waitSignal(dialog.import_failed, timeout=TIMEOUT_MS) as failed:
        dialog.start_import(larger_extract)
        assert dialog.runner is not None
        qtbot.waitSignal(dialog.runner.signals.progress, timeout=TIMEOUT_MS).wait()
        dialog.cancel_button.click()
    assert isinstance(failed.args[0], OperationCancelledError)
    assert dialog.error_label.text() == "Import annulé : l'annuaire précédent est conservé."
    assert [e.display_name for e in people.search("lefevre")] == [
        "Dr Marie-Claire Lefèvre",
        "Anne Bourteuil-Lefèvre",
    ]
    assert people.entry_count() == 7
    assert not people.path.with_name("annuaire.db.new").exists()


def test_closing_the_dialog_during_an_import_cancels_it_first(
    qtbot: QtBot, people: DirectoryService, larger_extract: Path
) -> None:
    dialog = _dialog(qtbot, people)
    dialog.show()
    with qtbot.waitSignal(dialog.import_failed, timeout=TIMEOUT_MS):
        dialog.start_import(larger_extract)
        dialog.reject()
        assert dialog.isVisible()  # still there until the import has stopped
    assert not dialog.isVisible()
    assert people.entry_count() == 7


def test_search_as_you_type_then_choose_with_the_keyboard(
    qtbot: QtBot, people: DirectoryService
) -> None:
    widget = _search_widget(qtbot, people)
    qtbot.keyClicks(widget.search_edit, "lefevre")
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2)
    assert widget.status.text() == "2 professionnels trouvés."
    first = widget.model.index(0, DirectoryTableModel.NAME)
    assert first.data() == "Dr Marie-Claire Lefèvre"
    assert widget.model.index(0, DirectoryTableModel.PROFESSION).data() == "Médecin"
    assert widget.model.index(0, DirectoryTableModel.SPECIALTY).data() == "Médecine générale"
    assert widget.model.index(0, DirectoryTableModel.PLACE).data() == (
        "12 Rue PASTEUR, 69003 Lyon 3e Arrondissement (+1 autre)"
    )
    assert widget.model.index(0, DirectoryTableModel.PHONE).data() == "04 78 12 34 56"

    qtbot.keyClick(widget.search_edit, Qt.Key.Key_Down)
    assert widget.table.hasFocus()
    with qtbot.waitSignal(widget.professional_chosen) as chosen:
        qtbot.keyClick(widget.table, Qt.Key.Key_Return)
    professional = chosen.args[0]
    assert isinstance(professional, Professional)
    assert (professional.last_name, professional.first_name) == ("Lefèvre", "Marie-Claire")
    assert professional.source is ProfessionalSource.DIRECTORY
    assert professional.identifier == "10000000001"


def test_enter_in_the_search_field_searches_at_once_and_moves_to_the_results(
    qtbot: QtBot, people: DirectoryService
) -> None:
    widget = DirectorySearchWidget(people, debounce_ms=60_000)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.keyClicks(widget.search_edit, "almeida")
    qtbot.keyClick(widget.search_edit, Qt.Key.Key_Return)
    assert widget.selected_entry() is not None
    with qtbot.waitSignal(widget.professional_chosen) as chosen:
        widget.choose_button.click()
    assert chosen.args[0].profession is Profession.MASSEUR_KINESITHERAPEUTE


def test_profession_and_postcode_filters_narrow_the_results(
    qtbot: QtBot, people: DirectoryService
) -> None:
    widget = _search_widget(qtbot, people)
    labels = [widget.profession_combo.itemText(i) for i in range(widget.profession_combo.count())]
    assert labels[0] == "Toutes les professions"
    assert {"Médecin", "Infirmier", "Pharmacien"} <= set(labels)
    qtbot.keyClicks(widget.search_edit, "lef")
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3)
    widget.profession_combo.setCurrentIndex(widget.profession_combo.findText("Infirmier"))
    qtbot.waitUntil(lambda: _names(widget) == ["Anne Bourteuil-Lefèvre"])
    widget.profession_combo.setCurrentIndex(0)
    qtbot.keyClicks(widget.postcode_edit, "75")
    qtbot.waitUntil(lambda: _names(widget) == ["Dr Marie-Claire Lefèvre"])
    assert widget.model.rows[0].sites[0].postcode == "75015"
    widget.postcode_edit.setText("Lyon")
    qtbot.waitUntil(lambda: widget.model.rowCount() == 0)
    assert "premiers chiffres" in widget.status.text()


def test_one_character_asks_for_more_and_no_directory_says_so(
    qtbot: QtBot, people: DirectoryService, tmp_path: Path
) -> None:
    widget = _search_widget(qtbot, people)
    qtbot.keyClicks(widget.search_edit, "l")
    qtbot.waitUntil(lambda: widget.status.text().startswith("Tapez au moins 2 caractères"))
    empty = _search_widget(qtbot, DirectoryService(tmp_path / "vide"))
    assert empty.status.text().startswith("Aucun annuaire n'est installé")
    assert empty.profession_combo.count() == 1


def test_a_professional_typed_by_hand_is_validated_then_marked_as_such(
    qtbot: QtBot, people: DirectoryService
) -> None:
    widget = _search_widget(qtbot, people)
    widget.manual_button.click()
    dialog = widget.manual_dialog
    assert dialog is not None
    form = dialog.form
    qtbot.keyClicks(form.last_name, "Nguyen")
    qtbot.keyClicks(form.identifier, "1234")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert form.errors.message("first_name") == "Le prénom est obligatoire."
    assert form.errors.message("identifier").startswith("Le numéro RPPS doit comporter 11")

    qtbot.keyClicks(form.first_name, "Linh")
    form.identifier.setText("10000000019")  # fails the Luhn key, as published numbers may
    form.profession.setCurrentIndex(form.profession.findData(Profession.ORTHOPHONISTE))
    with qtbot.waitSignal(widget.professional_chosen) as chosen:
        dialog.ok_button.click()
    professional = chosen.args[0]
    assert professional.source is ProfessionalSource.MANUAL
    assert professional.identifier_kind is IdentifierKind.RPPS
    assert (professional.last_name, professional.first_name) == ("Nguyen", "Linh")


def test_the_table_model_holds_the_entries(
    qtmodeltester: ModelTester, people: DirectoryService
) -> None:
    model = DirectoryTableModel()
    model.set_rows(people.search("lef"))
    qtmodeltester.check(model)
    entry = model.index(2, DirectoryTableModel.PLACE).data(ENTRY_ROLE)
    assert entry.display_name == "Anne Bourteuil-Lefèvre"
    assert model.index(0, DirectoryTableModel.PLACE).data(Qt.ItemDataRole.ToolTipRole) == (
        "2 lieux d'exercice :\n• 12 Rue PASTEUR, 69003 Lyon 3e Arrondissement\n"
        "• 75015 Paris 15e Arrondissement"
    )


@pytest.fixture(scope="module")
def larger_mssante(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MSSanté extract of several blocks, so its import is still running when cancelled."""
    path = tmp_path_factory.mktemp("grand") / "Extraction_Correspondance_MSSante_2.txt"
    return write_mssante_extract(path, 60_000, seed=6).path


def test_the_dialog_imports_both_extracts_then_the_chosen_professional_has_the_address(
    qtbot: QtBot,
    service: DirectoryService,
    synthetic: SyntheticExtract,
    synthetic_mssante: SyntheticMssante,
) -> None:
    dialog = _dialog(qtbot, service)
    with qtbot.waitSignal(dialog.import_finished, timeout=TIMEOUT_MS):
        assert dialog.start_import(synthetic.path)
    assert dialog.kind is ExtractKind.DIRECTORY
    assert dialog.current.text().endswith("\nAdresses MSSanté : pas encore importées.")
    with qtbot.waitSignal(dialog.import_finished, timeout=TIMEOUT_MS) as finished:
        assert dialog.start_import(synthetic_mssante.path)
        assert dialog.progress_label.text() == "Lecture des adresses MSSanté…"
    assert dialog.kind is ExtractKind.MSSANTE
    report = finished.args[0]
    assert isinstance(report, MssanteImportReport)
    assert dialog.progress_label.text() == "Import des adresses MSSanté terminé."
    text = dialog.report_view.toPlainText()
    assert text.startswith(report.summary)
    assert "adresse BAL manquante ou qui n'est pas une adresse e-mail" in text
    assert f"Rapport complet : {service.mssante_report_path}" in text
    assert "\nAdresses MSSanté : importées le " in dialog.current.text()
    assert dialog.current.text().startswith("Annuaire actuel : importé le ")

    national_id = next(n for n, found in synthetic_mssante.addresses.items() if len(found) > 1)
    widget = _search_widget(qtbot, service)
    header = widget.model.headerData(DirectoryTableModel.MSSANTE, Qt.Orientation.Horizontal)
    assert header == "MSSanté"
    qtbot.keyClicks(widget.search_edit, national_id[1:])  # the RPPS or ADELI number
    qtbot.waitUntil(lambda: widget.model.rowCount() >= 1)
    entry = widget.model.rows[0]
    expected = synthetic_mssante.expected(national_id, entry.profession_code)
    cell = widget.model.index(0, DirectoryTableModel.MSSANTE)
    assert cell.data() == expected[0]
    assert cell.data(Qt.ItemDataRole.ToolTipRole).splitlines() == [
        f"{len(expected)} adresses MSSanté (la première est retenue) :",
        *(f"• {address}" for address in expected),
    ]
    qtbot.keyClick(widget.search_edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(widget.professional_chosen) as chosen:
        qtbot.keyClick(widget.table, Qt.Key.Key_Return)
    professional = chosen.args[0]
    assert isinstance(professional, Professional)
    assert professional.national_id == national_id
    assert professional.mssante == expected[0]


def test_the_dialog_refuses_a_file_that_is_neither_extract_in_french(
    qtbot: QtBot, people: DirectoryService, tmp_path: Path
) -> None:
    other = tmp_path / "export.txt"
    other.write_text("Identifiant|Courriel|\n1|a@b.fr|\n", encoding="utf-8")
    dialog = _dialog(qtbot, people)
    with (
        qtbot.assertNotEmitted(dialog.import_finished),
        qtbot.assertNotEmitted(dialog.import_failed),
    ):
        assert not dialog.start_import(other)
    assert dialog.error_label.text().startswith(
        "Ce fichier n'est pas un extrait « PS_LibreAcces_Personne_activite » ni un extrait "
        "« Extraction_Correspondance_MSSante » de l'Annuaire Santé"
    )
    assert not dialog.running


def test_the_dialog_refuses_addresses_before_the_directory(
    qtbot: QtBot, service: DirectoryService, synthetic_mssante: SyntheticMssante
) -> None:
    dialog = _dialog(qtbot, service)
    assert not dialog.start_import(synthetic_mssante.path)
    assert dialog.error_label.text().startswith("Importez d'abord l'annuaire")


def test_cancelling_an_address_import_keeps_the_previous_addresses(
    qtbot: QtBot, people_with_mailboxes: DirectoryService, larger_mssante: Path
) -> None:
    dialog = _dialog(qtbot, people_with_mailboxes)
    with qtbot.waitSignal(dialog.import_failed, timeout=TIMEOUT_MS) as failed:
        dialog.start_import(larger_mssante)
        assert dialog.runner is not None
        qtbot.waitSignal(dialog.runner.signals.progress, timeout=TIMEOUT_MS).wait()
        dialog.cancel_button.click()
    assert isinstance(failed.args[0], OperationCancelledError)
    assert dialog.error_label.text() == (
        "Import annulé : les adresses MSSanté précédentes sont conservées."
    )
    assert people_with_mailboxes.mssante_address_count() == 3
    widget = _search_widget(qtbot, people_with_mailboxes)
    qtbot.keyClicks(widget.search_edit, "lefevre marie")
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1)
    assert widget.model.index(0, DirectoryTableModel.MSSANTE).data() == (
        "marie-claire.lefevre@medecin.mssante.fr"
    )
