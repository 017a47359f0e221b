"""The "À propos d'ESCAP Desktop" dialog: version, folders, and the bundled components' licences.

Support asks a professional for the version and the folders first: "Copier" puts them on the
clipboard in one go. The licences listed are those of ``resources/licences/components.toml``,
which travels inside every installer with the licence texts.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, Slot, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from escap_desktop import __version__
from escap_desktop.logging_setup import log_dir
from escap_desktop.services.about import BundledComponent, bundled_components
from escap_desktop.ui.resources import icon, resources_dir


def version_report(data_dir: Path | None, logs: Path | None = None) -> str:
    """The lines "Copier" puts on the clipboard (no patient data: versions and folders)."""
    lines = [
        f"ESCAP Desktop {__version__}",
        f"Dossier des données : {data_dir if data_dir is not None else 'non ouvert'}",
        f"Dossier des journaux : {logs if logs is not None else log_dir()}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Qt {qVersion()} / PySide6 {PySide6.__version__}",
        f"Système : {platform.platform()}",
        f"Programme : {'installé' if getattr(sys, 'frozen', False) else 'depuis les sources'}",
    ]
    return "\n".join(lines)


class AboutDialog(QDialog):
    """Modal; ``copied`` text goes to the clipboard with the "Copier" button."""

    def __init__(
        self,
        data_dir: Path | None,
        parent: QWidget | None = None,
        *,
        logs: Path | None = None,
        resources: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("À propos d'ESCAP Desktop")
        self.setWindowIcon(icon("app"))
        self.resize(760, 620)
        self._report = version_report(data_dir, logs)
        self._components = bundled_components(resources or resources_dir())

        title = QLabel(f"<h2>ESCAP Desktop {__version__}</h2>")
        title.setTextFormat(Qt.TextFormat.RichText)
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(56, 56))
        blurb = QLabel(
            "Coordination des Équipes de Soins Coordonnés avec le Patient (ESCAP). "
            "Les données restent chiffrées sur ce poste ; elles ne sont échangées que chiffrées "
            "de bout en bout. ESCAP Desktop ne sert pas aux urgences : appelez le 15."
        )
        blurb.setWordWrap(True)
        heading = QHBoxLayout()
        heading.addWidget(logo)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(blurb)
        heading.addLayout(text, 1)

        facts = QFormLayout()
        facts.addRow("Version :", self._selectable(__version__))
        facts.addRow(
            "Dossier des données :",
            self._selectable(str(data_dir) if data_dir is not None else "non ouvert"),
        )
        facts.addRow("Dossier des journaux :", self._selectable(str(logs or log_dir())))
        facts.addRow("Python :", self._selectable(platform.python_version()))
        facts.addRow("Qt / PySide6 :", self._selectable(f"{qVersion()} / {PySide6.__version__}"))
        self.copy_button = QPushButton("Copier")
        self.copy_button.setToolTip("Copie la version et les dossiers, pour l'assistance")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copied_label = QLabel("")
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copied_label, 1)
        facts.addRow("", copy_row)

        self.components_table = QTableWidget(len(self._components), 3)
        self.components_table.setHorizontalHeaderLabels(["Composant", "Version", "Licence"])
        self.components_table.verticalHeader().setVisible(False)
        self.components_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.components_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.components_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.components_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, component in enumerate(self._components):
            name = QTableWidgetItem(component.name)
            name.setToolTip(component.note)
            self.components_table.setItem(row, 0, name)
            self.components_table.setItem(row, 1, QTableWidgetItem(component.version))
            self.components_table.setItem(row, 2, QTableWidgetItem(component.licence))
        self.components_table.currentCellChanged.connect(self._on_components_table_row_changed)
        self.licence_text = QPlainTextEdit()
        self.licence_text.setReadOnly(True)
        self.licence_text.setPlaceholderText("Choisissez un composant pour lire sa licence.")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(facts)
        layout.addWidget(QLabel("<b>Composants inclus et leurs licences</b>"))
        layout.addWidget(self.components_table, 2)
        layout.addWidget(self.licence_text, 2)
        layout.addWidget(buttons)
        if self._components:
            self.components_table.setCurrentCell(0, 0)

    @property
    def report(self) -> str:
        return self._report

    @property
    def components(self) -> list[BundledComponent]:
        return list(self._components)

    def _selectable(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._report)
        self.copied_label.setText("Copié dans le presse-papiers.")

    @Slot(int, int, int, int)
    def _on_components_table_row_changed(self, row: int, *_: int) -> None:
        if not 0 <= row < len(self._components):
            return
        path = self._components[row].licence_file
        try:
            text = path.read_text(encoding="utf-8") if path is not None else ""
        except OSError:
            text = ""
        self.licence_text.setPlainText(text or "Texte de licence introuvable dans l'installation.")
