"""The encrypted local store (SQLCipher): key management, schema migrations, units of work.

Services use :func:`open_store` (or :meth:`Store.open` with a key) and then
``store.unit_of_work(actor_id)``; rows never leave the package, only core entities do.
"""

# The sync tables, the local secrets and the MSSanté outbox join models.Base here, so every user
# of the store's metadata (migrations, the schema test) sees them whichever module it imported
# first.
from escap_desktop.core.errors import PassphraseRequiredError
from escap_desktop.store import local_secrets as _local_secrets  # noqa: F401
from escap_desktop.store import mail_models as _mail_models  # noqa: F401
from escap_desktop.store import sync_models as _sync_models  # noqa: F401
from escap_desktop.store.keys import (
    KeyInfo,
    KeyMode,
    KeyringLockedError,
    derive_key_from_passphrase,
)
from escap_desktop.store.local_store import Store
from escap_desktop.store.opening import (
    open_store,
    store_exists,
    store_key_mode,
    store_path,
)
from escap_desktop.store.unit_of_work import CommitHook, Deletion, UnitOfWork

__all__ = [
    "CommitHook",
    "Deletion",
    "KeyInfo",
    "KeyMode",
    "KeyringLockedError",
    "PassphraseRequiredError",
    "Store",
    "UnitOfWork",
    "derive_key_from_passphrase",
    "open_store",
    "store_exists",
    "store_key_mode",
    "store_path",
]
