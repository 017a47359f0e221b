"""The message thread: read what the team wrote, write offline, see who has read what.

The message being written is a draft kept by the controller per ESCAP, so switching patient or
closing the tab never loses it. The emergency notice stays above the box where one writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import DataCategory, Message
from escap_desktop.ui.models.message_list_model import MessageListModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.emergency_notice import EmergencyNotice
from escap_desktop.ui.widgets.form_errors import error_label


class MessagesPanel(QWidget):
    """``send_requested(body, category)``; ``draft_changed(text)`` for the controller."""

    send_requested = Signal(str, object)
    draft_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MessageListModel(self)
        self.thread = QListView()
        self.thread.setObjectName("messageThread")
        self.thread.setModel(self.model)
        self.thread.setWordWrap(True)
        self.thread.setUniformItemSizes(False)
        self.thread.setSpacing(4)
        self.thread.setAlternatingRowColors(True)
        self.thread.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.thread.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.empty_label = QLabel("Aucun message pour l'instant.")
        self.empty_label.setObjectName("hint")

        self.notice = EmergencyNotice()
        self.compose = QPlainTextEdit()
        self.compose.setObjectName("messageCompose")
        self.compose.setPlaceholderText(
            "Écrivez à l'équipe. Le message est enregistré tout de suite et envoyé dès que "
            "la connexion le permet (Ctrl+Entrée pour envoyer)."
        )
        self.compose.setTabChangesFocus(True)
        self.category = QComboBox()
        for category in DataCategory:
            self.category.addItem(category.label, category)
        category_label = QLabel("&Type :")
        category_label.setBuddy(self.category)
        self.send_button = QPushButton(icon("message"), "&Envoyer")
        self.send_button.setObjectName("primary")
        self.error = error_label()

        composer = QWidget()
        composer_layout = QVBoxLayout(composer)
        composer_layout.setContentsMargins(0, 0, 0, 0)
        composer_layout.addWidget(self.notice)
        composer_layout.addWidget(self.compose, 1)
        row = QHBoxLayout()
        row.addWidget(category_label)
        row.addWidget(self.category)
        row.addStretch(1)
        row.addWidget(self.send_button)
        composer_layout.addWidget(self.error)
        composer_layout.addLayout(row)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.empty_label)
        top_layout.addWidget(self.thread, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("messagesSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(composer)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self.send_button.clicked.connect(self._on_send_clicked)
        self.compose.textChanged.connect(self._on_compose_changed)
        QShortcut(QKeySequence("Ctrl+Return"), self.compose, self._on_send_clicked)
        QShortcut(QKeySequence("Ctrl+Enter"), self.compose, self._on_send_clicked)

    def set_thread(
        self,
        messages: Iterable[Message],
        names: Mapping[str, str],
        member_ids: Iterable[str],
        reader_id: str,
        can_post: bool,
    ) -> None:
        self.model.set_rows(messages, names, member_ids, reader_id)
        self.empty_label.setVisible(self.model.rowCount() == 0)
        self.compose.setReadOnly(not can_post)
        self.send_button.setEnabled(can_post)
        if self.model.rowCount():
            self.thread.scrollToBottom()

    def set_draft(self, text: str) -> None:
        if text != self.compose.toPlainText():
            self.compose.setPlainText(text)

    def clear_draft(self) -> None:
        self.compose.clear()
        self.error.hide()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    @Slot()
    def _on_send_clicked(self) -> None:
        if self.send_button.isEnabled():
            self.send_requested.emit(
                self.compose.toPlainText(), combo_enum(self.category, DataCategory)
            )

    @Slot()
    def _on_compose_changed(self) -> None:
        self.error.hide()
        self.draft_changed.emit(self.compose.toPlainText())
