"""Shows a French error next to the field at fault, and clears it when the field changes."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from escap_desktop.core.errors import EscapError, ValidationError


def error_label() -> QLabel:
    """The red line placed under a field; hidden until there is something to say."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class FormErrors:
    """Field name -> (field widget, error label). ``show`` puts an error where it belongs:
    next to the named field, else on the form's general label."""

    def __init__(self, general: QLabel) -> None:
        self._general = general
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def register(self, field: str, widget: QWidget, label: QLabel) -> None:
        self._fields[field] = (widget, label)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self._fields)

    def set_error(self, field: str | None, message: str) -> None:
        _widget, label = self._fields.get(field or "", (None, self._general))
        label.setText(message)
        label.setVisible(bool(message))

    def show_all(self, problems: list[ValidationError]) -> None:
        """Clears every line, then shows each problem by its field (first one gets the focus)."""
        self.clear()
        for problem in reversed(problems):
            self.show(problem)

    def show(self, error: EscapError) -> None:
        field = error.field if isinstance(error, ValidationError) else None
        self.set_error(field, str(error))
        if field in self._fields:
            self._fields[field][0].setFocus()

    def clear(self, field: str | None = None) -> None:
        labels = (
            [label for _w, label in self._fields.values()] + [self._general]
            if field is None
            else [self._fields[field][1]]
        )
        for label in labels:
            label.clear()
            label.hide()

    def message(self, field: str | None = None) -> str:
        return (self._fields[field][1] if field else self._general).text()

    @property
    def has_errors(self) -> bool:
        labels = [label for _w, label in self._fields.values()] + [self._general]
        return any(label.text() for label in labels)


def add_field_row(
    layout: QFormLayout, label: str, widget: QWidget, field: str, errors: FormErrors
) -> QLabel:
    """Adds ``label: widget`` to a form with its error line right under the widget.

    The label gets the widget as buddy, so ``&`` in it gives an Alt+letter shortcut.
    """
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    error = error_label()
    error.setObjectName("fieldError")
    error.setProperty("field", field)
    column.addWidget(error)
    caption = QLabel(label)
    caption.setBuddy(widget)
    layout.addRow(caption, cell)
    errors.register(field, widget, error)
    return error


def field_with_button(field: QWidget, button: QWidget) -> QWidget:
    """A field and its button on one line (a path and « Parcourir… »), as one cell for
    :func:`add_field_row`. The field is the cell's focus proxy, so the row's Alt+letter
    shortcut goes to the field, not to the invisible container."""
    cell = QWidget()
    row = QHBoxLayout(cell)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field, 1)
    row.addWidget(button)
    cell.setFocusProxy(field)
    return cell
