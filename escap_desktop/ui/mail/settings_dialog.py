"""« Messagerie sécurisée MSSanté » : the professional's own mailbox (their operator's SMTP
submission server, the login, the sender address, and optionally the IMAP server where the
médecin traitant's replies are read with the same login and password), typed once.

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
    "ESCAP Desktop. Recopiez les réglages d'envoi (SMTP) et, si votre opérateur l'ouvre, de "
    "réception (IMAP) donnés par votre opérateur MSSanté."
)
IMAP_HINT = (
    "Facultatif : avec le serveur de réception, les réponses du médecin traitant au plan de "
    "soins (« je valide le plan »…) sont lues et notées sur ses actions, avec le même "
    "identifiant et le même mot de passe. Sans lui, les réponses ne sont pas lues : notez-les "
    "à la main dans le plan."
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
        self.resize(580, 560)
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
        imap_hint = QLabel(IMAP_HINT)
        imap_hint.setWordWrap(True)
        imap_hint.setObjectName("hint")
        self.imap_host = QLineEdit()
        self.imap_host.setPlaceholderText("facultatif : imap.votre-operateur.mssante.fr")
        self.imap_tls = QComboBox()
        for mode in (TlsMode.IMPLICIT, TlsMode.STARTTLS):
            self.imap_tls.addItem(mode.imap_label, mode)
        self.imap_port = QLineEdit()
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
        form.addRow(imap_hint)
        add_field_row(
            form, "Serveur de &réception (IMAP) :", self.imap_host, "imap_host", self.errors
        )
        add_field_row(form, "Séc&urité de la réception :", self.imap_tls, "imap_tls", self.errors)
        add_field_row(form, "Port &de réception :", self.imap_port, "imap_port", self.errors)
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
        self.imap_tls.currentIndexChanged.connect(self._on_tls_changed)
        self.browse.clicked.connect(self._on_browse)
        for edit in (
            self.host,
            self.port,
            self.imap_host,
            self.imap_port,
            self.login,
            self.password,
            self.sender_address,
            self.sender_name,
            self.ca_file,
        ):
            edit.textEdited.connect(self.mark_dirty)
        self.tls.currentIndexChanged.connect(self.mark_dirty)
        self.imap_tls.currentIndexChanged.connect(self.mark_dirty)
        self.host.setFocus()

    def _fill(self, current: MailSettings) -> None:
        self.host.setText(current.host)
        self.tls.setCurrentIndex(max(0, self.tls.findText(current.tls.label)))
        self.port.setText(str(current.port) if current.port else "")
        self.imap_host.setText(current.imap_host)
        self.imap_tls.setCurrentIndex(max(0, self.imap_tls.findText(current.imap_tls.imap_label)))
        self.imap_port.setText(str(current.imap_port) if current.imap_port else "")
        self._on_tls_changed()
        self.login.setText(current.login)
        self.sender_address.setText(current.sender)
        self.sender_name.setText(current.sender_name)
        self.ca_file.setText(str(current.ca_file) if current.ca_file else "")

    def _mode(self) -> TlsMode:
        return _chosen_mode(self.tls, TlsMode.STARTTLS)

    def _imap_mode(self) -> TlsMode:
        return _chosen_mode(self.imap_tls, TlsMode.IMPLICIT)

    def _on_tls_changed(self, *_args: object) -> None:
        self.port.setPlaceholderText(f"{self._mode().default_port} (par défaut)")
        self.imap_port.setPlaceholderText(f"{self._imap_mode().imap_default_port} (par défaut)")

    def _on_browse(self) -> None:
        chosen = self._chooser(self, self.ca_file.text().strip() or str(Path.home()))
        if chosen:
            self.ca_file.setText(chosen)
            self.mark_dirty()

    def settings(self) -> MailSettings:
        """The settings typed; ValidationError (French, with its field) when they are not."""
        port = _port(self.port, "Le port", self._mode().default_port, "port")
        imap_port = _port(
            self.imap_port, "Le port de réception", self._imap_mode().imap_default_port, "imap_port"
        )
        ca_text = self.ca_file.text().strip()
        return MailSettings(
            host=self.host.text().strip(),
            sender=self.sender_address.text().strip(),
            login=self.login.text().strip(),
            tls=self._mode(),
            port=port,
            sender_name=self.sender_name.text().strip(),
            ca_file=Path(ca_text).expanduser() if ca_text else None,
            imap_host=self.imap_host.text().strip(),
            imap_tls=self._imap_mode(),
            imap_port=imap_port,
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


def _chosen_mode(combo: QComboBox, default: TlsMode) -> TlsMode:
    mode = combo.currentData()  # Qt may hand the enum back as its plain text
    return TlsMode(mode) if mode in set(TlsMode) else default


def _port(edit: QLineEdit, what: str, example: int, field: str) -> int | None:
    """The port typed (None: empty, the mode's default); ValidationError when not a number."""
    text = edit.text().strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(
            f"{what} « {text} » n'est pas un nombre : indiquez par exemple {example}.",
            field=field,
        )
    return int(text)
