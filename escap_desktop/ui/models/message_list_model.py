"""The message thread of an ESCAP, one message per row, with who has read it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from escap_desktop.core.entities import Message
from escap_desktop.ui.formatting import format_datetime
from escap_desktop.ui.models.row_table_model import ROW_ROLE

_AnyIndex = QModelIndex | QPersistentModelIndex


class MessageListModel(QAbstractListModel):
    """``names`` maps professional ids to display names; ``reader_id`` is the local user."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Message] = []
        self._names: Mapping[str, str] = {}
        self._members: tuple[str, ...] = ()
        self._reader_id = ""

    def set_rows(
        self,
        messages: Iterable[Message],
        names: Mapping[str, str],
        member_ids: Iterable[str],
        reader_id: str,
    ) -> None:
        self.beginResetModel()
        self.rows = list(messages)
        self._names = dict(names)
        self._members = tuple(member_ids)
        self._reader_id = reader_id
        self.endResetModel()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self.rows)

    def read_state(self, message: Message) -> str:
        """ "Lu par : …" / "Non lu par : …" for the other members."""
        others = [m for m in self._members if m != message.author_id]
        read = [self._names.get(m, "?") for m in others if m in message.read_by]
        unread = [self._names.get(m, "?") for m in others if m not in message.read_by]
        parts = []
        if read:
            parts.append("Lu par : " + ", ".join(read))
        if unread:
            parts.append("Non lu par : " + ", ".join(unread))
        return " — ".join(parts)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        message = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            author = self._names.get(message.author_id, "Professionnel inconnu")
            header = f"{author} — {format_datetime(message.sent_at)} — {message.category.label}"
            state = self.read_state(message)
            return "\n".join(part for part in (header, message.body, state) if part)
        if role == ROW_ROLE:
            return message
        if role == Qt.ItemDataRole.FontRole and self._reader_id not in message.read_by:
            font = QFont()
            font.setBold(True)
            return font
        return None
