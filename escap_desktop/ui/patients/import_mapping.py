"""The parts of the patient-list import screen: how the file is written, which column fills
which trait, and the first rows as they would be imported.

Views only: each shows a plan's part and tells, through one signal, what the professional
changed; :class:`~escap_desktop.ui.patients.import_dialog.PatientImportDialog` asks the service
for a new plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QWidget,
)

from escap_desktop.services.patient_import import (
    DATE_FORMATS,
    DELIMITERS,
    ENCODINGS,
    ColumnMapping,
    CsvLayout,
    CsvPlan,
    PatientField,
    date_format_label,
    encoding_label,
)
from escap_desktop.ui.formatting import format_date, format_nir
from escap_desktop.ui.models.row_table_model import Column, RowTableModel
from escap_desktop.ui.resources import icon

NOT_IMPORTED = "— non importé —"
SAVED_NOTE = "Correspondance de votre dernier import"
_DELIMITER_LABELS = {
    ";": "Point-virgule ( ; )",
    ",": "Virgule ( , )",
    "\t": "Tabulation",
    "|": "Barre verticale ( | )",
}
_MNEMONIC_AT = {
    PatientField.BIRTH_NAME: "Nom",
    PatientField.FIRST_NAMES: "Prénom",
    PatientField.BIRTH_DATE: "te",
    PatientField.SEX: "x",
    PatientField.BIRTH_PLACE_CODE: "code",
    PatientField.INS: "R",
    PatientField.USED_NAME: "m u",
    PatientField.USED_FIRST_NAME: "utilisé",
    PatientField.PHONE: "one",
    PatientField.ADDRESS: "Adresse",
}
"""Where each field's label takes its ``&``: letters the dialog's other labels leave free."""
_EXAMPLE_CHARS = 28
_REFUSED_BACKGROUND = QColor("#fff4e5")
_REFUSED_TEXT = QColor("#8c1d18")


def _with_mnemonic(label: str, at: str) -> str:
    return label.replace(at, "&" + at, 1) if at in label else label


def _set_error_look(label: QLabel, error: bool, normal: str) -> None:
    """Switches the style sheet's look (``fieldError`` is red and bold) and repaints."""
    name = "fieldError" if error else normal
    if label.objectName() != name:
        label.setObjectName(name)
        label.style().unpolish(label)
        label.style().polish(label)


