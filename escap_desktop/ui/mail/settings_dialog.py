"""« Messagerie sécurisée MSSanté » : the professional's own mailbox (their operator's SMTP
submission server, the login, the sender address), typed once.

The dialog saves through the given ``save`` call while it is open, so a refusal (a missing
password, an authority file that cannot be read) shows in French next to its field and the
professional corrects it without retyping the rest. The password field stays empty: a password
already kept is never shown, an empty field keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.services.profile import MailSettings, MailSettingsSaved, TlsMode
from escap_desktop.ui.widgets.dialog_buttons import save_cancel_buttons
from escap_desktop.ui.widgets.form_errors import (
    FormErrors,
    add_field_row,
    error_label,
    field_with_button,
)
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog

TITLE = "Messagerie sécurisée MSSanté"
INTRO = (
    "Le plan de soins part de votre propre boîte MSSanté vers les professionnels qui n'ont pas "
    "ESCAP Desktop. Recopiez les réglages d'envoi (SMTP) donnés par votre opérateur MSSanté."
)
PASSWORD_KEPT = "(mot de passe enregistré : laissez vide pour le garder)"

SaveCall = Callable[[MailSettings, str], MailSettingsSaved]
FileChooser = Callable[[QWidget, str], str]


def _choose_pem(parent: QWidget, start: str) -> str:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Autorités de certification", start, "Certificats PEM (*.pem *.crt);;Tous (*)"
    )
    return chosen


class MailSettingsDialog(GuardedDialog):
    """``saved`` holds what ``save`` returned once the dialog is accepted."""

    def __init__(
        self,
        current: MailSettings | None,
        save: SaveCall,
        parent: QWidget | None = None,
        *,
        password_known: bool = False,
        chooser: FileChooser = _choose_pem,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(560, 420)
        self._save = save
        self._chooser = chooser
        self.saved: MailSettingsSaved | None = None
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.votre-operateur.mssante.fr")
        self.tls = QComboBox()
        for mode in (TlsMode.STARTTLS, TlsMode.IMPLICIT):
            self.tls.addItem(mode.label, mode)
        self.port = QLineEdit()
        self.login = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if password_known:
            self.password.setPlaceholderText(PASSWORD_KEPT)
        self.sender_address = QLineEdit()
        self.sender_address.setPlaceholderText("prenom.nom@infirmier.mssante.fr")
        self.sender_name = QLineEdit()
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("facultatif : celles du système sinon")
        self.browse = QPushButton("&Parcourir…")
        ca_row = field_with_button(self.ca_file, self.browse)

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        add_field_row(form, "&Serveur d'envoi (SMTP) :", self.host, "host", self.errors)
        add_field_row(form, "Sécurité de la &connexion :", self.tls, "tls", self.errors)
        add_field_row(form, "P&ort :", self.port, "port", self.errors)
        add_field_row(form, "&Identifiant :", self.login, "login", self.errors)
        add_field_row(form, "&Mot de passe :", self.password, "password", self.errors)
        add_field_row(
            form, "&Adresse MSSanté d'expédition :", self.sender_address, "sender", self.errors
        )
        add_field_row(form, "&Nom affiché :", self.sender_name, "sender_name", self.errors)
        add_field_row(form, "Autorités de cer&tification :", ca_row, "ca_file", self.errors)
        self.buttons = save_cancel_buttons(self, self._on_save)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.ca_file, self.browse)

        if current is not None:
            self._fill(current)
        else:
            self._on_tls_changed()
        self.tls.currentIndexChanged.connect(self._on_tls_changed)
        self.browse.clicked.connect(self._on_browse)
        for edit in (
            self.host,
            self.port,
            self.login,
            self.password,
            self.sender_address,
            self.sender_name,
            self.ca_file,
        ):
            edit.textEdited.connect(self.mark_dirty)
        self.tls.currentIndexChanged.connect(self.mark_dirty)
        self.host.setFocus()

    def _fill(self, current: MailSettings) -> None:
        self.host.setText(current.host)
        self.tls.setCurrentIndex(max(0, self.tls.findText(current.tls.label)))
        self.port.setText(str(current.port) if current.port else "")
        self._on_tls_changed()
        self.login.setText(current.login)
        self.sender_address.setText(current.sender)
        self.sender_name.setText(current.sender_name)
        self.ca_file.setText(str(current.ca_file) if current.ca_file else "")

    def _mode(self) -> TlsMode:
        mode = self.tls.currentData()  # Qt may hand the enum back as its plain text
        return TlsMode(mode) if mode in set(TlsMode) else TlsMode.STARTTLS

    def _on_tls_changed(self, *_args: object) -> None:
        self.port.setPlaceholderText(f"{self._mode().default_port} (par défaut)")

    def _on_browse(self) -> None:
        chosen = self._chooser(self, self.ca_file.text().strip() or str(Path.home()))
        if chosen:
            self.ca_file.setText(chosen)
            self.mark_dirty()

    def settings(self) -> MailSettings:
        """The settings typed; ValidationError (French, with its field) when they are not."""
        port_text = self.port.text().strip()
        port: int | None = None
        if port_text:
            if not port_text.isdigit():
                raise ValidationError(
                    f"Le port « {port_text} » n'est pas un nombre : indiquez par exemple "
                    f"{self._mode().default_port}.",
                    field="port",
                )
            port = int(port_text)
        ca_text = self.ca_file.text().strip()
        return MailSettings(
            host=self.host.text().strip(),
            sender=self.sender_address.text().strip(),
            login=self.login.text().strip(),
            tls=self._mode(),
            port=port,
            sender_name=self.sender_name.text().strip(),
            ca_file=Path(ca_text).expanduser() if ca_text else None,
        )

    def _on_save(self) -> None:
        self.errors.clear()
        try:
            self.saved = self._save(self.settings(), self.password.text())
        except EscapError as error:
            self.errors.show(error)
            return
        self.mark_clean()
        self.accept()
