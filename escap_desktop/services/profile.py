"""The local professional's own profile: who uses this installation, and the settings that
are theirs (the idle lock, the relay, their MSSanté mailbox)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from escap_desktop.core.entities import LocalProfile, Professional
from escap_desktop.core.errors import KeyringUnavailableError, ValidationError
from escap_desktop.core.rules import identity
from escap_desktop.mail import credentials
from escap_desktop.mail.credentials import PasswordSource, SessionPassword
from escap_desktop.mail.errors import MailError
from escap_desktop.mail.imap_reader import ImapReader, ImapSettings
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store, mail_settings
from escap_desktop.store.mail_settings import StoredMailSettings

__all__ = ["MailSettings", "MailSettingsSaved", "ProfileService", "TlsMode"]
"""The mailbox's value types go with the service that keeps them: the GUI imports use cases
and core only (``tests/test_layers.py``), never the mail adapter."""

SESSION_ONLY = (
    "{reason} Le mot de passe de la messagerie est gardé en mémoire pour cette session "
    "seulement : il vous sera redemandé au prochain lancement."
)
NEEDS_PASSWORD = "Saisissez le mot de passe de votre messagerie MSSanté."


@dataclass(frozen=True, slots=True)
class MailSettingsSaved:
    """The settings kept, and ``note`` (French, "" when all went well): why the password is
    kept for this session only."""

    settings: MailSettings
    note: str = ""


class ProfileService(ServiceBase):
    """Reads and saves the profile; the profile's professional id is the actor of every write.

    ``on_saved`` lets the composition root forget the actor it cached: after a save, the
    profile's professional is who acts.
    """

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        on_saved: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(store, actor_id)
        self._on_saved = on_saved
        self._session_passwords: dict[str, str] = {}
        """Passwords typed this session that no trusted keyring could keep (by keyring user)."""

    def current(self) -> tuple[LocalProfile, Professional] | None:
        with self._store.unit_of_work(None) as uow:
            profile = uow.local_profile()
            if profile is None:
                return None
            return profile, uow.get(Professional, profile.professional_id)

    def save(self, professional: Professional, profile: LocalProfile | None = None) -> Professional:
        """Creates or updates the profile; identifiers are checked before anything is written."""
        identity.validate_professional(professional)
        with self._store.unit_of_work(professional.id) as uow:
            uow.put(professional)
            existing = uow.local_profile()
            if profile is None:
                profile = existing or LocalProfile(professional_id=professional.id)
            uow.put(replace(profile, professional_id=professional.id))
        self._on_saved()
        return professional

    # --- the MSSanté mailbox -------------------------------------------------------------------

    def mail_settings(self) -> MailSettings | None:
        """The professional's MSSanté mailbox, None while it is not configured. Read from the
        store at each call: the settings dialog may change them during the session."""
        with self._store.unit_of_work(None) as uow:
            stored = mail_settings.read(uow.session)
        if stored is None:
            return None
        return MailSettings(
            host=stored.host,
            sender=stored.sender,
            login=stored.login,
            tls=TlsMode(stored.tls),
            port=stored.port or None,
            sender_name=stored.sender_name,
            ca_file=Path(stored.ca_file) if stored.ca_file else None,
            imap_host=stored.imap_host,
            imap_tls=TlsMode(stored.imap_tls),
            imap_port=stored.imap_port or None,
        )

    def save_mail_settings(self, settings: MailSettings, password: str = "") -> MailSettingsSaved:
        """Checks and keeps the settings, the password in the trusted OS keyring.

        ``password`` "" keeps the one already known for that login on that server (else
        ValidationError, field ``password``). Without a trusted keyring the password is kept in
        memory for this session only, and ``note`` says so: it is never written elsewhere.
        """
        _check_ca_file(settings.ca_file)
        previous = self.mail_settings()
        same_box = previous is not None and credentials.keyring_user(
            previous
        ) == credentials.keyring_user(settings)
        note = ""
        if password:
            try:
                credentials.save_password(settings, password)
            except KeyringUnavailableError as error:
                note = SESSION_ONLY.format(reason=str(error))
            self._session_passwords[credentials.keyring_user(settings)] = password
        elif not self.mail_password_known(settings):
            raise ValidationError(NEEDS_PASSWORD, field="password")
        with self._store.unit_of_work(self.actor) as uow:
            mail_settings.write(
                uow.session,
                StoredMailSettings(
                    host=settings.host.strip(),
                    port=settings.port or 0,
                    tls=settings.tls.value,
                    login=settings.login.strip(),
                    sender=settings.sender.strip(),
                    sender_name=settings.sender_name.strip(),
                    ca_file=str(settings.ca_file) if settings.ca_file else "",
                    imap_host=settings.imap_host.strip(),
                    imap_port=settings.imap_port or 0,
                    imap_tls=settings.imap_tls.value,
                ),
                self._now(),
            )
        if previous is not None and not same_box:
            credentials.forget_password(previous)  # the old mailbox's password has no use now
            self._session_passwords.pop(credentials.keyring_user(previous), None)
        return MailSettingsSaved(settings, note)

    def forget_mail_settings(self) -> None:
        """No more MSSanté from this installation: the settings and the password go."""
        previous = self.mail_settings()
        with self._store.unit_of_work(self.actor) as uow:
            mail_settings.clear(uow.session)
        if previous is not None:
            credentials.forget_password(previous)
            self._session_passwords.pop(credentials.keyring_user(previous), None)

    def mail_password(self, settings: MailSettings) -> PasswordSource:
        """Reads the mailbox's password when a message leaves: the one typed this session when
        the keyring could not keep it, else the keyring's (MailError, French, when missing)."""
        typed = self._session_passwords.get(credentials.keyring_user(settings))
        if typed is not None and not self._keyring_has(settings):
            return SessionPassword(typed)
        return credentials.keyring_password(settings)

    def reply_reader(self) -> ImapReader | None:
        """The reader of the mailbox's replies (the same login and password as for sending),
        None while no reading server is set. Read from the store at each call."""
        settings = self.mail_settings()
        if settings is None or not settings.reads_replies:
            return None
        imap = ImapSettings(
            host=settings.imap_host.strip(),
            login=settings.login,
            tls=settings.imap_tls,
            port=settings.imap_port,
            ca_file=settings.ca_file,
            timeout=settings.timeout,
        )
        # the password is looked up when the mailbox is read (on the worker), not now
        return ImapReader(imap, lambda: self.mail_password(settings)())

    def mail_password_known(self, settings: MailSettings) -> bool:
        """Whether a password is kept for that mailbox (the dialog then may leave it empty)."""
        if credentials.keyring_user(settings) in self._session_passwords:
            return True
        return self._keyring_has(settings)

    @staticmethod
    def _keyring_has(settings: MailSettings) -> bool:
        try:
            credentials.keyring_password(settings)()
        except MailError:
            return False
        return True


def _check_ca_file(ca_file: Path | None) -> None:
    """An operator's own authorities must be a readable PEM file: said now, in French, rather
    than at the first sending."""
    if ca_file is None:
        return
    if not ca_file.is_file():
        raise ValidationError(
            f"Le fichier des autorités de certification « {ca_file} » est introuvable.",
            field="ca_file",
        )
    try:
        ssl.create_default_context(cafile=str(ca_file))
    except (ssl.SSLError, OSError, ValueError):
        raise ValidationError(
            f"Le fichier « {ca_file} » ne contient pas de certificat d'autorité lisible "
            "(format PEM attendu).",
            field="ca_file",
        ) from None