class CsvLayoutView(QGroupBox):
    """Encoding, separator, date format and header row. ``layout_changed(layout, remap)``:
    ``remap`` is True when the columns themselves changed (a new mapping is to be proposed),
    False for the date format (the mapping still fits)."""

    layout_changed = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Format du fichier", parent)
        self.encoding = QComboBox()
        for encoding in ENCODINGS:
            self.encoding.addItem(encoding_label(encoding), encoding)
        self.delimiter = QComboBox()
        for delimiter in DELIMITERS:
            self.delimiter.addItem(_DELIMITER_LABELS.get(delimiter, delimiter), delimiter)
        self.date_format = QComboBox()
        for date_format in DATE_FORMATS:
            self.date_format.addItem(date_format_label(date_format), date_format)
        self.has_header = QCheckBox("&La première ligne contient les noms des colonnes")

        form = QFormLayout(self)
        for text, combo in (
            ("&Encodage :", self.encoding),
            ("&Séparateur :", self.delimiter),
            ("Format des &dates :", self.date_format),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            form.addRow(label, combo)
        form.addRow(self.has_header)

        self.encoding.currentIndexChanged.connect(self._on_columns_changed)
        self.delimiter.currentIndexChanged.connect(self._on_columns_changed)
        self.has_header.toggled.connect(self._on_columns_changed)
        self.date_format.currentIndexChanged.connect(self._on_date_format_changed)

    def set_layout(self, layout: CsvLayout) -> None:
        """Shows ``layout`` without emitting ``layout_changed``."""
        for combo, value in (
            (self.encoding, layout.encoding),
            (self.delimiter, layout.delimiter),
            (self.date_format, layout.date_format),
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.has_header.blockSignals(True)
        self.has_header.setChecked(layout.has_header)
        self.has_header.blockSignals(False)

    def value(self) -> CsvLayout:
        return CsvLayout(
            self.encoding.currentData(),
            self.delimiter.currentData(),
            self.date_format.currentData(),
            self.has_header.isChecked(),
        )

    @Slot()
    def _on_columns_changed(self) -> None:
        self.layout_changed.emit(self.value(), True)

    @Slot()
    def _on_date_format_changed(self) -> None:
        self.layout_changed.emit(self.value(), False)


class ColumnMappingView(QGroupBox):
    """One row per trait: its label (« obligatoire » for the four the record needs) and the
    file's column that fills it. ``mapping_changed(ColumnMapping)`` when a combo changes."""

    mapping_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Colonnes du fichier", parent)
        self.saved_note = QLabel(SAVED_NOTE)
        self.saved_note.setObjectName("fieldOk")
        self.saved_note.hide()
        self.labels: dict[PatientField, QLabel] = {}
        self.marks: dict[PatientField, QLabel] = {}
        self.combos: dict[PatientField, QComboBox] = {}

        grid = QGridLayout(self)
        grid.addWidget(self.saved_note, 0, 0, 1, 6)
        half = (len(PatientField) + 1) // 2  # two columns of fields: the required ones first
        for number, field in enumerate(PatientField):
            row, column = 1 + number % half, 3 * (number // half)
            combo = QComboBox()
            combo.setMinimumContentsLength(16)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            label = QLabel(_with_mnemonic(field.label, _MNEMONIC_AT[field]) + " :")
            label.setBuddy(combo)
            mark = QLabel("obligatoire" if field.required else "")
            mark.setObjectName("hint")
            grid.addWidget(label, row, column)
            grid.addWidget(combo, row, column + 1)
            grid.addWidget(mark, row, column + 2)
            self.labels[field], self.marks[field], self.combos[field] = label, mark, combo
            combo.currentIndexChanged.connect(self._on_combo_changed)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(2, 12)

    def set_plan(self, plan: CsvPlan) -> None:
        """The file's columns (with a value of the first row as an example) in every combo,
        each on the plan's column; no ``mapping_changed``."""
        first = plan.sample.rows[0] if plan.sample.rows else ()
        items = [
            _column_text(header, first, index) for index, header in enumerate(plan.sample.headers)
        ]
        for field, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IMPORTED, None)
            for index, text in enumerate(items):
                combo.addItem(text, index)
            column = plan.mapping.columns.get(field)
            combo.setCurrentIndex(0 if column is None else max(0, combo.findData(column)))
            combo.blockSignals(False)
        self.saved_note.setVisible(plan.mapping_was_saved)
        self._show_missing()

    def clear(self) -> None:
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.clear()
            combo.blockSignals(False)
        self.saved_note.hide()
        self._show_missing()

    def value(self) -> ColumnMapping:
        return ColumnMapping(
            {
                field: combo.currentData()
                for field, combo in self.combos.items()
                if combo.currentData() is not None
            }
        )

    def missing(self) -> list[PatientField]:
        """The required traits shown in red (no column chosen)."""
        return [field for field, label in self.labels.items() if label.objectName() == "fieldError"]

    @Slot()
    def _on_combo_changed(self) -> None:
        self.saved_note.hide()
        self._show_missing()
        self.mapping_changed.emit(self.value())

    def _show_missing(self) -> None:
        for field, combo in self.combos.items():
            missing = field.required and combo.currentData() is None
            _set_error_look(self.labels[field], missing, "")
            _set_error_look(self.marks[field], missing, "hint")


def _column_text(header: str, first_row: Sequence[str], index: int) -> str:
    value = " ".join(first_row[index].split()) if index < len(first_row) else ""
    if not value or value == header:
        return header
    if len(value) > _EXAMPLE_CHARS:
        value = value[: _EXAMPLE_CHARS - 1] + "…"
    return f"{header} (ex. : {value})"


# --- The preview -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A previewed line: the traits as they would be recorded (a refused line shows its cells
    as written) and, for a refused line, its problems in French."""

    line: int
    birth_name: str
    first_names: str
    birth_date: str
    sex: str
    nir: str
    problems: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.problems)


_SHOWN = (
    PatientField.BIRTH_NAME,
    PatientField.FIRST_NAMES,
    PatientField.BIRTH_DATE,
    PatientField.SEX,
    PatientField.INS,
)


def preview_rows(plan: CsvPlan) -> list[PreviewRow]:
    """The plan's first lines for the table. A refused line has no draft: its cells are read
    from the sample, which holds the same first records (blank lines skipped alike)."""
    rows: list[PreviewRow] = []
    for position, row in enumerate(plan.preview):
        patient = row.patient
        if patient is not None:
            rows.append(
                PreviewRow(
                    row.line,
                    patient.birth_name,
                    patient.first_names,
                    format_date(patient.birth_date),
                    patient.sex.label,
                    format_nir(patient.ins) if patient.ins else "",
                )
            )
            continue
        cells = plan.sample.rows[position] if position < len(plan.sample.rows) else ()
        name, first_names, birth_date, sex, nir = (
            cells[index].strip() if index is not None and index < len(cells) else ""
            for index in (plan.mapping.columns.get(field) for field in _SHOWN)
        )
        problems = row.problems or ("Ligne refusée.",)
        rows.append(PreviewRow(row.line, name, first_names, birth_date, sex, nir, problems))
    return rows


class ImportPreviewTableModel(RowTableModel[PreviewRow]):
    """The preview's lines; a refused line is tinted, its problems in the last column."""

    columns = (
        Column[PreviewRow]("Ligne", lambda r: str(r.line), sort=lambda r: r.line, centered=True),
        Column[PreviewRow]("Nom", lambda r: r.birth_name),
        Column[PreviewRow]("Prénom(s)", lambda r: r.first_names),
        Column[PreviewRow]("Naissance", lambda r: r.birth_date),
        Column[PreviewRow]("Sexe", lambda r: r.sex),
        Column[PreviewRow]("NIR", lambda r: r.nir),
        Column[PreviewRow](
            "Problème",
            lambda r: " ; ".join(r.problems),
            icon=lambda r: icon("warning") if r.refused else None,
            tooltip=lambda r: "\n".join(r.problems),
        ),
    )
    PROBLEM_COLUMN = len(columns) - 1

    def key(self, row: PreviewRow) -> Any:
        return row.line

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and row.refused:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(_REFUSED_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.PROBLEM_COLUMN:
                return QBrush(_REFUSED_TEXT)
        return super().data(index, role)
