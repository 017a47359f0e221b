"""The installation's pseudonymisation salt for the evaluation export.

A file ``<data dir>/export-salt.bin`` of 32 random bytes, created on the first export and never
changed, readable by its owner only (mode 0600). Reasons for a file rather than the store or the
keyring:

* the salt must outlive a change of store key or passphrase (keys in every later export must
  stay those of earlier exports), so it is not derived from the store key;
* the store has no table for installation secrets, and the keyring may be missing (passphrase
  mode), while the data folder is always there and is what a backup copies;
* on its own the salt reveals nothing: a pseudonym is HMAC(salt, record id), and the record ids
  are only inside the encrypted store.

Losing the file only means later exports use new keys (evaluators can no longer link them to
earlier exports); it never exposes a patient.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.pseudonym import MIN_SALT_BYTES

SALT_FILE_NAME = "export-salt.bin"
SALT_BYTES = 32


def salt_path(data_dir: Path) -> Path:
    return Path(data_dir) / SALT_FILE_NAME


def load_or_create_salt(data_dir: Path) -> bytes:
    """The salt of this installation, created at first use (two processes agree on one)."""
    path = salt_path(data_dir)
    if not path.exists():
        _create(path)
    try:
        salt = path.read_bytes()
    except OSError as error:
        raise ExportError(
            f"La clé de pseudonymisation ({path}) est illisible ({error.strerror or error})."
        ) from None
    if len(salt) < MIN_SALT_BYTES:
        raise ExportError(
            f"La clé de pseudonymisation ({path}) est abîmée : restaurez-la depuis une "
            "sauvegarde, ou supprimez-la pour en créer une nouvelle (les clés des patients "
            "changeront alors dans les exports suivants)."
        )
    return salt


def _create(path: Path) -> None:
    """Written aside, then linked into place: a reader never sees a half-written salt, and a
    second process creating it at the same moment keeps the first one's."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partiel")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(SALT_BYTES))
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system (FAT, some network shares)
            if not path.exists():
                os.replace(partial, path)
    except OSError as error:
        raise ExportError(
            f"La clé de pseudonymisation n'a pas pu être créée dans {path.parent} "
            f"({error.strerror or error})."
        ) from None
    finally:
        partial.unlink(missing_ok=True)
