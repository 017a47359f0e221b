"""The encrypted scan files beside the store (``<data folder>/scans/<random id>.scan``).

Each file is ``FILE_MAGIC`` followed by a libsodium SecretBox (XSalsa20-Poly1305, random nonce)
of the scanned form, under the *scan key*. That key is a secret kept inside the store
(:mod:`escap_desktop.store.local_secrets`, name ``scan-key``), not derived from the store key:

* it travels inside a backup (in the backup's copy of the store, under the backup passphrase),
  so scans restored on another computer open under the restored store's new key;
* it stays the same when the store key changes (restore, change of passphrase or mode);
* removing the store key ("forget this computer") still makes every scan unreadable: the scan
  key can only be read from the store.

Before the key was kept in the store (schema revision 0004), it was derived from the store key
(keyed BLAKE2b). A store upgraded from then keeps that derived value as its scan key the first
time scans are used (or a backup is written), so the scans already written stay readable without
being rewritten; a store without scans gets a random key.
"""

from __future__ import annotations

import hashlib
import re

import nacl.exceptions
import nacl.secret
import nacl.utils
import sqlcipher3
from sqlalchemy import select

from escap_desktop.store.local_secrets import keep_secret, read_secret, read_secret_raw
from escap_desktop.store.local_store import Store
from escap_desktop.store.models import ConsentRow

SCANS_FOLDER = "scans"
FILE_MAGIC = b"ESCAPSCN\x01"
MAX_SCAN_BYTES = 15 * 1024 * 1024
# Magic, nonce and MAC around the largest accepted scan.
MAX_SEALED_BYTES = (
    MAX_SCAN_BYTES
    + len(FILE_MAGIC)
    + nacl.secret.SecretBox.NONCE_SIZE
    + nacl.secret.SecretBox.MACBYTES
)
SCAN_NAME = re.compile(r"^[0-9a-f]{32}\.scan$")
SCAN_PATH = re.compile(rf"^{SCANS_FOLDER}/[0-9a-f]{{32}}\.scan$")
SCAN_KEY_SECRET = "scan-key"
# The derivation the first versions used; kept to adopt their scans (see the module docstring).
_LEGACY_INPUT = b"escap-desktop/consent-scans/v1"
_LEGACY_PERSON = b"escap-scan-key"


def scan_key(store: Store) -> bytes:
    """The scans' key, kept in the store (chosen and written there at its first use).

    Call it before anything that gives the store a new key (a backup, a change of key): a store
    upgraded from a version that derived the key must have kept it first.
    """
    with store.unit_of_work(None) as uow:
        session = uow.session
        kept = read_secret(session, SCAN_KEY_SECRET)
        if kept is not None:
            return kept
        has_scans = (
            session.scalar(select(ConsentRow.id).where(ConsentRow.scan_path != "").limit(1))
            is not None
        )
        chosen = (
            store.derive_key(_LEGACY_INPUT, _LEGACY_PERSON)
            if has_scans
            else nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
        )
        return keep_secret(session, SCAN_KEY_SECRET, chosen)


def seal(key: bytes, content: bytes) -> bytes:
    return FILE_MAGIC + bytes(nacl.secret.SecretBox(key).encrypt(content))


def unseal(key: bytes, sealed: bytes) -> bytes | None:
    """The plain content; None for a file that is not a scan sealed under ``key`` (or altered)."""
    if not sealed.startswith(FILE_MAGIC):
        return None
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(sealed[len(FILE_MAGIC) :]))
    except (nacl.exceptions.CryptoError, ValueError):
        return None


def is_the_recorded_scan(key: bytes, sealed: bytes, sha256: str) -> bool:
    """Whether ``sealed`` opens under ``key`` and is the content whose SHA-256 was recorded."""
    content = unseal(key, sealed)
    return content is not None and hashlib.sha256(content).hexdigest() == sha256


def recorded_scans_raw(connection: sqlcipher3.Connection) -> tuple[bytes | None, dict[str, str]]:
    """On a bare keyed connection (a backup's copy): the scan key, and each scan file the
    consents record (``scans/<id>.scan`` -> SHA-256 of the content). Paths not written by the
    application (see ``SCAN_PATH``) are left out: they are never read either."""
    rows = connection.execute(
        "SELECT scan_path, scan_sha256 FROM consent WHERE scan_path != ''"
    ).fetchall()
    recorded = {str(path): str(sha) for path, sha in rows if SCAN_PATH.fullmatch(str(path))}
    return read_secret_raw(connection, SCAN_KEY_SECRET), recorded
