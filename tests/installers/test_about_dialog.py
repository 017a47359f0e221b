"""The "À propos" dialog: what support asks for first, and the licences of what is bundled."""

from __future__ import annotations

from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from escap_desktop import __version__
from escap_desktop.services.about import bundled_components
from escap_desktop.ui.about_dialog import AboutDialog

RESOURCES = Path(__file__).parents[2] / "resources"


def test_every_listed_component_has_its_licence_text() -> None:
    components = bundled_components(RESOURCES)
    names = {c.name for c in components}
    assert {"Qt 6 / PySide6", "SQLCipher", "libsodium", "ReportLab", "Polices DejaVu"} <= names
    for component in components:
        assert component.licence_file is not None
        assert component.licence_file.read_text(encoding="utf-8").strip(), component.name
    qt = next(c for c in components if c.name == "Qt 6 / PySide6")
    assert (qt.version, qt.licence) == (PySide6.__version__, "LGPL-3.0")


def test_the_dialog_shows_versions_and_folders_and_copies_them(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = AboutDialog(tmp_path / "donnees", logs=tmp_path / "journaux", resources=RESOURCES)
    qtbot.addWidget(dialog)
    dialog.show()

    assert dialog.windowTitle() == "À propos d'ESCAP Desktop"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)

    copied = QGuiApplication.clipboard().text()
    assert copied.splitlines()[:3] == [
        f"ESCAP Desktop {__version__}",
        f"Dossier des données : {tmp_path / 'donnees'}",
        f"Dossier des journaux : {tmp_path / 'journaux'}",
    ]
    assert f"Qt {qVersion()} / PySide6 {PySide6.__version__}" in copied
    assert dialog.copied_label.text() == "Copié dans le presse-papiers."


def test_choosing_a_component_shows_its_licence(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(None, resources=RESOURCES)
    qtbot.addWidget(dialog)
    table = dialog.components_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "libsodium")

    table.setCurrentCell(row, 0)

    assert table.item(row, 2).text() == "ISC"
    assert "ISC License" in dialog.licence_text.toPlainText()
    assert "Dossier des données : non ouvert" in dialog.report


def test_a_broken_installation_still_opens_the_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(None, resources=tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.components == []
    assert dialog.components_table.rowCount() == 0
