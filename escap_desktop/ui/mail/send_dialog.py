"""« Envoyer le plan par MSSanté » : to which address the care plan goes.

The address shown is the one of the professional's record (the directory's MSSanté column);
the professional may type another, and the page then asks an explicit confirmation before
anything is queued (``MssanteService`` refuses an unconfirmed address outside the records).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import Professional
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.form_errors import error_label

TITLE = "Envoyer le plan par MSSanté"
INVITATION_TITLE = "Inviter par MSSanté"
DIGEST_TITLE = "Envoyer les nouvelles de l'équipe par MSSanté"


def recorded_hint(professional: Professional) -> str:
    recorded = professional.mssante.strip()
    if recorded:
        return f"Adresse MSSanté de l'annuaire : {recorded}."
    return (
        "L'annuaire ne donne pas d'adresse MSSanté pour ce professionnel : saisissez-la ; elle "
        "vous sera demandée en confirmation."
    )


class SendPlanDialog(QDialog):
    """Accepted with :meth:`address`; the caller queues the message. ``what``: the care plan
    (``"plan"``), the invitation letter (``"invitation"``) or the team's news (``"digest"``),
    all under the same address rules."""

    def __init__(
        self,
        professional: Professional,
        sender: str,
        parent: QWidget | None = None,
        *,
        what: str = "plan",
    ) -> None:
        super().__init__(parent)
        name = professional.display_name
        title, text = {
            "plan": (
                TITLE,
                f"Le plan de soins, limité à ce que {name} peut lire selon le consentement, part "
                f"de votre boîte {sender} avec le document IHE XDM que son logiciel classe dans "
                "le dossier du patient.",
            ),
            "invitation": (
                INVITATION_TITLE,
                f"La lettre d'invitation part de votre boîte {sender} ; le patient n'y figure que "
                f"par ses initiales et son âge. {name} répond à ce message par « J'accepte » ou "
                "« Je refuse », et sa réponse est enregistrée à son arrivée.",
            ),
            "digest": (
                DIGEST_TITLE,
                f"Les messages et événements de l'équipe depuis le dernier envoi à {name}, "
                f"limités à ce qu'il ou elle peut lire selon le consentement, partent de votre "
                f"boîte {sender} avec le document IHE XDM que son logiciel classe dans le dossier "
                "du patient.",
            ),
        }[what]
        self.setWindowTitle(title)
        self.professional = professional
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.address_edit = QLineEdit(professional.mssante.strip())
        self.address_edit.setObjectName("mssanteAddress")
        hint = QLabel(recorded_hint(professional))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.error = error_label()
        form = QFormLayout()
        caption = QLabel("&Adresse du destinataire :")
        caption.setBuddy(self.address_edit)
        form.addRow(caption, self.address_edit)
        form.addRow("", hint)
        self.buttons = action_cancel_buttons(self, "&Envoyer", self._on_send)
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.address_edit.setFocus()

    def address(self) -> str:
        return self.address_edit.text().strip()

    def _on_send(self) -> None:
        if not self.address():
            self.error.setText("Indiquez l'adresse MSSanté du destinataire.")
            self.error.show()
            self.address_edit.setFocus()
            return
        self.accept()
