"""The MSSanté password, in the OS keyring under the same rules as the store key.

Only a keyring the operating system encrypts may keep it
(:func:`escap_desktop.store.trusted_keyring.trusted_keyring`): a plain-file keyring is refused
with its French reason, and then the password is not kept at all — the professional types it
for the session (:class:`SessionPassword`). It is never written anywhere else, never logged,
never put in an exception message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import keyring.errors

from escap_desktop.core.errors import KeyringUnavailableError
from escap_desktop.mail.errors import MailError
from escap_desktop.mail.settings import MailSettings
from escap_desktop.store.keys import KEYRING_SERVICE
from escap_desktop.store.trusted_keyring import trusted_keyring

PasswordSource = Callable[[], str]

NO_PASSWORD = (
    "Aucun mot de passe de messagerie MSSanté n'est enregistré pour {login} : saisissez-le dans "
    "les réglages de la messagerie."
)
KEYRING_FAILED = (
    "Le trousseau du système n'a pas pu {action} le mot de passe de la messagerie MSSanté : "
    "déverrouillez-le puis réessayez."
)


def keyring_user(settings: MailSettings) -> str:
    """The keyring entry of one mailbox on one server."""
    return mailbox_keyring_user(settings.login, settings.host)


def mailbox_keyring_user(login: str, host: str) -> str:
    """The same from the stored login and server (« Oublier ce poste » reads them from the
    store, and must find the entry without settings that may no longer validate)."""
    return f"mssante-smtp:{login.strip().casefold()}@{host.strip().casefold()}"


def save_password(settings: MailSettings, password: str) -> None:
    """Keeps the password in the trusted keyring, and reads it back (some backends accept a
    secret and keep nothing). KeyringUnavailableError (French) when there is no such keyring."""
    backend = trusted_keyring()
    user = keyring_user(settings)
    try:
        backend.set_password(KEYRING_SERVICE, user, password)
        kept = backend.get_password(KEYRING_SERVICE, user)
    except keyring.errors.KeyringError:
        raise MailError(KEYRING_FAILED.format(action="garder")) from None
    if kept != password:
        raise MailError(KEYRING_FAILED.format(action="garder"))


def forget_password(settings: MailSettings) -> None:
    with contextlib.suppress(keyring.errors.KeyringError, KeyringUnavailableError):
        trusted_keyring().delete_password(KEYRING_SERVICE, keyring_user(settings))


def keyring_password(settings: MailSettings) -> PasswordSource:
    """Reads the password when a message is sent (not before: the keyring may be locked when
    the application starts); MailError (French) when it is missing or unreadable."""

    def read() -> str:
        try:
            password = trusted_keyring().get_password(KEYRING_SERVICE, keyring_user(settings))
        except KeyringUnavailableError as error:
            raise MailError(str(error)) from None
        except keyring.errors.KeyringError:
            raise MailError(KEYRING_FAILED.format(action="lire")) from None
        if not password:
            raise MailError(NO_PASSWORD.format(login=settings.login))
        return password

    return read


class SessionPassword:
    """A password typed for this session only (no trusted keyring): kept in memory."""

    def __init__(self, password: str) -> None:
        self._password = password

    def __call__(self) -> str:
        return self._password

    def __repr__(self) -> str:
        return "SessionPassword(***)"
