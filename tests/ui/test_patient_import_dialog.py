"""Patients › Importer des patients (liste CSV)…: the practice software's export chosen, its
format and columns checked on the preview, imported with a progress bar, then the report.

On the real GUI and a real practice; the CSV files are written the way practice software
exports them (tests/imports/csv_samples.py); the file dialog is a stand-in.
"""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QWidget
from pytestqt.qtbot import QtBot

from escap_desktop.services.patient_import import PatientField
from escap_desktop.services.practice import Practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.patients.import_dialog import CANCELLED, PatientImportDialog
from escap_desktop.ui.patients.import_mapping import NOT_IMPORTED, SAVED_NOTE
from tests.imports.csv_samples import sample_patients, write_practice_csv
from tests.ui.main_window_driver import open_main_window

LEFT = Qt.MouseButton.LeftButton


class OpenFile:
    """A stand-in for the open-file dialog: answers ``path`` (set by the test), remembers the
    titles it was opened with."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.titles: list[str] = []

    def __call__(self, _parent: QWidget | None, title: str, _start: str, _filters: str) -> str:
        self.titles.append(title)
        return "" if self.path is None else str(self.path)


@pytest.fixture
def chooser() -> OpenFile:
    return OpenFile()


@pytest.fixture
def main(
    qtbot: QtBot, shell: Shell, practice: Practice, chooser: OpenFile
) -> Iterator[MainController]:
    controller = open_main_window(qtbot, practice, shell, size=(1366, 768), open_chooser=chooser)
    yield controller
    controller.shutdown()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 patients, as a large practice exports them."""
    folder = tmp_path_factory.mktemp("grand-cabinet")
    return write_practice_csv(folder / "patients.csv", sample_patients(20_000, seed=4))


def _open_dialog(main: MainController) -> PatientImportDialog:
    main.window.import_patients_action.trigger()
    dialog = main.dialog
    assert isinstance(dialog, PatientImportDialog)
    assert dialog.isVisible()
    return dialog


def _choose(qtbot: QtBot, dialog: PatientImportDialog, chooser: OpenFile, path: Path) -> None:
    chooser.path = path
    with qtbot.waitSignal(dialog.plan_changed, timeout=5000):
        qtbot.mouseClick(dialog.browse_button, LEFT)


def _import(qtbot: QtBot, main: MainController, dialog: PatientImportDialog, total: int) -> None:
    """Clicks « Importer », waits for the report, then for the list to count ``total``."""
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000):
        qtbot.mouseClick(dialog.import_button, LEFT)
    noun = "patient" if total <= 1 else "patients"
    count = main.window.patient_list.count_label
    qtbot.waitUntil(lambda: count.text() == f"{total} {noun}", timeout=10_000)


def _pick(dialog: PatientImportDialog, field: PatientField, header: str) -> None:
    """Chooses the column named ``header`` for ``field``, as from the combo's list."""
    combo = dialog.mapping_view.combos[field]
    found = [i for i in range(combo.count()) if combo.itemText(i).startswith(header)]
    assert found, f"pas de colonne « {header} » dans la liste"
    combo.setCurrentIndex(found[0])


def _chosen(dialog: PatientImportDialog, field: PatientField) -> str:
    return dialog.mapping_view.combos[field].currentText()


def _count(practice: Practice) -> int:
    return len(practice.patients.summaries())


