"""Answering the invitations colleagues sent: accept (one's own consent to join) or decline.

Until accepted, the patient appears by initials and age only. Accepting asks for the
invitation's code — printed on the letter, or given on the phone by the colleague who invites —
which proves to the inviter's computer that the invitation reached the right professional; the
team's keys and history arrive once that computer has checked it (its next synchronisation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import EscapError
from escap_desktop.ui.models.invitation_table_model import InvitationLike, InvitationTableModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.confirm import Confirmer, ask_confirmation
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.table_view import RowTableView

CONSENT_TEXT = (
    "En acceptant, vous consentez à rejoindre l'équipe ESCAP de ce patient et à recevoir les "
    "informations que l'équipe partage pour sa prise en charge. Vous pourrez quitter l'équipe "
    "plus tard."
)


class ReceivedInvitationsDialog(QDialog):
    """``answered(invitation_id, accepted)`` after each recorded answer."""

    answered = Signal(str, bool)

    def __init__(
        self,
        load: Callable[[], Sequence[InvitationLike]],
        accept: Callable[[str, str], None],
        decline: Callable[[str], None],
        parent: QWidget | None = None,
        confirm: Confirmer = ask_confirmation,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invitations reçues")
        self.setWindowIcon(icon("inbox"))
        self.resize(820, 420)
        self._load = load
        self._accept = accept
        self._decline = decline
        self._confirm = confirm
        intro = QLabel(
            "Un confrère vous invite à rejoindre l'équipe de soins coordonnés d'un patient. "
            "Le patient n'apparaît que par ses initiales et son âge tant que vous n'avez pas "
            "accepté."
        )
        intro.setWordWrap(True)
        self.model = InvitationTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("receivedInvitations")
        self.empty_label = QLabel("Aucune invitation en attente.")
        self.empty_label.setObjectName("hint")
        self.consent_label = QLabel(CONSENT_TEXT)
        self.consent_label.setWordWrap(True)
        self.consent_label.setObjectName("hint")
        self.code = QLineEdit()
        self.code.setObjectName("joinCode")
        self.code.setPlaceholderText("ABCD-EFGH-JK23")
        self.code.setToolTip(
            "Le code figure sur la lettre d'invitation (et dans son code QR) ; le confrère qui "
            "vous invite peut aussi vous le lire au téléphone."
        )
        code_form = QFormLayout()
        code_form.addRow("&Code de l'invitation :", self.code)
        self.error = error_label()
        self.accept_button = QPushButton(icon("accept"), "&Accepter…")
        self.decline_button = QPushButton(icon("decline"), "&Décliner…")
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(self.decline_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("&Fermer")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.consent_label)
        layout.addLayout(code_form)
        layout.addWidget(self.error)
        layout.addLayout(row)
        layout.addWidget(close)
        self.accept_button.clicked.connect(lambda: self._answer(True))
        self.decline_button.clicked.connect(lambda: self._answer(False))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = list(self._load())
        except EscapError as problem:
            rows = []
            self._show_error(str(problem))
        self.model.set_rows(rows)
        self.table.fit_columns()
        self.table.select_first()
        self.empty_label.setVisible(not rows)
        self._on_selection_changed()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    @Slot()
    def _on_selection_changed(self, *_args: object) -> None:
        chosen = self.table.selected_row() is not None
        self.accept_button.setEnabled(chosen)
        self.decline_button.setEnabled(chosen)

    def _answer(self, accepted: bool) -> None:
        invitation: InvitationLike | None = self.table.selected_row()
        if invitation is None:
            return
        who = invitation.inviter_name
        patient = f"{invitation.patient_initials}, {invitation.patient_age} ans"
        if accepted and invitation.new_computer:
            question = (
                f"Ajouter cet ordinateur à l'équipe de {patient}, à la demande de {who} ? Vous "
                "en êtes déjà membre : le dossier et les clés de l'équipe y arriveront à la "
                "prochaine synchronisation."
            )
            action = "&Ajouter cet ordinateur à l'équipe"
        elif accepted:
            question = (
                f"Rejoindre l'équipe de {patient} à l'invitation de {who} ?\n\n{CONSENT_TEXT}"
            )
            action = "&Accepter et rejoindre l'équipe"
        else:
            question = f"Décliner l'invitation de {who} pour {patient} ?"
            action = "&Décliner l'invitation"
        if accepted and not self.code.text().strip():
            self._show_error(
                "Saisissez le code de l'invitation : il figure sur la lettre, ou le confrère "
                "qui vous invite peut vous le lire au téléphone."
            )
            self.code.setFocus()
            return
        if not self._confirm(self, "Invitation reçue", question, action):
            return
        self._show_error("")
        try:
            if accepted:
                self._accept(invitation.invitation_id, self.code.text())
            else:
                self._decline(invitation.invitation_id)
        except EscapError as problem:
            self._show_error(str(problem))
            return
        self.code.clear()
        self.answered.emit(invitation.invitation_id, accepted)
        self.refresh()
