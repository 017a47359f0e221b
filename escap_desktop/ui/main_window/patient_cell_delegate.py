"""Paints the patient list's cells with one call into Python per cell.

``QStyledItemDelegate`` asks the model seven roles per cell (font, alignment, text colour, check
state, icon, text, background): seven calls from Qt into Python per cell, some two thousand per
repaint, and each of them may wait for the interpreter while a sync runs on the worker thread.
This delegate fills the style option from the proxy's row in one call; the painting itself
(selection, alternating rows, eliding, focus) stays the base class's and the style's, in C++.
What it fills is what the base class would read from the model's roles for these cells.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFontMetrics, QIcon
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from escap_desktop.ui.models.patient_table_model import PatientFilterProxyModel, bold_font
from escap_desktop.ui.resources import icon

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_CENTER = Qt.AlignmentFlag.AlignCenter


class PatientCellDelegate(QStyledItemDelegate):
    """For a view of ``proxy`` (the patient list's filter proxy)."""

    def __init__(self, proxy: PatientFilterProxyModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painted = self._proxy.painted_cell(index.row(), index.column())
        if painted is None:
            super().initStyleOption(option, index)
            return
        text, centered, unread = painted
        option.index = index  # type: ignore[assignment]  # a QModelIndex from the view
        if centered:
            option.displayAlignment = _CENTER
        if unread:
            option.font = bold_font().resolve(option.font)
            option.fontMetrics = QFontMetrics(option.font)
            _decorate(option, icon("message"))
        option.features |= _HAS_DISPLAY
        option.text = text
        option.styleObject = None  # type: ignore[assignment]  # as the base: no animations


def _decorate(option: QStyleOptionViewItem, decoration: QIcon) -> None:
    """The icon and its size, as ``QStyledItemDelegate`` sets them for a ``QIcon``."""
    option.features |= _HAS_DECORATION
    option.icon = decoration
    state = option.state
    if not state & QStyle.StateFlag.State_Enabled:
        mode = QIcon.Mode.Disabled
    elif state & QStyle.StateFlag.State_Selected:
        mode = QIcon.Mode.Selected
    else:
        mode = QIcon.Mode.Normal
    on = QIcon.State.On if state & QStyle.StateFlag.State_Open else QIcon.State.Off
    wanted = option.decorationSize
    actual = decoration.actualSize(wanted, mode, on)
    option.decorationSize = QSize(
        min(wanted.width(), actual.width()), min(wanted.height(), actual.height())
    )