def test_a_practice_export_is_previewed_then_imported_from_the_patients_menu(
    qtbot: QtBot, tmp_path: Path, practice: Practice, main: MainController, chooser: OpenFile
) -> None:
    menus = main.window.menuBar().findChildren(QMenu)
    menu = next(menu for menu in menus if menu.title() == "&Patients")
    entries = [action for action in menu.actions() if not action.isSeparator()]
    assert entries.index(main.window.import_patients_action) == 1  # after « Nouvelle inclusion »
    assert main.window.import_patients_action.text() == "Importer des &patients (liste CSV)…"
    rows = sample_patients(200, seed=7)
    rows[2] = replace(rows[2], birth_date="31/02/1950")  # line 4
    rows[5] = replace(rows[5], sex="X")  # line 7
    rows[120] = replace(rows[120], first_names="")  # line 122
    path = write_practice_csv(tmp_path / "export LOGICIEL.csv", rows)

    dialog = _open_dialog(main)
    assert dialog.windowTitle() == "Importer des patients depuis votre logiciel"
    assert not dialog.import_button.isEnabled()
    _choose(qtbot, dialog, chooser, path)

    assert chooser.titles == ["Choisir la liste des patients"]
    assert dialog.error_label.isHidden()
    assert dialog.file_info.text() == "export LOGICIEL.csv : 200 lignes de patients."
    layout = dialog.layout_view
    assert layout.encoding.currentText() == "Windows (ANSI, cp1252)"
    assert layout.delimiter.currentText() == "Point-virgule ( ; )"
    assert layout.date_format.currentText() == "JJ/MM/AAAA"
    assert layout.has_header.isChecked()
    assert _chosen(dialog, PatientField.BIRTH_NAME).startswith("Nom de naissance (ex. : ")
    assert _chosen(dialog, PatientField.BIRTH_DATE).startswith("Né(e) le (ex. : ")
    assert _chosen(dialog, PatientField.INS).startswith("N° SS")
    assert _chosen(dialog, PatientField.USED_NAME).startswith("Nom (")
    assert dialog.mapping_view.missing() == []
    assert dialog.mapping_view.saved_note.isHidden()  # a suggestion: nothing imported yet
    assert [dialog.mapping_view.marks[f].text() for f in PatientField][:5] == [
        "obligatoire",
        "obligatoire",
        "obligatoire",
        "obligatoire",
        "",
    ]

    model = dialog.preview_model
    assert [row.line for row in model.rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert dialog.preview_box.title() == (
        "Aperçu des 8 premières lignes, telles qu'elles seront importées"
    )
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        "Ligne",
        "Nom",
        "Prénom(s)",
        "Naissance",
        "Sexe",
        "NIR",
        "Problème",
    ]
    good, bad = model.rows[0], model.rows[2]
    assert good.birth_name == rows[0].birth_name
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", good.birth_date)
    assert good.sex in ("Masculin", "Féminin")
    assert not good.refused
    assert bad.line == 4
    assert bad.birth_date == "31/02/1950"
    problem = model.index(2, model.PROBLEM_COLUMN)
    assert problem.data() == "Né(e) le : la date « 31/02/1950 » n'existe pas (format JJ/MM/AAAA)."
    assert isinstance(model.index(2, 1).data(Qt.ItemDataRole.BackgroundRole), QBrush)
    assert model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(5, model.PROBLEM_COLUMN).data().startswith("Sexe : « X »")
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.isDefault()
    assert dialog.reason_label.isHidden()

    with qtbot.assertNotEmitted(dialog.plan_changed):
        _import(qtbot, main, dialog, 197)

    assert dialog.progress.value() == 100
    assert dialog.progress_label.text() == "Import terminé."
    assert dialog.summary_label.text() == (
        "197 patients importés, 3 lignes refusées sur 200 lignes."
    )
    assert dialog.summary_label.font().bold()
    report = dialog.report_view.toPlainText()
    assert dialog.report_view.isReadOnly()
    assert "Ligne 4 — Né(e) le : la date « 31/02/1950 » n'existe pas" in report
    assert "Ligne 7 — Sexe : « X »" in report
    assert "Ligne 122 — " in report
    assert dialog.preview_box.isHidden()
    assert dialog.report_box.isVisible()
    assert not dialog.import_button.isEnabled()  # done: a second click would import nothing
    assert dialog.close_button.isDefault()
    assert main.window.patient_list.count_label.text() == "197 patients"
    assert _count(practice) == 197


