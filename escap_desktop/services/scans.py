"""The scan of a signed consent form, kept encrypted in the data folder's ``scans/``.

Design (see docs/security.md):

* only PDF, JPEG and PNG are accepted, recognised by their first bytes (never the file name),
  up to :data:`MAX_SCAN_BYTES`; anything else is refused before a byte is written;
* the file is encrypted with libsodium's SecretBox (XSalsa20-Poly1305, random nonce) under the
  *scan key*, a random key kept inside the encrypted store (:mod:`escap_desktop.store.scan_files`):
  the same protection as the store in keyring and passphrase modes alike, it travels in a backup
  with the store, survives a new store key (restore, change of passphrase), and removing the
  store key ("forget this computer") makes every scan unreadable too;
* the file is named by a random id (``scans/<id>.scan``), never after the patient; the consent
  records that relative path and the SHA-256 of the plain content, so a read checks it is the
  very file that was attached.

Backups carry the scans (``store/backup_file.py``, format 2), and a restore checks each of them
before anything is replaced. Backups written before format 2 hold no scans.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from escap_desktop.core.entities import Consent, Escap
from escap_desktop.core.errors import NotFoundError, StoreError, ValidationError
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store, scan_files
from escap_desktop.store.scan_files import MAX_SCAN_BYTES, SCAN_PATH, SCANS_FOLDER

__all__ = [
    "MAX_SCAN_BYTES",
    "SCANS_FOLDER",
    "ConsentScan",
    "ScanService",
    "media_type_of",
    "read_scan_file",
]

_MEDIA_TYPES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)

TYPE_REFUSED_MESSAGE = (
    "Seuls les fichiers PDF, JPEG ou PNG peuvent être joints : ce fichier n'en est pas un."
)
EMPTY_MESSAGE = "Le fichier choisi est vide : rien à joindre."
TOO_LARGE_MESSAGE = (
    f"Le fichier dépasse {MAX_SCAN_BYTES // (1024 * 1024)} Mo : numérisez le formulaire en "
    "résolution plus faible, ou en noir et blanc."
)
NOT_A_FILE_MESSAGE = (
    "« {name} » n'est pas un fichier : choisissez le scan ou la photo du formulaire."
)


class ConsentScan(bytes):
    """The decrypted scan, with what a viewer needs to show it (``application/pdf``...)."""

    media_type: str
    suffix: str

    def __new__(cls, content: bytes) -> ConsentScan:
        scan = super().__new__(cls, content)
        scan.media_type, scan.suffix = media_type_of(content)
        return scan


def media_type_of(content: bytes) -> tuple[str, str]:
    """(media type, file suffix) from the first bytes; ValidationError for any other type."""
    for magic, media_type, suffix in _MEDIA_TYPES:
        if content.startswith(magic):
            return media_type, suffix
    raise ValidationError(TYPE_REFUSED_MESSAGE, field="scan_path")


class ScanService(ServiceBase):
    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        data_dir: Path,
    ) -> None:
        super().__init__(store, actor_id)
        self._data_dir = Path(data_dir)

    def check_scan_file(self, path: Path | str) -> str:
        """The file's media type if it could be attached; the same ValidationError otherwise.

        For a form to refuse a wrong file before anything else is recorded (the consent as
        signed, say), instead of after.
        """
        return media_type_of(read_scan_file(Path(path)))[0]

    def attach_consent_scan(self, escap_id: str, path: Path | str) -> Consent:
        """Copies the signed form's scan, encrypted, and records it on the ESCAP's consent.

        The consent must exist (the form was printed, or the consent recorded). A scan attached
        earlier is replaced. ValidationError (``field="scan_path"``) for a file that is missing,
        empty, too large or not a PDF/JPEG/PNG; nothing is written then.
        """
        content = read_scan_file(Path(path))
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:  # fail early, before writing a file
            uow.get(Escap, escap_id)
            _consent(uow.find(Consent, escap_id=escap_id))
        relative = f"{SCANS_FOLDER}/{secrets.token_hex(16)}.scan"
        target = self._data_dir / relative
        _write_private(target, _encrypt(self._key(), content))
        try:
            with self._store.unit_of_work(actor) as uow:
                previous = _consent(uow.find(Consent, escap_id=escap_id))
                consent = replace(
                    previous,
                    scan_path=relative,
                    scan_sha256=hashlib.sha256(content).hexdigest(),
                )
                uow.put(consent, patient_id=consent.patient_id)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        if previous.scan_path and SCAN_PATH.fullmatch(previous.scan_path):
            (self._data_dir / previous.scan_path).unlink(missing_ok=True)
        return consent

    def read_consent_scan(self, escap_id: str) -> ConsentScan:
        """The attached scan, decrypted and checked against the SHA-256 the consent recorded.

        Showing it is opening the patient's record: journaled as a consultation.
        """
        with self._store.unit_of_work(self.actor) as uow:
            uow.get(Escap, escap_id)
            consent = _consent(uow.find(Consent, escap_id=escap_id))
            uow.record_view(consent.patient_id)
        if not consent.scan_path:
            raise NotFoundError("Aucun scan du formulaire signé n'est joint à ce consentement.")
        if not SCAN_PATH.fullmatch(consent.scan_path):
            raise StoreError(
                "Le scan de ce consentement n'a pas été joint par ESCAP Desktop : "
                "joignez-le de nouveau."
            )
        try:
            sealed = (self._data_dir / consent.scan_path).read_bytes()
        except FileNotFoundError:
            raise StoreError(
                "Le scan du formulaire signé est introuvable sur cet ordinateur "
                f"({consent.scan_path}) : joignez-le de nouveau depuis le papier."
            ) from None
        except OSError as error:
            raise StoreError(
                f"Le scan du formulaire signé ne peut pas être lu ({error.strerror or error})."
            ) from None
        content = _decrypt(self._key(), sealed)
        if hashlib.sha256(content).hexdigest() != consent.scan_sha256:
            raise StoreError(
                "Le scan du formulaire signé ne correspond pas à celui qui a été joint : "
                "joignez-le de nouveau depuis le papier."
            )
        return ConsentScan(content)

    def _key(self) -> bytes:
        return scan_files.scan_key(self._store)


def read_scan_file(path: Path) -> bytes:
    """The file's bytes once it is known to be a regular file of an accepted type and size.

    Opened without blocking and checked on the open descriptor, so a FIFO or a device chosen by
    mistake is refused instead of hanging, and the file cannot be swapped between check and read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ValidationError(
            f"Le fichier choisi est introuvable : {path}.", field="scan_path"
        ) from None
    except IsADirectoryError:
        raise ValidationError(
            NOT_A_FILE_MESSAGE.format(name=path.name), field="scan_path"
        ) from None
    except OSError as error:
        raise ValidationError(
            f"Le fichier choisi ne peut pas être lu ({error.strerror or error}).", field="scan_path"
        ) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(NOT_A_FILE_MESSAGE.format(name=path.name), field="scan_path")
        if info.st_size > MAX_SCAN_BYTES:
            raise ValidationError(TOO_LARGE_MESSAGE, field="scan_path")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            content = file.read(MAX_SCAN_BYTES + 1)
    except OSError as error:
        raise ValidationError(
            f"Le fichier choisi ne peut pas être lu ({error.strerror or error}).", field="scan_path"
        ) from None
    finally:
        os.close(descriptor)
    if not content:
        raise ValidationError(EMPTY_MESSAGE, field="scan_path")
    if len(content) > MAX_SCAN_BYTES:  # grew since fstat
        raise ValidationError(TOO_LARGE_MESSAGE, field="scan_path")
    media_type_of(content)
    return content


def _encrypt(key: bytes, content: bytes) -> bytes:
    return scan_files.seal(key, content)


def _decrypt(key: bytes, sealed: bytes) -> bytes:
    content = scan_files.unseal(key, sealed)
    if content is None:
        raise StoreError(
            "Le scan du formulaire signé est illisible avec la clé de ce coffre (fichier abîmé, "
            "ou joint avant une restauration faite par une version antérieure d'ESCAP Desktop) : "
            "joignez-le de nouveau depuis le papier."
        )
    return content


def _write_private(target: Path, data: bytes) -> None:
    """Owner-only folder and file, written aside then renamed; disk errors in French."""
    partial = target.with_name(f".{target.name}.partiel")
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(
            f"Le scan n'a pas pu être enregistré dans {target.parent} "
            f"({error.strerror or error}) : rien n'a été joint."
        ) from None


def _consent(consents: list[Consent]) -> Consent:
    if not consents:
        raise NotFoundError(
            "Aucun consentement n'est enregistré pour cette ESCAP : imprimez d'abord le "
            "formulaire de consentement."
        )
    return consents[-1]
