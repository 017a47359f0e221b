"""The MSSanté settings dialog refuses, in French and next to the field at fault, what cannot
work: a port (sending or reading) that is not a number, an address that is not one, a missing
password, an authority file that does not exist; it saves nothing until all is right, keeps the
optional reading server (IMAP) beside the sending one, and is driven from the keyboard (every
field has its Alt+letter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from escap_desktop.mail.credentials import keyring_password
from escap_desktop.services.practice import Practice
from escap_desktop.services.profile import TlsMode
from escap_desktop.ui.mail.settings_dialog import MailSettingsDialog
from tests.ui.typing import type_text

SAVE = Qt.Key.Key_Return


@pytest.fixture
def dialog(qtbot: QtBot, practice: Practice) -> MailSettingsDialog:
    opened = MailSettingsDialog(
        practice.profile.mail_settings(), practice.profile.save_mail_settings
    )
    # closing a dialog with typed text would ask whether to discard it
    qtbot.addWidget(opened, before_close_func=lambda _widget: opened.mark_clean())
    opened.show()
    return opened


def _save(qtbot: QtBot, dialog: MailSettingsDialog) -> None:
    qtbot.keyClick(dialog.buttons.buttons()[0], Qt.Key.Key_Space)


def test_each_problem_is_said_in_french_next_to_its_field(
    qtbot: QtBot, practice: Practice, dialog: MailSettingsDialog, tmp_path: Path
) -> None:
    type_text(dialog.host, "smtp.mssante.exemple.fr")
    type_text(dialog.port, "cinq-cent-quatre-vingt-sept")
    type_text(dialog.login, "marie.lefevre@medecin.mssante.fr")
    type_text(dialog.sender_address, "marie.lefevre-sans-arobase")
    _save(qtbot, dialog)
    assert dialog.errors.message("port").startswith("Le port « cinq-cent-quatre-vingt-sept » ")
    assert dialog.port.hasFocus()

    dialog.port.setText("70000")
    _save(qtbot, dialog)
    assert "entre 1 et 65535" in dialog.errors.message("port")

    dialog.port.setText("")  # the mode's default: 587 for STARTTLS
    _save(qtbot, dialog)
    assert dialog.errors.message("port") == ""
    assert "n'est pas une adresse de messagerie valide" in dialog.errors.message("sender")

    dialog.sender_address.setText("marie.lefevre@medecin.mssante.fr")
    dialog.ca_file.setText(str(tmp_path / "absent.pem"))
    _save(qtbot, dialog)
    assert "est introuvable" in dialog.errors.message("ca_file")

    not_pem = tmp_path / "pas-un-certificat.pem"
    not_pem.write_text("bonjour", encoding="utf-8")
    dialog.ca_file.setText(str(not_pem))
    _save(qtbot, dialog)
    assert "format PEM attendu" in dialog.errors.message("ca_file")

    dialog.ca_file.setText("")
    _save(qtbot, dialog)
    assert dialog.errors.message("password") == (
        "Saisissez le mot de passe de votre messagerie MSSanté."
    )
    assert dialog.isVisible()
    assert practice.profile.mail_settings() is None  # nothing saved while anything is wrong

    type_text(dialog.password, "Secret à l'accent")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    kept = practice.profile.mail_settings()
    assert kept is not None
    assert (kept.host, kept.effective_port, kept.tls) == (
        "smtp.mssante.exemple.fr",
        587,
        TlsMode.STARTTLS,
    )
    assert keyring_password(kept)() == "Secret à l'accent"  # in the keyring, nowhere else


def test_an_empty_password_keeps_the_one_in_the_keyring(
    qtbot: QtBot, practice: Practice, dialog: MailSettingsDialog
) -> None:
    type_text(dialog.host, "smtp.mssante.exemple.fr")
    type_text(dialog.login, "marie.lefevre@medecin.mssante.fr")
    type_text(dialog.password, "premier secret")
    type_text(dialog.sender_address, "marie.lefevre@medecin.mssante.fr")
    _save(qtbot, dialog)
    kept = practice.profile.mail_settings()
    assert kept is not None

    again = MailSettingsDialog(kept, practice.profile.save_mail_settings, password_known=True)
    qtbot.addWidget(again, before_close_func=lambda _widget: again.mark_clean())
    again.show()
    assert again.host.text() == "smtp.mssante.exemple.fr"
    assert again.password.text() == ""  # a kept password is never shown
    again.tls.setCurrentIndex(again.tls.findText(TlsMode.IMPLICIT.label))
    assert again.port.placeholderText().startswith("465")
    _save(qtbot, again)
    assert not again.isVisible()
    changed = practice.profile.mail_settings()
    assert changed is not None
    assert changed.effective_port == 465
    assert keyring_password(changed)() == "premier secret"


def test_a_reading_port_that_is_not_one_is_said_next_to_its_field(
    qtbot: QtBot, practice: Practice, dialog: MailSettingsDialog
) -> None:
    type_text(dialog.host, "smtp.mssante.exemple.fr")
    type_text(dialog.imap_host, "imap.mssante.exemple.fr")
    type_text(dialog.imap_port, "neuf cent quatre-vingt-treize")
    type_text(dialog.login, "marie.lefevre@medecin.mssante.fr")
    type_text(dialog.password, "Secret à l'accent")
    type_text(dialog.sender_address, "marie.lefevre@medecin.mssante.fr")
    _save(qtbot, dialog)
    assert dialog.errors.message("imap_port") == (
        "Le port de réception « neuf cent quatre-vingt-treize » n'est pas un nombre : indiquez "
        "par exemple 993."
    )
    assert dialog.errors.message("port") == ""
    assert dialog.imap_port.hasFocus()
    error = next(
        label
        for label in dialog.findChildren(QLabel, "fieldError")
        if label.property("field") == "imap_port"
    )
    assert error.isVisible()
    assert error.text() == dialog.errors.message("imap_port")

    dialog.imap_port.setText("0")
    _save(qtbot, dialog)
    assert dialog.errors.message("imap_port") == (
        "Le port de réception 0 n'existe pas : indiquez un nombre entre 1 et 65535 (souvent 993 "
        "en mode « TLS dès la connexion (IMAPS) »)."
    )
    assert dialog.isVisible()
    assert practice.profile.mail_settings() is None

    dialog.imap_tls.setCurrentIndex(dialog.imap_tls.findText(TlsMode.STARTTLS.imap_label))
    assert dialog.imap_port.placeholderText().startswith("143")
    dialog.imap_port.setText("")  # the mode's default
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    kept = practice.profile.mail_settings()
    assert kept is not None
    assert (kept.imap_host, kept.imap_tls, kept.imap_port) == (
        "imap.mssante.exemple.fr",
        TlsMode.STARTTLS,
        None,
    )
    assert practice.mssante_replies.configured


def test_the_reading_server_is_kept_and_shown_again_and_is_optional(
    qtbot: QtBot, practice: Practice, dialog: MailSettingsDialog
) -> None:
    assert "les réponses ne sont pas lues" in " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )
    type_text(dialog.host, "smtp.mssante.exemple.fr")
    type_text(dialog.login, "marie.lefevre@medecin.mssante.fr")
    type_text(dialog.password, "un seul secret")
    type_text(dialog.sender_address, "marie.lefevre@medecin.mssante.fr")
    _save(qtbot, dialog)
    kept = practice.profile.mail_settings()
    assert kept is not None
    assert not kept.reads_replies  # no reading server: the replies are not read
    assert not practice.mssante_replies.configured

    again = MailSettingsDialog(kept, practice.profile.save_mail_settings, password_known=True)
    qtbot.addWidget(again, before_close_func=lambda _widget: again.mark_clean())
    again.show()
    type_text(again.imap_host, "imap.mssante.exemple.fr")
    type_text(again.imap_port, "10993")
    _save(qtbot, again)
    assert not again.isVisible()
    changed = practice.profile.mail_settings()
    assert changed is not None
    assert (changed.imap_host, changed.imap_tls, changed.imap_port) == (
        "imap.mssante.exemple.fr",
        TlsMode.IMPLICIT,
        10993,
    )
    assert practice.mssante_replies.configured
    # one account for both servers: the password typed for sending is the one kept
    assert keyring_password(changed)() == "un seul secret"

    shown = MailSettingsDialog(changed, practice.profile.save_mail_settings, password_known=True)
    qtbot.addWidget(shown, before_close_func=lambda _widget: shown.mark_clean())
    assert shown.imap_host.text() == "imap.mssante.exemple.fr"
    assert shown.imap_port.text() == "10993"
    assert shown.imap_tls.currentText() == TlsMode.IMPLICIT.imap_label


def test_every_field_has_a_keyboard_shortcut(dialog: MailSettingsDialog) -> None:
    captions = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    letters = [label.text().split("&", 1)[1][0].lower() for label in captions]
    assert len(captions) == 11
    assert len(set(letters)) == len(letters)
    assert {label.buddy() for label in captions} >= {
        dialog.host,
        dialog.tls,
        dialog.port,
        dialog.imap_host,
        dialog.imap_tls,
        dialog.imap_port,
        dialog.login,
        dialog.password,
        dialog.sender_address,
        dialog.sender_name,
    }