def test_unknown_headers_are_mapped_by_hand_and_remembered_for_the_next_import(
    qtbot: QtBot, tmp_path: Path, practice: Practice, main: MainController, chooser: OpenFile
) -> None:
    first = tmp_path / "extraction.csv"
    first.write_bytes(
        "Champ1;Champ2;Champ3;Champ4;Champ5\r\n"
        "MARTIN;Hélène;12/03/1948;F;x\r\n"
        "DUBOIS;Jean-Pierre;02/11/1961;M;y\r\n".encode("cp1252")
    )
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, first)

    required = [f for f in PatientField if f.required]
    assert dialog.mapping_view.missing() == required
    assert all(_chosen(dialog, field) == NOT_IMPORTED for field in PatientField)
    for field in required:
        assert dialog.mapping_view.labels[field].objectName() == "fieldError"
    assert not dialog.import_button.isEnabled()
    reason = dialog.reason_label.text()
    assert reason.startswith("Import impossible : Associez une colonne du fichier à ces champs")
    for label in ("Nom de naissance", "Prénom(s)", "Date de naissance", "Sexe"):
        assert f"« {label} »" in reason
    assert dialog.import_button.toolTip() in reason
    assert dialog.preview_model.rows == []
    assert dialog.preview_hint.isVisible()

    _pick(dialog, PatientField.BIRTH_NAME, "Champ1 (ex. : MARTIN)")
    _pick(dialog, PatientField.FIRST_NAMES, "Champ2")
    _pick(dialog, PatientField.BIRTH_DATE, "Champ3")
    assert dialog.mapping_view.missing() == [PatientField.SEX]
    assert dialog.mapping_view.labels[PatientField.BIRTH_NAME].objectName() == ""
    assert "« Sexe »" in dialog.reason_label.text()
    assert "ce champ obligatoire" in dialog.reason_label.text()
    assert not dialog.import_button.isEnabled()
    _pick(dialog, PatientField.SEX, "Champ2")  # one column for two fields: refused
    assert not dialog.import_button.isEnabled()
    assert "La colonne 2 est associée à plusieurs champs" in dialog.reason_label.text()
    _pick(dialog, PatientField.SEX, "Champ4")
    assert dialog.mapping_view.missing() == []
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.isDefault()
    assert [(r.birth_name, r.first_names, r.sex) for r in dialog.preview_model.rows] == [
        ("MARTIN", "Hélène", "Féminin"),
        ("DUBOIS", "Jean-Pierre", "Masculin"),
    ]
    assert dialog.preview_box.title() == "Aperçu des 2 lignes, telles qu'elles seront importées"
    assert dialog.preview_hint.isHidden()
    _import(qtbot, main, dialog, 2)
    assert dialog.summary_label.text() == "2 patients importés sur 2 lignes."
    assert main.window.patient_list.count_label.text() == "2 patients"
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert not dialog.isVisible()

    # Next year's export of the same software: the same headers, in another order.
    second = tmp_path / "extraction-2027.csv"
    second.write_bytes(
        "Champ5;Champ4;Champ3;Champ2;Champ1\r\nz;F;05/03/1948;Léa;ROUSSEAU\r\n".encode("cp1252")
    )
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, second)
    assert dialog.mapping_view.saved_note.isVisible()
    assert dialog.mapping_view.saved_note.text() == SAVED_NOTE
    assert dialog.preview_box.title() == "Aperçu de la ligne, telle qu'elle sera importée"
    assert _chosen(dialog, PatientField.BIRTH_NAME).startswith("Champ1")
    assert _chosen(dialog, PatientField.SEX).startswith("Champ4")
    assert dialog.import_button.isEnabled()
    _pick(dialog, PatientField.ADDRESS, "Champ5")  # changed by hand: no longer the saved one
    assert dialog.mapping_view.saved_note.isHidden()
    _import(qtbot, main, dialog, 3)
    assert dialog.summary_label.text() == "1 patient importé sur 1 ligne."
    assert _count(practice) == 3


