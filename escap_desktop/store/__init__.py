"""The encrypted local store (SQLCipher): key management, schema migrations, units of work.

Services use :func:`open_store` (or :meth:`Store.open` with a key) and then
``store.unit_of_work(actor_id)``; rows never leave the package, only core entities do.

The names below are imported on first use (PEP 562), not with the package: the start-up's first
patient list (:mod:`escap_desktop.store.first_list`) reads the keyring and the file through
``keys``, ``engine`` and ``migrator`` alone, and importing the package must not bring
SQLAlchemy and the ORM models with it (most of a second, issue 19).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escap_desktop.core.errors import PassphraseRequiredError
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

_EXPORTS = {
    "CommitHook": "escap_desktop.store.unit_of_work",
    "Deletion": "escap_desktop.store.unit_of_work",
    "KeyInfo": "escap_desktop.store.keys",
    "KeyMode": "escap_desktop.store.keys",
    "KeyringLockedError": "escap_desktop.store.keys",
    "PassphraseRequiredError": "escap_desktop.core.errors",
    "Store": "escap_desktop.store.local_store",
    "UnitOfWork": "escap_desktop.store.unit_of_work",
    "derive_key_from_passphrase": "escap_desktop.store.keys",
    "open_store": "escap_desktop.store.opening",
    "store_exists": "escap_desktop.store.opening",
    "store_key_mode": "escap_desktop.store.opening",
    "store_path": "escap_desktop.store.opening",
}
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

MODELS_MODULE = "escap_desktop.store.models"
JOINING_BASE = (
    "escap_desktop.store.local_secrets",
    "escap_desktop.store.mail_models",
    "escap_desktop.store.sync_models",
)
"""The sync tables, the local secrets and the MSSanté outbox join ``models.Base`` as soon as
``models`` is imported (:class:`_CompleteMetadata`), so every user of the store's metadata
(migrations, the unit of work's table order, the schema test) sees them whichever module it
imported first — what importing them here, with the package, used to guarantee."""


def __getattr__(name: str) -> Any:
    """A public name, imported at first use; or a submodule not imported yet (what the package
    gave when it imported them all)."""
    module_name = _EXPORTS.get(name)
    if module_name is not None:
        value = getattr(importlib.import_module(module_name), name)
        globals()[name] = value
        return value
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CompleteMetadata:
    """Finds ``models`` as usual, then has the modules of :data:`JOINING_BASE` imported right
    after it ran, before whoever imported it reads its metadata. (A meta path finder needs only
    ``find_spec``: ``importlib.abc`` would add its own imports to the start-up.)"""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODELS_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = None if spec is None else spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_models = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_models(module)
            for joining in JOINING_BASE:
                importlib.import_module(joining)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if not any(isinstance(finder, _CompleteMetadata) for finder in sys.meta_path):
    sys.meta_path.insert(0, _CompleteMetadata())
