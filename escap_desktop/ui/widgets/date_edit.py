"""A date field typed JJ/MM/AAAA, which may stay empty (a QDateEdit cannot)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLineEdit, QWidget

from escap_desktop.ui.formatting import DATE_PLACEHOLDER, format_date, parse_french_date


class FrenchDateEdit(QLineEdit):
    """Types slashes for the professional (``05031948`` becomes ``05/03/1948``) and reads the
    value back with a French reason when it is not a date."""

    def __init__(
        self, label: str = "La date", field: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._field = field
        self._previous = ""
        self.setPlaceholderText(DATE_PLACEHOLDER)
        self.setMaxLength(10)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.textEdited.connect(self._on_text_edited)

    def value(self) -> date | None:
        """The date, or None when empty; raises ValidationError when it is not a date."""
        if not self.text().strip():
            return None
        return parse_french_date(self.text(), field=self._field, label=self._label)

    def required_value(self, field: str | None = None) -> date:
        """The date, with a French error when empty or invalid."""
        return parse_french_date(self.text(), field=field or self._field, label=self._label)

    def set_value(self, value: date | None) -> None:
        self.setText(format_date(value))
        self._previous = self.text()

    @Slot(str)
    def _on_text_edited(self, text: str) -> None:
        grew = len(text) > len(self._previous)
        self._previous = text
        at_end = self.cursorPosition() == len(text)
        if grew and at_end and len(text) in (2, 5) and text.replace("/", "").isdigit():
            self.setText(text + "/")
            self._previous = self.text()