def test_changing_the_format_plans_the_file_again(
    qtbot: QtBot, tmp_path: Path, main: MainController, chooser: OpenFile
) -> None:
    path = write_practice_csv(
        tmp_path / "export.csv", sample_patients(30, seed=2), encoding="utf-8", delimiter=","
    )
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, path)
    layout = dialog.layout_view
    assert layout.delimiter.currentText() == "Virgule ( , )"
    assert layout.encoding.currentText() == "UTF-8"
    assert dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.plan_changed) as planned:
        layout.delimiter.setCurrentIndex(layout.delimiter.findText("Point-virgule ( ; )"))
    plan = planned.args[0]
    assert plan.layout.delimiter == ";"
    assert len(plan.sample.headers) == 1  # the whole line is one cell
    assert dialog.mapping_view.combos[PatientField.BIRTH_NAME].count() == 2
    assert dialog.mapping_view.missing() != []
    assert not dialog.import_button.isEnabled()

    layout.delimiter.setCurrentIndex(layout.delimiter.findText("Virgule ( , )"))
    assert dialog.plan is not None
    assert dialog.plan.layout.delimiter == ","
    assert dialog.mapping_view.missing() == []
    assert dialog.import_button.isEnabled()

    # The date format keeps the columns: the mapping stays, the dates are read otherwise.
    _pick(dialog, PatientField.PHONE, NOT_IMPORTED)
    layout.date_format.setCurrentIndex(layout.date_format.findText("AAAA-MM-JJ"))
    assert dialog.plan is not None
    assert dialog.plan.layout.date_format == "%Y-%m-%d"
    assert _chosen(dialog, PatientField.PHONE) == NOT_IMPORTED
    problems = [row.problems for row in dialog.preview_model.rows]
    assert problems
    assert all("au format AAAA-MM-JJ" in " ".join(p) for p in problems)

    # Without a header row, the columns are numbered and the first line is a patient.
    layout.has_header.setChecked(False)
    assert dialog.plan is not None
    assert dialog.plan.sample.data_rows == 31
    assert dialog.plan.sample.headers[0] == "Colonne 1"
    assert dialog.preview_model.rows == []  # "Colonne N" suggests nothing: map by hand
    assert not dialog.import_button.isEnabled()


