"""Step 7: the invitations: sent through the app, or printed as a letter for a professional
who does not use it yet."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from escap_desktop.core.entities import MembershipStatus
from escap_desktop.core.entities.summaries import MemberView
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.models.member_table_model import MemberTableModel
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.table_view import RowTableView


class InvitationsPage(InclusionPage):
    def __init__(self, flow: InclusionFlow, output: DocumentOutput | None) -> None:
        super().__init__(
            flow,
            "Invitations",
            "Chaque professionnel invité reçoit l'invitation dans son application dès que la "
            "connexion le permet. Pour un professionnel qui n'utilise pas encore ESCAP "
            "Desktop, imprimez une lettre d'invitation : elle porte un code pour rejoindre "
            "l'équipe.",
        )
        self._output = output
        self.model = MemberTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("invitationTable")
        for column, width in enumerate((260, 170, 180)):
            self.table.setColumnWidth(column, width)
        self.print_button = QPushButton(icon("print"), "&Imprimer la lettre d'invitation")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.page_error)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.print_button.setEnabled(output is not None and flow.documents is not None)

    def initializePage(self) -> None:
        members = [
            MemberView(
                m,
                p,
                self.flow.patient is not None and p.id == self.flow.patient.medecin_traitant_id,
            )
            for m, p in self.flow.invited_members()
        ]
        self.model.set_rows(members)
        self.table.fit_columns()
        self.table.select_first()
        waiting = sum(1 for m in members if m.membership.status is MembershipStatus.INVITED)
        self.status_label.setText(
            f"{waiting} invitation(s) en attente de réponse. L'ESCAP devient active dès que "
            "l'équipe compte 3 professionnels de santé ayant accepté, dont le médecin traitant. "
            "Vous suivrez les réponses sur la page ESCAP du patient."
        )

    @Slot()
    def _on_print_clicked(self) -> None:
        member = self.table.selected_row()
        if member is None or self._output is None:
            return
        if member.membership.status is not MembershipStatus.INVITED:
            self.show_page_error(
                f"{member.professional.display_name} fait déjà partie de l'équipe : pas de "
                "lettre à imprimer."
            )
            return
        self.show_page_error("")
        membership_id = member.membership.id
        self._output.produce(
            "Préparation de la lettre d'invitation…",
            lambda: self.flow.invitation_letter(membership_id),
            self,
        )
