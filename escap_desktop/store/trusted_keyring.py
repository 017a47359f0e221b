"""Which keyring backends may keep a key: only those the operating system encrypts.

``keyring`` picks the backend of highest priority among those installed, and some of them keep
secrets in a plain file (``keyrings.alt``'s ``PlaintextKeyring``, found on any machine where that
package came along with something else) or in a file encrypted under a password typed at each
use. A key there can be read back without the OS's protection: that is not a keyring for the
store key nor for the device's private keys. So this is an allow-list — Secret Service (GNOME
keyring, KWallet through it), KWallet, the macOS Keychain, the Windows Credential Locker — and
anything else, including a chainer over anything else, counts as no keyring at all: the store is
protected by a passphrase instead, and the French reason says which backend was refused.

:func:`trust_backend` adds a backend class (the tests' in-memory double; a site whose IT packages
another backend the OS encrypts). Nothing reads the configuration or the environment for it:
``PYTHON_KEYRING_BACKEND`` may choose a backend, never make an untrusted one trusted.
"""

from __future__ import annotations

import keyring
import keyring.backends.chainer
import keyring.backends.fail
from keyring.backend import KeyringBackend

from escap_desktop.core.errors import KeyringUnavailableError

_TRUSTED: set[str] = {
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
}

NO_KEYRING_MESSAGE = (
    "Aucun trousseau sécurisé du système n'est disponible pour garder la clé du coffre de "
    "données : choisissez une phrase de passe pour le protéger."
)
UNTRUSTED_MESSAGE = (
    "Le trousseau disponible sur cet ordinateur ({name}) ne chiffre pas les secrets avec la "
    "protection du système : la clé y serait lisible. Choisissez une phrase de passe pour "
    "protéger le coffre de données."
)


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def trust_backend(cls: type[KeyringBackend]) -> None:
    """Accept ``cls`` as a backend the OS protects (see the module's note)."""
    _TRUSTED.add(f"{cls.__module__}.{cls.__qualname__}")


def is_trusted(backend: KeyringBackend) -> bool:
    """A trusted class or a subclass of one; a chainer only over trusted backends."""
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return bool(backend.backends) and all(is_trusted(b) for b in backend.backends)
    return any(f"{c.__module__}.{c.__qualname__}" in _TRUSTED for c in type(backend).__mro__)


def refusal(backend: KeyringBackend) -> str | None:
    """Why this backend may not keep a key (a French sentence), or None when it may."""
    if isinstance(backend, keyring.backends.fail.Keyring):
        return NO_KEYRING_MESSAGE
    if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
        return NO_KEYRING_MESSAGE
    if is_trusted(backend):
        return None
    return UNTRUSTED_MESSAGE.format(name=type(backend).__name__)


def trusted_keyring() -> KeyringBackend:
    """The current backend when it may keep a key, else KeyringUnavailableError saying why."""
    backend = keyring.get_keyring()
    reason = refusal(backend)
    if reason is not None:
        raise KeyringUnavailableError(reason)
    return backend


def untrusted_keyring() -> KeyringBackend | None:
    """The current backend when it works but may not keep a key: where a key written by an
    earlier version could be lying, to be moved out and deleted. None otherwise."""
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring) or is_trusted(backend):
        return None
    if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
        return None
    return backend