class HeldImport:
    """Holds the import's worker at its first reading step until released: the worker reads
    faster than the GUI thread (which shares the GIL with it) gets to a click, so without it a
    test could press « Annuler » only once the patients are being written."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def start(self, qtbot: QtBot, dialog: PatientImportDialog) -> None:
        qtbot.mouseClick(dialog.import_button, LEFT)
        assert dialog.runner is not None
        dialog.runner.signals.progress.connect(self._hold, Qt.ConnectionType.DirectConnection)
        qtbot.waitUntil(lambda: self.reached.is_set() and dialog.progress.value() > 0)

    def _hold(self, percent: int, _text: str) -> None:  # on the worker thread
        if 0 < percent < 90 and not self.reached.is_set():
            self.reached.set()
            self.release.wait(30)


@pytest.fixture
def held() -> Iterator[HeldImport]:
    holder = HeldImport()
    yield holder
    holder.release.set()  # never leave a worker waiting, whatever the test did


def test_cancelling_a_large_import_writes_nothing(
    qtbot: QtBot,
    practice: Practice,
    main: MainController,
    chooser: OpenFile,
    big_csv: Path,
    held: HeldImport,
) -> None:
    before = _count(practice)
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, big_csv)
    assert dialog.file_info.text() == "patients.csv : 20000 lignes de patients."
    with qtbot.assertNotEmitted(dialog.import_finished):
        held.start(qtbot, dialog)
        assert dialog.running
        assert dialog.progress.isVisible()
        assert dialog.progress_label.text() == "Lecture du fichier : 500 lignes sur 20000"
        assert dialog.cancel_button.isVisible()
        assert dialog.close_button.isHidden()
        assert not dialog.import_button.isEnabled()
        assert not dialog.mapping_view.isEnabled()
        assert not dialog.browse_button.isEnabled()
        qtbot.mouseClick(dialog.cancel_button, LEFT)
        assert dialog.progress_label.text() == "Annulation en cours…"
        assert not dialog.cancel_button.isEnabled()
        held.release.set()
        qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)

    assert dialog.error_label.text() == CANCELLED
    assert CANCELLED == "Import annulé : aucun patient n'a été enregistré."
    assert dialog.error_label.isVisible()
    assert dialog.import_button.isEnabled()  # the same plan can be imported again
    assert dialog.close_button.isVisible()
    assert _count(practice) == before


def test_closing_while_importing_cancels_first(
    qtbot: QtBot,
    practice: Practice,
    main: MainController,
    chooser: OpenFile,
    big_csv: Path,
    held: HeldImport,
) -> None:
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, big_csv)
    held.start(qtbot, dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=30_000):
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.isVisible()  # until the import has stopped
        assert dialog.progress_label.text() == "Annulation en cours…"
        held.release.set()
    assert not dialog.isVisible()
    assert _count(practice) == 0


def test_a_file_that_is_not_csv_is_refused_in_french(
    qtbot: QtBot, tmp_path: Path, main: MainController, chooser: OpenFile
) -> None:
    workbook = tmp_path / "patients.xlsx"
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    dialog = _open_dialog(main)
    _choose(qtbot, dialog, chooser, workbook)
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        "Ce fichier n'est pas un fichier CSV (un classeur Excel ?) : enregistrez-le au format "
        "CSV depuis le logiciel ou le tableur, puis importez le fichier .csv."
    )
    assert dialog.plan is None
    assert not dialog.import_button.isEnabled()
    assert not dialog.mapping_view.isEnabled()
    assert dialog.preview_model.rows == []


def test_a_typed_path_is_read_on_enter_without_importing(
    qtbot: QtBot, tmp_path: Path, main: MainController
) -> None:
    dialog = _open_dialog(main)
    missing = tmp_path / "absent.csv"
    dialog.path_edit.setFocus()
    QTest.keyClicks(dialog.path_edit, str(missing))
    with qtbot.waitSignal(dialog.plan_changed):
        QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.error_label.text() == "Le fichier « absent.csv » est introuvable."

    path = write_practice_csv(tmp_path / "liste.csv", sample_patients(5, seed=1))
    dialog.path_edit.clear()
    QTest.keyClicks(dialog.path_edit, str(path))
    with qtbot.assertNotEmitted(dialog.import_finished), qtbot.waitSignal(dialog.plan_changed):
        QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.error_label.isHidden()
    assert len(dialog.preview_model.rows) == 5
    assert not dialog.running  # the Entrée read the file; « Importer » is a second decision
    assert dialog.import_button.isDefault()


def test_every_label_and_button_has_its_own_mnemonic(main: MainController) -> None:
    dialog = _open_dialog(main)
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    texts += [button.text() for button in dialog.findChildren(QAbstractButton)]
    texts = [text for text in texts if text not in ("", "Annuler")]  # Annuler: Échap
    letters = [re.search(r"&(\w)", text) for text in texts]
    assert all(letters), [t for t, m in zip(texts, letters, strict=True) if m is None]
    found = [m.group(1).lower() for m in letters if m is not None]
    assert len(found) == len(set(found)) == len(PatientField) + 8, sorted(found)
    assert (
        dialog.mapping_view.labels[PatientField.BIRTH_NAME].buddy()
        is (dialog.mapping_view.combos[PatientField.BIRTH_NAME])
    )
