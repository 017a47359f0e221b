"""Editing one's own profile and the idle-lock delay; this device's key fingerprint, shown
always, so a colleague on the phone can check that an invitation really comes from here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import LocalProfile, Professional
from escap_desktop.core.errors import EscapError
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.ui.forms.professional_form import ProfessionalForm
from escap_desktop.ui.widgets.dialog_buttons import save_cancel_buttons
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog

NOT_CONFIGURED = "Synchronisation non configurée"
FINGERPRINT_HINT = "À lire par téléphone au confrère pour vérifier l'invitation"


class ProfileDialog(GuardedDialog):
    def __init__(
        self,
        me: Professional,
        profile: LocalProfile,
        parent: QWidget | None = None,
        fingerprint: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mon profil")
        self.resize(620, 620)
        self.form = ProfessionalForm()
        self.form.set_professional(me)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 120)
        self.idle_minutes.setSuffix(" min")
        self.idle_minutes.setValue(profile.idle_lock_minutes)
        self.relay_url = QLineEdit(profile.relay_url)
        self.relay_url.setPlaceholderText("https://relais.exemple.fr (fourni par votre CPTS)")
        self.relay_error = error_label()
        lock_form = QFormLayout()
        lock_form.addRow("&Verrouiller la session après :", self.idle_minutes)
        lock_form.addRow("&Relais de synchronisation :", self.relay_url)
        lock_form.addRow("", self.relay_error)
        self.fingerprint = QLabel(fingerprint or NOT_CONFIGURED)
        self.fingerprint.setObjectName("fingerprint" if fingerprint else "hint")
        self.fingerprint.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.fingerprint.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if fingerprint:
            font = self.fingerprint.font()
            font.setFamily("monospace")
            font.setStyleHint(font.StyleHint.Monospace)
            self.fingerprint.setFont(font)
        fingerprint_hint = QLabel(FINGERPRINT_HINT)
        fingerprint_hint.setObjectName("hint")
        fingerprint_label = QLabel("Empre&inte de ce poste :")
        fingerprint_label.setBuddy(self.fingerprint)
        lock_form.addRow(fingerprint_label, self.fingerprint)
        lock_form.addRow("", fingerprint_hint)
        buttons = save_cancel_buttons(self, self._on_save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addLayout(lock_form)
        layout.addWidget(buttons)
        self.form.changed.connect(self.mark_dirty)
        self.idle_minutes.valueChanged.connect(self.mark_dirty)
        self.relay_url.textEdited.connect(self.mark_dirty)

    def _on_save(self) -> None:
        problems = FormChecks.professional_problems(self.form.professional())
        if problems:
            self.form.show_problems(problems)
            return
        self.mark_clean()
        self.accept()

    def value(self) -> tuple[Professional, int, str]:
        return self.form.professional(), self.idle_minutes.value(), self.relay_url.text().strip()

    def show_error(self, error: EscapError) -> None:
        self.form.errors.show(error)

    def show_relay_error(self, error: EscapError) -> None:
        self.relay_error.setText(str(error))
        self.relay_error.show()
        self.relay_url.setFocus()
