"""The team tab: members, where each stands and by which channel they were last reached
(the application, MSSanté, a letter), with what can be done about them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import MembershipStatus
from escap_desktop.core.entities.summaries import MemberView
from escap_desktop.services.mssante import Channel, MemberReach
from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.member_table_model import MemberTableModel
from escap_desktop.ui.models.row_table_model import Column
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.table_view import RowTableView

CHANNEL_HEADER = "Dernier contact"


def reach_text(reach: MemberReach | None) -> str:
    """How the member was last reached, in French (the « Dernier contact » column)."""
    if reach is None or reach.channel is None:
        return ""
    day = format_date(reach.on) if reach.on else ""
    if reach.channel is Channel.APPLICATION:
        text = f"Application (relais), le {day}" if day else "Application (relais)"
    elif reach.channel is Channel.LETTER:
        text = f"Courrier, le {day}"
    elif day:
        text = f"MSSanté, le {day}"
    elif reach.refused:
        text = "MSSanté : envoi refusé"
    else:
        text = "MSSanté : en attente d'envoi"
    if day and reach.waiting:
        text += " (un envoi MSSanté en attente)"
    elif day and reach.refused and reach.channel is not Channel.MSSANTE:
        text += " (envoi MSSanté refusé)"
    elif reach.plan_outdated:
        text += " — plan modifié depuis"
    return text


class ReachedMemberTableModel(MemberTableModel):
    """The members with one more column, « Dernier contact », read from ``set_channels``
    (the services' ``MssanteService.channels``): the table model of ``ui.models`` stays the
    one every other list of members uses."""

    CHANNEL = MemberTableModel.ANSWERED + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._channels: dict[str, MemberReach] = {}
        # one more column than the base's fixed tuple (mypy reads it as exactly five)
        self.columns = (  # type: ignore[assignment]
            *MemberTableModel.columns,
            Column(CHANNEL_HEADER, self._channel_text, tooltip=self._channel_tooltip),
        )

    def set_channels(self, channels: Mapping[str, MemberReach]) -> None:
        self._channels = dict(channels)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, self.CHANNEL), self.index(len(self.rows) - 1, self.CHANNEL)
            )

    def reach(self, professional_id: str) -> MemberReach | None:
        return self._channels.get(professional_id)

    def _channel_text(self, member: MemberView) -> str:
        return reach_text(self._channels.get(member.professional.id))

    def _channel_tooltip(self, member: MemberView) -> str:
        reach = self._channels.get(member.professional.id)
        if reach is None:
            return ""
        if reach.plan_outdated and not reach.problem:
            return (
                "Le plan de soins a changé depuis son envoi par MSSanté : renvoyez-le avec "
                "« MSSanté › Envoyer le plan de soins… »."
            )
        return reach.problem


class MembersPanel(QWidget):
    """Signals carry membership ids; the controller calls the services. ``member_selected``
    carries the selected member's professional id, for whoever shows their key fingerprint."""

    add_requested = Signal()
    print_invitation_requested = Signal(str)
    send_invitation_requested = Signal(str)
    answer_recorded = Signal(str, bool)
    role_edit_requested = Signal(str)
    removal_requested = Signal(str)
    new_computer_requested = Signal(str)
    member_selected = Signal(str)
    send_plan_by_mail_requested = Signal(str)
    invite_by_mail_requested = Signal(str)
    digest_by_mail_requested = Signal(str)
    mail_retry_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error_label()
        self.model = ReachedMemberTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("memberTable")
        for column, width in enumerate((260, 170, 200, 140, 110, 200)):
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
        # The one-time code of a member's new computer, to read out: selectable, it stays.
        self.code_label = QLabel()
        self.code_label.setObjectName("newComputerCode")
        self.code_label.setWordWrap(True)
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.code_label.hide()

        self.add_button = QPushButton(icon("add"), "&Ajouter un professionnel…")
        self.send_button = QPushButton(icon("invite"), "&Envoyer l'invitation")
        self.print_button = QPushButton(icon("print"), "&Imprimer l'invitation")
        # the MSSanté sendings share one menu button: the row keeps room at 1366 px
        self.mail_menu = QMenu(self)
        self.mail_menu.setToolTipsVisible(True)
        self.invite_mail_action = self.mail_menu.addAction(icon("invite"), "&Inviter par MSSanté…")
        self.invite_mail_action.setToolTip(
            "Envoyer la lettre d'invitation à la boîte MSSanté de ce professionnel ; sa réponse "
            "(« J'accepte » ou « Je refuse ») est enregistrée quand elle arrive."
        )
        self.plan_mail_action = self.mail_menu.addAction(icon("plan"), "Envoyer le &plan de soins…")
        self.plan_mail_action.setToolTip(
            "Envoyer le plan de soins à la boîte MSSanté de ce professionnel (celle de "
            "l'annuaire), pour un professionnel qui n'a pas ESCAP Desktop."
        )
        self.digest_mail_action = self.mail_menu.addAction(
            icon("message"), "Envoyer les &nouvelles de l'équipe…"
        )
        self.digest_mail_action.setToolTip(
            "Envoyer les messages et les événements de l'équipe depuis le dernier envoi à ce "
            "professionnel, limités à ce qu'il peut lire."
        )
        self.retry_mail_action = self.mail_menu.addAction(
            icon("refresh"), "&Réessayer l'envoi en attente"
        )
        self.retry_mail_action.setToolTip(
            "Renvoyer maintenant le message MSSanté en attente ou refusé (après avoir corrigé "
            "les réglages de la messagerie, ou quand le serveur répond de nouveau)."
        )
        self.mail_button = QToolButton()
        self.mail_button.setText("&MSSanté")
        self.mail_button.setIcon(icon("inbox"))
        self.mail_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.mail_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.mail_button.setMenu(self.mail_menu)
        self.mail_button.setToolTip(
            "Inviter ce professionnel, lui envoyer le plan de soins par sa messagerie sécurisée "
            "MSSanté, ou réessayer un envoi."
        )
        self.accepted_button = QPushButton(icon("accept"), "A a&ccepté")
        self.accepted_button.setToolTip(
            "Enregistrer l'accord d'un professionnel qui a répondu sur papier ou par téléphone."
        )
        self.declined_button = QPushButton(icon("decline"), "A &décliné")
        self.role_button = QPushButton(icon("edit"), "&Rôle…")
        self.computer_button = QPushButton(icon("add"), "Nouvel &ordinateur…")
        self.computer_button.setToolTip(
            "Ce professionnel a changé d'ordinateur (perdu, volé, remplacé) ou en ajoute un : "
            "un code à lui donner de vive voix fait entrer le nouveau dans l'équipe."
        )
        self.remove_button = QPushButton(icon("exit"), "Re&tirer de l'équipe")
        self.remove_button.setObjectName("danger")

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.send_button,
            self.print_button,
            self.mail_button,
            self.accepted_button,
            self.declined_button,
            self.role_button,
            self.computer_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rule_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.code_label)
        layout.addWidget(self.error)

        self.add_button.clicked.connect(self.add_requested)
        self.send_button.clicked.connect(lambda: self._emit_for(self.send_invitation_requested))
        self.print_button.clicked.connect(lambda: self._emit_for(self.print_invitation_requested))
        self.plan_mail_action.triggered.connect(
            lambda: self._emit_for(self.send_plan_by_mail_requested)
        )
        self.retry_mail_action.triggered.connect(self._on_retry_mail_clicked)
        self.digest_mail_action.triggered.connect(
            lambda: self._emit_for(self.digest_by_mail_requested)
        )
        self.invite_mail_action.triggered.connect(
            lambda: self._emit_for(self.invite_by_mail_requested)
        )
        self.accepted_button.clicked.connect(lambda: self._answer(True))
        self.declined_button.clicked.connect(lambda: self._answer(False))
        self.role_button.clicked.connect(lambda: self._emit_for(self.role_edit_requested))
        self.remove_button.clicked.connect(lambda: self._emit_for(self.removal_requested))
        self.computer_button.clicked.connect(lambda: self._emit_for(self.new_computer_requested))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._editable = True
        self._mail_possible = False
        self._invite_by_mail_possible = False
        self._me = ""
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

    def set_channels(self, channels: Mapping[str, MemberReach]) -> None:
        """By which channel each member was last reached (professional id -> reach)."""
        self.model.set_channels(channels)
        self._on_selection_changed()

    def _selected_reach(self) -> MemberReach | None:
        member = self.selected()
        return None if member is None else self.model.reach(member.professional.id)

    @Slot()
    def _on_retry_mail_clicked(self) -> None:
        reach = self._selected_reach()
        if reach is not None and reach.can_retry:
            self.mail_retry_requested.emit(reach.last_mail)

    def set_mail_possible(self, possible: bool, me: str = "", *, invite: bool = False) -> None:
        """Whether the plan can go by MSSanté now (the plan runs), and ``invite`` whether an
        invitation can (the team is open); ``me`` never receives either."""
        self._mail_possible = possible
        self._invite_by_mail_possible = invite
        self._me = me
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
        self.computer_button.setEnabled(
            self._editable
            and member is not None
            and member.membership.status is MembershipStatus.ACCEPTED
        )
        someone_else = member is not None and member.professional.id != self._me
        self.invite_mail_action.setEnabled(
            self._invite_by_mail_possible and self._editable and invited and someone_else
        )
        self.plan_mail_action.setEnabled(self._mail_possible and current and someone_else)
        self.digest_mail_action.setEnabled(self._mail_possible and current and someone_else)
        reach = self._selected_reach()
        self.retry_mail_action.setVisible(reach is not None and reach.can_retry)
        self.retry_mail_action.setEnabled(self._mail_possible or self._invite_by_mail_possible)
        self.mail_button.setEnabled(
            any(
                action.isEnabled() and action.isVisible()
                for action in (
                    self.invite_mail_action,
                    self.plan_mail_action,
                    self.digest_mail_action,
                    self.retry_mail_action,
                )
            )
        )
        if member is not None:
            self.member_selected.emit(member.professional.id)
        else:
            self.fingerprint_label.hide()

    def set_fingerprint(self, text: str) -> None:
        """The selected member's key fingerprint sentence ("" hides it)."""
        self.fingerprint_label.setText(text)
        self.fingerprint_label.setVisible(bool(text))

    def show_new_computer_code(self, text: str) -> None:
        """The code to read out to a member for their new computer ("" hides it)."""
        self.code_label.setText(text)
        self.code_label.setVisible(bool(text))

    def show_error(self, message: str) -> None:
        """A refusal from the services, in French, right under the buttons that caused it."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
