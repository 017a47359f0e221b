"""The team tab: members and where each stands, with what can be done about them."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from escap_desktop.core.entities import MembershipStatus
from escap_desktop.core.entities.summaries import MemberView
from escap_desktop.ui.models.member_table_model import MemberTableModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.table_view import RowTableView


class MembersPanel(QWidget):
    """Signals carry membership ids; the controller calls the services. ``member_selected``
    carries the selected member's professional id, for whoever shows their key fingerprint."""

    add_requested = Signal()
    print_invitation_requested = Signal(str)
    send_invitation_requested = Signal(str)
    answer_recorded = Signal(str, bool)
    role_edit_requested = Signal(str)
    removal_requested = Signal(str)
    member_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error_label()
        self.model = MemberTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("memberTable")
        for column, width in enumerate((260, 170, 200, 140)):
            self.table.setColumnWidth(column, width)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setObjectName("hint")
        self.fingerprint_label = QLabel()
        self.fingerprint_label.setObjectName("hint")
        self.fingerprint_label.setWordWrap(True)
        self.fingerprint_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.fingerprint_label.hide()

        self.add_button = QPushButton(icon("add"), "&Ajouter un professionnel…")
        self.send_button = QPushButton(icon("invite"), "&Envoyer l'invitation")
        self.print_button = QPushButton(icon("print"), "&Imprimer l'invitation")
        self.accepted_button = QPushButton(icon("accept"), "A a&ccepté")
        self.accepted_button.setToolTip(
            "Enregistrer l'accord d'un professionnel qui a répondu sur papier ou par téléphone."
        )
        self.declined_button = QPushButton(icon("decline"), "A &décliné")
        self.role_button = QPushButton(icon("edit"), "&Rôle…")
        self.remove_button = QPushButton(icon("exit"), "Re&tirer de l'équipe")
        self.remove_button.setObjectName("danger")

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.send_button,
            self.print_button,
            self.accepted_button,
            self.declined_button,
            self.role_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rule_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.error)

        self.add_button.clicked.connect(self.add_requested)
        self.send_button.clicked.connect(lambda: self._emit_for(self.send_invitation_requested))
        self.print_button.clicked.connect(lambda: self._emit_for(self.print_invitation_requested))
        self.accepted_button.clicked.connect(lambda: self._answer(True))
        self.declined_button.clicked.connect(lambda: self._answer(False))
        self.role_button.clicked.connect(lambda: self._emit_for(self.role_edit_requested))
        self.remove_button.clicked.connect(lambda: self._emit_for(self.removal_requested))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._editable = True
        self._on_selection_changed()

    def set_members(self, members: Iterable[MemberView], rule: str, editable: bool) -> None:
        """``rule`` says where the team stands against the rules (3 members, GP...)."""
        selected = self.selected()
        self.model.set_rows(members)
        self.table.fit_columns()
        self.rule_label.setText(rule)
        self._editable = editable
        self.add_button.setEnabled(editable)
        if selected is None or not self.table.select_where(
            lambda m: m.membership.id == selected.membership.id
        ):
            self.table.select_first()
        self._on_selection_changed()

    def selected(self) -> MemberView | None:
        return self.table.selected_row()

    def select_professional(self, professional_id: str) -> bool:
        return self.table.select_where(lambda m: m.professional.id == professional_id)

    def _emit_for(self, signal: Signal) -> None:
        member = self.selected()
        if member is not None:
            signal.emit(member.membership.id)  # type: ignore[attr-defined]

    def _answer(self, accepted: bool) -> None:
        member = self.selected()
        if member is not None:
            self.answer_recorded.emit(member.membership.id, accepted)

    @Slot()
    def _on_selection_changed(self, *_args: object) -> None:
        member = self.selected()
        invited = member is not None and member.membership.status is MembershipStatus.INVITED
        current = member is not None and member.membership.status in (
            MembershipStatus.INVITED,
            MembershipStatus.ACCEPTED,
        )
        for button in (self.send_button, self.print_button, self.accepted_button):
            button.setEnabled(self._editable and invited)
        self.declined_button.setEnabled(self._editable and invited)
        self.role_button.setEnabled(self._editable and current)
        self.remove_button.setEnabled(self._editable and current)
        if member is not None:
            self.member_selected.emit(member.professional.id)
        else:
            self.fingerprint_label.hide()

    def set_fingerprint(self, text: str) -> None:
        """The selected member's key fingerprint sentence ("" hides it)."""
        self.fingerprint_label.setText(text)
        self.fingerprint_label.setVisible(bool(text))

    def show_error(self, message: str) -> None:
        """A refusal from the services, in French, right under the buttons that caused it."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
